import { build } from 'esbuild'
import { describe, expect, it } from 'vitest'
import * as zod from 'zod'
import { esbuildOptions, ZOD_ALIAS } from '../../infra/bundling'
import * as zodEnglish from '../../infra/zod-english'

/**
 * The Lambda bundles resolve `zod` to infra/zod-english (English only). It must stay zod in every
 * other respect: the same exports, the same classes, English messages.
 */
describe('zod with English only (the bundles’ zod)', () => {
  it('exports every name zod exports, the same values, except the other locales', () => {
    expect(Object.keys(zodEnglish).sort()).toEqual(Object.keys(zod).sort())
    expect(Object.keys(zodEnglish.core).sort()).toEqual(Object.keys(zod.core).sort())
    const english = new Map(Object.entries(zodEnglish))
    for (const [name, value] of Object.entries(zod)) {
      if (name === 'locales' || name === 'core' || name === 'z' || name === 'default') continue
      expect(english.get(name), name).toBe(value)
    }
    expect(Object.keys(zodEnglish.locales)).toEqual(['en'])
    expect(zodEnglish.locales.en).toBe(zod.locales.en)
    expect(zodEnglish.z.object).toBe(zod.z.object)
  })

  it('reports errors in English', () => {
    const result = zodEnglish.z.object({ name: zodEnglish.z.string().min(2) }).safeParse({ name: 'x' })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toBe('Too small: expected string to have >=2 characters')
  })

  it('leaves no other locale in the API bundle', async () => {
    const { metafile } = await build({
      ...esbuildOptions('functions/api/handler.ts', '/dev/null/never-written'),
      write: false,
      metafile: true,
    })
    const bundled = Object.values(metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs).flatMap(([input, { bytesInOutput }]) =>
        bytesInOutput > 0 ? [input] : [],
      ),
    )
    // locales/index.js may add an empty namespace object; no other language's file is bundled.
    const locales = bundled.filter((input) => /\/locales\/(?!index\.js)[^/]+$/.test(input))
    expect(locales).toEqual(['node_modules/zod/v4/locales/en.js'])
    expect(ZOD_ALIAS.zod).toBe('./infra/zod-english/index.ts')
  }, 60_000)
})
