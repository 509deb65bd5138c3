import { describe, expect, it } from 'vitest'
import { fieldErrors } from '../../functions/api/lib/problem'
import { BusinessRuleViolation } from '../../shared/catalogue/errors'
import { assertDeadlineNotPast, InstrumentInput, instrumentStatus } from '../../shared/catalogue/instrument'
import { instrumentBody } from '../support/factories'

function errorsOf(body: unknown) {
  const result = InstrumentInput.safeParse(body)
  return result.success ? [] : fieldErrors(result.error.issues)
}

describe('InstrumentInput', () => {
  it('accepts a complete instrument and normalises it', () => {
    const parsed = InstrumentInput.parse(
      instrumentBody({
        name: '  Padded name  ',
        features: ['P12', 'T1', 'G14'],
        budget: { min: 10_000, max: 50_000, currency: 'EUR' },
        targetOrganisations: ['sme', 'startup'],
        applicationDomains: ['space'],
        periodicity: 'recurring',
        opensAt: '2026-12-01',
        deadline: '2027-03-31T17:00:00+01:00',
      }),
    )
    expect(parsed.name).toBe('Padded name')
    expect(parsed.features).toEqual(['T1', 'P12', 'G14'])
  })

  it.each([
    ['empty name', { name: '   ' }, 'name'],
    ['name over 300 characters', { name: 'x'.repeat(301) }, 'name'],
    ['description over 5000 characters', { description: 'x'.repeat(5001) }, 'description'],
    ['unknown kind', { kind: 'grant' }, 'kind'],
    ['unknown origin', { origin: 'local' }, 'origin'],
    ['lower-case country', { country: 'dk' }, 'country'],
    ['unknown country', { country: 'XX' }, 'country'],
    ['national without country', { origin: 'national', country: undefined }, 'country'],
    ['regional without country', { origin: 'regional', country: undefined, region: 'Flanders' }, 'country'],
    ['international with country', { origin: 'international', country: 'DK' }, 'country'],
    ['region outside regional origin', { region: 'Flanders' }, 'region'],
    ['relative url', { url: '/funding' }, 'url'],
    ['ftp url', { url: 'ftp://example.org/x' }, 'url'],
    ['javascript url', { url: 'javascript:alert(1)' }, 'url'],
    ['impossible date', { deadline: '2027-02-30' }, 'deadline'],
    ['date-time without offset', { deadline: '2027-02-03T10:00:00' }, 'deadline'],
    ['opensAt after deadline', { opensAt: '2027-05-01', deadline: '2027-04-01' }, 'opensAt'],
    ['min over max', { budget: { min: 10, max: 5, currency: 'EUR' } }, 'budget.min'],
    ['negative budget', { budget: { min: -1, currency: 'EUR' } }, 'budget.min'],
    ['unknown currency', { budget: { max: 5, currency: 'EURO' } }, 'budget.currency'],
    ['unknown budget field', { budget: { max: 5, currency: 'EUR', total: 9 } }, 'budget.total'],
    ['no features', { features: [] }, 'features'],
    ['unknown feature code', { features: ['T1', 'T16'] }, 'features.1'],
    ['duplicate features', { features: ['T1', 'T1'] }, 'features'],
    ['unknown target organisation', { targetOrganisations: ['citizen'] }, 'targetOrganisations.0'],
    ['unknown periodicity', { periodicity: 'weekly' }, 'periodicity'],
    ['bad externalId', { externalId: 'has spaces' }, 'externalId'],
    ['server-owned field', { version: 3 }, 'version'],
    ['unknown field', { colour: 'blue' }, 'colour'],
  ])('rejects %s', (_, overrides, path) => {
    const body = { ...instrumentBody(), ...overrides } as Record<string, unknown>
    for (const [key, value] of Object.entries(overrides)) if (value === undefined) delete body[key]
    expect(errorsOf(body).map((error) => error.path)).toContain(path)
  })
})

describe('deadline rules', () => {
  it('refuses a deadline that has already passed, to the millisecond (end of day, Brussels)', () => {
    const lastMoment = new Date('2026-11-22T22:59:59.999Z') // 23:59:59.999 CET
    expect(() => assertDeadlineNotPast({ deadline: '2026-11-22' }, lastMoment)).not.toThrow()
    expect(() =>
      assertDeadlineNotPast({ deadline: '2026-11-22' }, new Date(lastMoment.getTime() + 1)),
    ).toThrow(BusinessRuleViolation)
    expect(() => assertDeadlineNotPast({}, lastMoment)).not.toThrow()
  })

  it('derives the status: forthcoming before opensAt (Brussels), open, expired after the deadline', () => {
    const instrument = { opensAt: '2027-01-10', deadline: '2027-02-01T12:00:00Z' }
    expect(instrumentStatus(instrument, new Date('2027-01-09T22:59:59.999Z'))).toBe('forthcoming')
    expect(instrumentStatus(instrument, new Date('2027-01-09T23:00:00.000Z'))).toBe('open')
    expect(instrumentStatus(instrument, new Date('2027-02-01T12:00:00.000Z'))).toBe('open')
    expect(instrumentStatus(instrument, new Date('2027-02-01T12:00:00.001Z'))).toBe('expired')
    expect(instrumentStatus({}, new Date('2100-01-01T00:00:00Z'))).toBe('open')
  })
})
