import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeCsv,
  ImportFileError,
  instrumentsToCsv,
  parseInstrumentCsv,
} from '../../shared/catalogue/csv/instrument-csv'
import { type Instrument, InstrumentInput } from '../../shared/catalogue/instrument'
import { FEATURE_CODES } from '../../shared/catalogue/taxonomy'
import { neutraliseCell, restoreCell } from '../../shared/platform/spreadsheet'

const FORMULA_CHARS = ['=', '+', '-', '@', '\t', '\r', "'"]

/** Strings that like to start with formula characters and apostrophes. */
const awkwardText = fc
  .tuple(fc.array(fc.constantFrom(...FORMULA_CHARS), { maxLength: 4 }), fc.string({ maxLength: 30 }))
  .map(([prefix, rest]) => prefix.join('') + rest)

describe('formula neutralising', () => {
  it('is exactly reversible and leaves no cell a spreadsheet would evaluate', () => {
    fc.assert(
      fc.property(fc.oneof(awkwardText, fc.string()), (value) => {
        const cell = neutraliseCell(value)
        expect(restoreCell(cell)).toBe(value)
        expect(cell).not.toMatch(/^[=+\-@\t\r]/)
      }),
      { numRuns: 2000 },
    )
  })
})

const instrumentArbitrary = fc
  .record({
    name: awkwardText.map((text) => `${text.trim() || 'x'}`.slice(0, 300)),
    description: fc.oneof(awkwardText, fc.string({ maxLength: 200 })),
    funder: fc.option(awkwardText, { nil: undefined }),
    features: fc.uniqueArray(fc.constantFrom(...FEATURE_CODES), { minLength: 1, maxLength: 54 }),
    deadline: fc.option(fc.constantFrom('2027-01-31', '2027-06-30T12:00:00+02:00', '2028-02-29'), {
      nil: undefined,
    }),
    // A multiple cut-off call: its deadline is the last cut-off.
    cutOffs: fc.option(
      fc.constantFrom(
        ['2027-01-31T17:00:00.000+01:00', '2027-06-30T12:00:00+02:00'],
        ['2026-12-15T17:00:00Z', '2027-03-01T23:59:59.999+01:00', '2028-02-29T17:00:00+01:00'],
      ),
      { nil: undefined },
    ),
    budget: fc.option(
      fc.record({ min: fc.integer({ min: 0, max: 1000 }), max: fc.integer({ min: 1000, max: 1e9 }) }),
      { nil: undefined },
    ),
    applicationDomains: fc.option(
      fc.uniqueArray(
        fc
          .string({ minLength: 1, maxLength: 20 })
          .filter((text) => !text.includes(';') && text.trim() === text && text !== ''),
        { maxLength: 3 },
      ),
      { nil: undefined },
    ),
  })
  .map((fields) => {
    const candidate = {
      name: fields.name,
      description: fields.description,
      kind: 'call',
      origin: 'international',
      url: 'https://example.eu/call',
      features: fields.features,
      ...(fields.funder?.trim() ? { funder: fields.funder } : {}),
      ...(fields.deadline ? { deadline: fields.deadline } : {}),
      ...(fields.cutOffs ? { cutOffs: fields.cutOffs, deadline: fields.cutOffs.at(-1) } : {}),
      ...(fields.budget ? { budget: { ...fields.budget, currency: 'EUR' } } : {}),
      ...(fields.applicationDomains?.length ? { applicationDomains: fields.applicationDomains } : {}),
    }
    return InstrumentInput.safeParse(candidate)
  })
  .filter((result) => result.success)
  .map((result) => result.data as InstrumentInput)

describe('export then parse', () => {
  it('gives back the same instrument inputs, whatever the text holds', () => {
    fc.assert(
      fc.property(fc.array(instrumentArbitrary, { minLength: 1, maxLength: 5 }), (inputs) => {
        const instruments: Instrument[] = inputs.map((input, index) => ({
          ...input,
          id: `id-${index}`,
          version: 1,
          status: 'open',
          createdAt: '2026-01-01T00:00:00.000Z',
          updatedAt: '2026-01-01T00:00:00.000Z',
          createdBy: 'a',
          updatedBy: 'a',
        }))
        const parsed = parseInstrumentCsv(new Uint8Array(Buffer.from(instrumentsToCsv(instruments))))
        expect(parsed.layout).toBe('rows')
        const back = parsed.records.map((record) => {
          expect(record.errors).toEqual([])
          return InstrumentInput.parse(record.input)
        })
        expect(back).toEqual(inputs)
        expect(parsed.records.map((record) => record.id)).toEqual(
          instruments.map((instrument) => instrument.id),
        )
      }),
      { numRuns: 150 },
    )
  })
})

describe('reading files', () => {
  it('refuses bytes that are not UTF-8 and UTF-16 without a BOM', () => {
    expect(() => decodeCsv(new Uint8Array([0x6e, 0x61, 0x6d, 0x65, 0xe9]))).toThrow(ImportFileError)
    expect(() => decodeCsv(new Uint8Array(Buffer.from('name,kind', 'utf16le')))).toThrow(/NUL/)
    expect(decodeCsv(new Uint8Array([0xef, 0xbb, 0xbf, 0x61]))).toBe('a')
  })

  it('does not mistake a row-layout file that starts with name for the matrix layout', () => {
    const parsed = parseInstrumentCsv('name,kind,origin,url,T1\r\nA,call,international,https://a.eu,Y\r\n')
    expect(parsed.layout).toBe('rows')
    expect(parsed.records[0]?.input).toMatchObject({ name: 'A', features: ['T1'] })
  })

  it('skips rows a spreadsheet leaves empty (only commas) and reports a matrix row label it does not know', () => {
    const parsed = parseInstrumentCsv(
      'name,kind,origin,url,T1\r\n,,,,\r\nA,call,international,https://a.eu,Y\r\n',
    )
    expect(parsed.records).toHaveLength(1)
    expect(parsed.records[0]?.position).toEqual({ row: 3 })
    expect(() => parseInstrumentCsv('Name of the instrument,,A\r\nColour,,red\r\n,T1 AI (ML),Y\r\n')).toThrow(
      /row label/,
    )
  })
})
