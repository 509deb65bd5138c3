import { describe, expect, it } from 'vitest'
import {
  FLAT_INSTRUMENT_FIELDS,
  type FlatCells,
  flatFieldForPath,
  flatFieldOf,
  inputOf,
} from '../../shared/catalogue/flat-fields'
import { InstrumentInput } from '../../shared/catalogue/instrument'
import { instrumentInput } from '../support/factories'

function cellsOf(input: InstrumentInput): FlatCells {
  const cells: Record<string, unknown> = {}
  for (const field of FLAT_INSTRUMENT_FIELDS) {
    const value = flatFieldOf(input, field)
    if (value !== undefined) cells[field] = value
  }
  return cells as FlatCells
}

describe('flat fields: an instrument as the cells of a spreadsheet row or the admin form', () => {
  it('converts every field to cells and back without loss', () => {
    // A few fields at a time (and each shape of budget), so a failure points at the field.
    const overrides: Parameters<typeof instrumentInput>[0][] = [
      { externalId: 'be-win4-1' },
      { origin: 'regional', country: 'BE', region: 'Wallonia' },
      { programme: 'Win4', opensAt: '2026-12-01', deadline: '2027-02-28T17:00:00+01:00' },
      { periodicity: 'recurring', targetOrganisations: ['sme', 'research'] },
      { applicationDomains: ['health', 'energy & water'] },
      { budget: { min: 50_000, max: 250_000.5, currency: 'EUR' } },
      { origin: 'international', country: undefined, budget: { currency: 'DKK' } },
      { deadline: undefined, budget: { max: 0.0000001, currency: 'EUR' } },
    ]
    const inputs = overrides.map(instrumentInput)
    for (const input of inputs) {
      const { input: candidate, errors } = inputOf(cellsOf(input))
      expect(errors).toEqual([])
      expect(InstrumentInput.parse({ ...candidate, features: input.features })).toEqual(input)
    }
  })

  it('reads amounts as plain numbers and refuses separators it would have to guess', () => {
    for (const [raw, value] of [
      ['250000', 250_000],
      [' 99.50 ', 99.5],
      ['1e5', 100_000],
      ['-5', -5],
    ] as const) {
      expect(inputOf({ budgetMin: raw, budgetCurrency: 'EUR' }).input.budget).toEqual({
        min: value,
        currency: 'EUR',
      })
    }
    for (const raw of ['250,000', '2.500,50', 'lots', '']) {
      expect(inputOf({ budgetMax: raw }).errors).toEqual([
        { path: 'budgetMax', message: 'must be a number, such as 250000' },
      ])
    }
  })

  it('upper-cases codes, trims text but the description, and names validation paths by their cell', () => {
    const { input } = inputOf({
      country: ' dk ',
      budgetCurrency: 'eur',
      name: '  Call ',
      description: ' as is ',
    })
    expect(input).toEqual({
      country: 'DK',
      budget: { currency: 'EUR' },
      name: 'Call',
      description: ' as is ',
    })
    expect(
      ['budget.min', 'budget.max', 'budget.currency', 'budget', 'country', 'features.0', ''].map(
        flatFieldForPath,
      ),
    ).toEqual(['budgetMin', 'budgetMax', 'budgetCurrency', 'budgetMin', 'country', 'features', ''])
  })
})
