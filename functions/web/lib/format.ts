import { countryName } from '../../../shared/catalogue/countries'
import type { InstrumentRecord } from '../../../shared/catalogue/instrument'
import { FEATURE_LABELS, TAXONOMY } from '../../../shared/catalogue/taxonomy'
import {
  brusselsDate,
  brusselsFormatter,
  DAY_IN_WORDS,
  deadlineExpiresAt,
  formatCalendarDate,
  isDateOnly,
  TIME_OF_DAY,
} from '../../../shared/platform/time'

const DAY_MS = 86_400_000

/** "31 March 2027", or with the time for a date-time deadline ("31 March 2027 at 17:00 CEST"). */
export function formatDeadline(deadline: string): string {
  if (isDateOnly(deadline)) return formatCalendarDate(deadline)
  return brusselsFormatter({ ...DAY_IN_WORDS, ...TIME_OF_DAY }).format(new Date(deadline))
}

/** The date of a date or a timestamp, in words. */
export function formatDate(date: string): string {
  return formatCalendarDate(date.slice(0, 10))
}

/** Whole Brussels calendar days from today until the day of an instant (0 = today). */
export function daysUntil(instant: number, now: Date): number {
  const today = Date.parse(`${brusselsDate(now)}T00:00:00Z`)
  const closingDay = Date.parse(`${brusselsDate(new Date(instant))}T00:00:00Z`)
  return Math.round((closingDay - today) / DAY_MS)
}

/** Whole Brussels calendar days from today until the deadline's day (0 = closes today). */
export function daysUntilDeadline(deadline: string, now: Date): number {
  return daysUntil(deadlineExpiresAt(deadline) - 1, now)
}

/** "closes today", "closes tomorrow", "closes in 12 days". */
export function closesInDays(days: number): string {
  if (days <= 0) return 'closes today'
  if (days === 1) return 'closes tomorrow'
  return `closes in ${days} days`
}

/** Deadlines within this many days are highlighted. */
export const CLOSING_SOON_DAYS = 30

export function featureLabel(code: string): string {
  return FEATURE_LABELS.get(code) ?? code
}

/** The instrument's feature codes grouped under the taxonomy's categories (empty categories left out). */
export function featuresByCategory(codes: readonly string[]) {
  const wanted = new Set(codes)
  return TAXONOMY.map((category) => ({
    id: category.id,
    label: category.label,
    features: category.features.filter((feature) => wanted.has(feature.code)),
  })).filter((category) => category.features.length > 0)
}

export function whereLabel(instrument: Pick<InstrumentRecord, 'origin' | 'country' | 'region'>): string {
  if (instrument.origin === 'international' || !instrument.country) return 'International'
  const country = countryName(instrument.country)
  return instrument.region ? `${instrument.region}, ${country}` : country
}

export function formatBudget(budget: NonNullable<InstrumentRecord['budget']>): string {
  const money = new Intl.NumberFormat('en-GB', {
    style: 'currency',
    currency: budget.currency,
    maximumFractionDigits: 0,
  })
  if (budget.min !== undefined && budget.max !== undefined) {
    return budget.min === budget.max
      ? money.format(budget.max)
      : `${money.format(budget.min)} to ${money.format(budget.max)}`
  }
  if (budget.max !== undefined) return `up to ${money.format(budget.max)}`
  if (budget.min !== undefined) return `from ${money.format(budget.min)}`
  return `amount not stated (${budget.currency})`
}

const ORGANISATION_LABELS: Record<string, string> = {
  sme: 'SMEs',
  startup: 'Start-ups',
  'large-enterprise': 'Large enterprises',
  research: 'Research organisations',
  'public-body': 'Public bodies',
  ngo: 'NGOs',
  cluster: 'Clusters',
}

export function organisationLabel(value: string): string {
  return ORGANISATION_LABELS[value] ?? value
}

export function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1)
}

/** Countries sorted by their English name, for selects that show names rather than codes. */
export function countriesByName(codes: Iterable<string>): { code: string; name: string }[] {
  return [...new Set(codes)]
    .map((code) => ({ code, name: countryName(code) }))
    .sort((a, b) => a.name.localeCompare(b.name, 'en'))
}
