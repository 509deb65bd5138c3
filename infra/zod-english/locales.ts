/** The one locale the bundles carry (see ./index.ts); `z.locales.en` as in zod. */
export { default as en } from '../../node_modules/zod/v4/locales/en.js'
