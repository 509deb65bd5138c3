/**
 * What `import { z } from 'zod'` resolves to in the Lambda bundles (an esbuild alias, see
 * ../bundling.ts): zod exactly, but with English as its only locale. zod's entry exposes every
 * locale through the `z.locales` and `z.core.locales` namespaces, and because the `z` namespace is
 * passed around as a value (@hono/zod-openapi extends it), esbuild must keep all of them: 258 KiB,
 * a fifth of the API bundle, parsed on every cold start for messages nobody reads. Error messages
 * stay English (zod registers `en` itself). test/infra/zod-english.test.ts checks that this module
 * exports what zod exports, so a zod upgrade that adds or moves an export fails the tests.
 */
import * as z from './classic'

export * from './classic'
export { z, z as default }
