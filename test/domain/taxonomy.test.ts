import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { FEATURE_CODES, sortFeatureCodes, TAXONOMY } from '../../shared/catalogue/taxonomy'

/** Annex 1 of SecurIT D2.5 as extracted from the seed document (tab-separated: category, code, label). */
function annexOne() {
  const text = readFileSync(new URL('../fixtures/d2-5-annex-1.txt', import.meta.url), 'utf8')
  const rows: { category: string; code: string; label: string }[] = []
  let category = ''
  for (const line of text.split('\n')) {
    const cells = line.split('\t')
    if (cells.length !== 3) continue
    const [head, code, label] = cells as [string, string, string]
    if (head.trim()) category = head.trim()
    rows.push({ category, code: code.trim(), label: label.trim() })
  }
  return rows
}

describe('taxonomy', () => {
  it('is Annex 1 exactly: the same codes, labels and categories in the same order', () => {
    const annex = annexOne()
    expect(annex).toHaveLength(54)
    const ours = TAXONOMY.flatMap((category) =>
      category.features.map((feature) => ({
        category: category.label,
        code: feature.code,
        label: feature.label,
      })),
    )
    expect(ours).toEqual(annex)
  })

  it('has four categories with 15, 18, 7 and 14 features', () => {
    expect(TAXONOMY.map((category) => [category.id, category.features.length])).toEqual([
      ['techniques', 15],
      ['processes', 18],
      ['development', 7],
      ['general', 14],
    ])
    expect(new Set(FEATURE_CODES).size).toBe(54)
  })

  it('sorts codes into taxonomy order and drops duplicates and unknown codes', () => {
    expect(sortFeatureCodes(['G14', 'T10', 'P1', 'T2', 'T10', 'X1'])).toEqual(['T2', 'T10', 'P1', 'G14'])
  })
})
