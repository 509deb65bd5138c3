import { stringify } from 'csv-stringify/sync'
import { FEATURE_CODES } from '../../shared/catalogue/taxonomy'

/**
 * A spreadsheet of `rows` instruments in the import's row layout (externalId, fields, one `Y`
 * column per feature), as a cluster would keep its catalogue: for the 5,000-row import test and
 * `npm run bench:import`. Each row has an externalId, so a re-import matches instead of duplicating.
 */
export function syntheticSpreadsheet(rows: number): string {
  const header = [
    'externalId',
    'name',
    'description',
    'kind',
    'origin',
    'country',
    'url',
    'deadline',
    ...FEATURE_CODES,
  ]
  const records = Array.from({ length: rows }, (_, index) => [
    `bulk-${index}`,
    `Bulk call ${index}`,
    `Support for SMEs developing security technology, batch ${index}. `.repeat(3).trim(),
    'call',
    'national',
    ['DK', 'NO', 'SE', 'FI', 'BE'][index % 5] as string,
    `https://funding.example.eu/calls/${index}`,
    `2027-0${(index % 9) + 1}-15`,
    ...FEATURE_CODES.map((_, code) => (code % 7 === index % 7 ? 'Y' : '')),
  ])
  return stringify([header, ...records], { record_delimiter: 'windows' })
}
