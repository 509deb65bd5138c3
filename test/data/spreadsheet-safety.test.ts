import { parse } from 'csv-parse/sync'
import { describe, expect, it } from 'vitest'
import { instrumentsToCsv } from '../../shared/catalogue/csv/instrument-csv'
import { toPublicInstrument } from '../../shared/catalogue/instrument'
import { CatalogueIndex } from '../../shared/catalogue/search/catalogue-index'
import { neutraliseCell, restoreCell } from '../../shared/platform/spreadsheet'
import { computePortfolioMatrix } from '../../shared/portfolio/portfolio-matrix'
import { portfolioMatrixCsv } from '../../shared/portfolio/portfolio-matrix-export'
import { instrumentInput, projectInput, storedRecord } from '../support/factories'

const NOW = new Date('2026-11-22T10:00:00.000Z')

/** Names a spreadsheet would run as formulas, and names that already look escaped. */
const AWKWARD_NAMES = [
  '=HYPERLINK("http://evil")',
  '+cmd|calc',
  '-2+3',
  '@SUM(A1:A9)',
  "'=already escaped",
  "''+escaped twice",
  "'plain apostrophe",
  'Plain name',
]

describe('spreadsheet safety: every export neutralises cells by the same rule', () => {
  it('the portfolio matrix CSV writes each name exactly as the instrument export does, and both restore', () => {
    const instruments = AWKWARD_NAMES.map((name) => storedRecord(instrumentInput({ name, features: ['T1'] })))
    const projects = AWKWARD_NAMES.map((name) => storedRecord(projectInput({ name, features: ['T1'] })))

    const exported = parse(instrumentsToCsv(instruments.map((record) => toPublicInstrument(record, NOW))), {
      bom: true,
    }) as string[][]
    const exportHeader = exported[0] as string[]
    const exportedName = (id: string) =>
      exported.find((row) => row[exportHeader.indexOf('id')] === id)?.[exportHeader.indexOf('name')]

    const matrix = computePortfolioMatrix(CatalogueIndex.build(instruments), projects, { top: 20 }, NOW)
    const matrixRows = parse(portfolioMatrixCsv(matrix)) as string[][]
    const matrixHeader = matrixRows[0] as string[]
    expect(matrix.columns).toHaveLength(AWKWARD_NAMES.length)

    AWKWARD_NAMES.forEach((name, index) => {
      const projectCell = matrixRows.find((row) => row[1] === projects[index]?.id)?.[0]
      const instrumentCell = exportedName(instruments[index]?.id as string)
      expect(projectCell, name).toBe(instrumentCell)
      expect(projectCell, name).toBe(neutraliseCell(name))
      expect(restoreCell(projectCell as string), name).toBe(name)
      expect(projectCell, name).not.toMatch(/^[=+\-@\t\r]/)
      const column = `${name} [${instruments[index]?.id}]`
      expect(matrixHeader).toContain(neutraliseCell(column))
    })
    // The case the two exports used to disagree on: an apostrophe before a formula character.
    expect(neutraliseCell("'=already escaped")).toBe("''=already escaped")
  })
})
