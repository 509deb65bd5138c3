import { CutOff, type InstrumentInput } from './instrument'

/**
 * An instrument's input as flat cells, the budget split in three: the columns of the spreadsheet
 * layout (`csv/instrument-csv.ts`) and the fields of the admin form (`functions/web/lib/instrument-form.ts`).
 * Features are not among them: the spreadsheet gives each its own column, the form its own checkbox.
 * Both convert through `flatFieldOf` and `inputOf`, so a field reads and writes the same way in both.
 */
export const FLAT_INSTRUMENT_FIELDS = [
  'externalId',
  'name',
  'description',
  'kind',
  'origin',
  'country',
  'region',
  'funder',
  'programme',
  'url',
  'opensAt',
  'deadline',
  'cutOffs',
  'periodicity',
  'budgetMin',
  'budgetMax',
  'budgetCurrency',
  'targetOrganisations',
  'applicationDomains',
] as const

export type FlatField = (typeof FLAT_INSTRUMENT_FIELDS)[number]

/** The fields that hold a list: a spreadsheet cell separates the items with `;`, the form by line or checkbox. */
export const FLAT_LIST_FIELDS = ['cutOffs', 'targetOrganisations', 'applicationDomains'] as const
export type FlatListField = (typeof FLAT_LIST_FIELDS)[number]
export type FlatTextField = Exclude<FlatField, FlatListField>

export const FLAT_TEXT_FIELDS = FLAT_INSTRUMENT_FIELDS.filter(
  (field): field is FlatTextField => !(FLAT_LIST_FIELDS as readonly string[]).includes(field),
)

export function isFlatListField(field: FlatField): field is FlatListField {
  return (FLAT_LIST_FIELDS as readonly string[]).includes(field)
}

/** An instrument as flat cells: text per field, a list's items; a cell that is not there is a field that is absent. */
export type FlatCells = { [F in FlatTextField]?: string } & { [F in FlatListField]?: readonly string[] }

/** A cell that cannot become its field's value (the schema is not asked about it). */
export interface CellError {
  path: FlatField
  message: string
}

/** The value of one flat field of an instrument; undefined when the instrument has none. */
export function flatFieldOf(instrument: Partial<InstrumentInput>, field: FlatListField): string[] | undefined
export function flatFieldOf(instrument: Partial<InstrumentInput>, field: FlatTextField): string | undefined
export function flatFieldOf(
  instrument: Partial<InstrumentInput>,
  field: FlatField,
): string | string[] | undefined
export function flatFieldOf(
  instrument: Partial<InstrumentInput>,
  field: FlatField,
): string | string[] | undefined {
  switch (field) {
    case 'budgetMin':
      return instrument.budget?.min?.toString()
    case 'budgetMax':
      return instrument.budget?.max?.toString()
    case 'budgetCurrency':
      return instrument.budget?.currency
    case 'cutOffs':
    case 'targetOrganisations':
    case 'applicationDomains': {
      const list = instrument[field]
      return list === undefined ? undefined : [...list]
    }
    default: {
      const value = instrument[field]
      return value === undefined ? undefined : String(value)
    }
  }
}

/**
 * The HTML "valid floating-point number" (what a number input sends, and what `String(number)`
 * writes). Thousands separators are refused rather than guessed: `2,500` is 2.5 in half of Europe.
 */
const AMOUNT = /^-?(\d+(\.\d+)?|\.\d+)([eE][-+]?\d+)?$/

/**
 * Flat cells as an InstrumentInput-shaped object, not yet validated (the schema does that): text
 * trimmed (the description is kept as written; the schema trims it), country and currency in upper
 * case, amounts as numbers, the budget present when any of its three cells is. An amount that is
 * not a number, or a cut-off that is not a date-time with its offset, is a `CellError` and its
 * field is left out (so the schema does not report it a second time in its own words).
 */
export function inputOf(cells: FlatCells): { input: Record<string, unknown>; errors: CellError[] } {
  const input: Record<string, unknown> = {}
  const errors: CellError[] = []
  const budget: Record<string, unknown> = {}
  for (const field of FLAT_INSTRUMENT_FIELDS) {
    const value = cells[field]
    if (value === undefined) continue
    if (typeof value !== 'string') {
      const items = value.map((item) => item.trim()).filter(Boolean)
      if (field === 'cutOffs') {
        // A cell or box of separators only holds no cut-off: the field is absent, not an empty list.
        if (items.length === 0) continue
        const wrong = items.find((item) => !CutOff.safeParse(item).success)
        if (wrong !== undefined) {
          errors.push({
            path: field,
            message: `'${wrong}' is not a date-time with its offset: write each cut-off like 2027-04-15T17:00:00+02:00`,
          })
          continue
        }
      }
      input[field] = items
      continue
    }
    switch (field) {
      case 'budgetMin':
      case 'budgetMax': {
        const key = field === 'budgetMin' ? 'min' : 'max'
        if (AMOUNT.test(value.trim())) budget[key] = Number(value)
        else errors.push({ path: field, message: 'must be a number, such as 250000' })
        break
      }
      case 'budgetCurrency':
        budget.currency = value.trim().toUpperCase()
        break
      case 'country':
        input.country = value.trim().toUpperCase()
        break
      case 'description':
        input.description = value
        break
      default:
        input[field] = value.trim()
    }
  }
  const hasBudget = cells.budgetMin !== undefined || cells.budgetMax !== undefined || 'currency' in budget
  if (hasBudget) input.budget = budget
  return { input, errors }
}

/** The flat field a validation path of the input belongs to (`budget.max` -> `budgetMax`); else the path's head. */
export function flatFieldForPath(path: string): string {
  const [head, next] = path.split('.')
  if (head === 'budget') {
    if (next === 'max') return 'budgetMax'
    if (next === 'currency') return 'budgetCurrency'
    return 'budgetMin'
  }
  return head ?? path
}
