import { type DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb'
import { type InstrumentRecord, toPublicInstrument } from '../shared/catalogue/instrument'
import { normaliseText, queryWords, tokenize } from '../shared/catalogue/search/normalise-text'
import { deadlineWindow } from '../shared/catalogue/search/search-instruments'
import type { SearchCriteria } from '../shared/catalogue/search/search-query'
import { PARTITIONS } from '../shared/platform/table'
import { brusselsDate } from '../shared/platform/time'

/**
 * The baseline the benchmark compares against, NOT part of the product: what a search costs
 * when every request Scans the table with a FilterExpression. DynamoDB filters the structured
 * criteria (after reading, and billing, every item: the 1 MB page limit applies before the
 * filter), and the rest (free text, deadline days, sorting, paging, facets) happens in memory on
 * what comes back, as a typical naive implementation would do.
 */
export async function naiveScanSearch(
  client: DynamoDBDocumentClient,
  tableName: string,
  criteria: SearchCriteria,
  now: Date,
): Promise<{ total: number; ids: string[] }> {
  const names: Record<string, string> = { '#pk': 'pk' }
  const values: Record<string, unknown> = { ':pk': PARTITIONS.catalogue, ':now': now.getTime() }
  const conditions = ['#pk = :pk', '(attribute_not_exists(expiresAt) OR expiresAt > :now)']
  const anyOf = (attribute: string, list: readonly string[] | undefined) => {
    if (!list) return
    names[`#${attribute}`] = attribute
    const placeholders = list.map((value, index) => {
      values[`:${attribute}${index}`] = value
      return `:${attribute}${index}`
    })
    conditions.push(`#${attribute} IN (${placeholders.join(', ')})`)
  }
  anyOf('origin', criteria.origin)
  anyOf('country', criteria.country)
  anyOf('kind', criteria.kind)
  if (criteria.features?.length) {
    const tests = criteria.features.map((code, index) => {
      values[`:f${index}`] = code
      return `contains(features, :f${index})`
    })
    conditions.push(`(${tests.join(criteria.match === 'all' ? ' AND ' : ' OR ')})`)
  }
  if (criteria.budgetMin !== undefined || criteria.budgetMax !== undefined) {
    values[':budgetMin'] = criteria.budgetMin ?? 0
    values[':budgetMax'] = criteria.budgetMax ?? 1e15
    conditions.push(
      '(attribute_exists(budget.#min) OR attribute_exists(budget.#max))',
      '(attribute_not_exists(budget.#min) OR budget.#min <= :budgetMax)',
      '(attribute_not_exists(budget.#max) OR budget.#max >= :budgetMin)',
    )
    names['#min'] = 'min'
    names['#max'] = 'max'
  }

  const items: InstrumentRecord[] = []
  let startKey: Record<string, unknown> | undefined
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
      }),
    )
    items.push(...((page.Items ?? []) as InstrumentRecord[]))
    startKey = page.LastEvaluatedKey
  } while (startKey)

  const words = criteria.q ? queryWords(criteria.q) : []
  const { from, to } = deadlineWindow(criteria, now)
  const hits = items.filter((record) => {
    if (from !== undefined || to !== undefined) {
      if (!record.deadline) return false
      const day =
        record.deadline.length === 10 ? record.deadline : brusselsDate(new Date(Date.parse(record.deadline)))
      if ((from && day < from) || (to && day > to)) return false
    }
    if (words.length === 0) return true
    const tokens = [record.name, record.description, record.funder ?? '', record.programme ?? ''].flatMap(
      tokenize,
    )
    return words.every((word) => tokens.some((token) => token.startsWith(word)))
  })
  const requested = new Set(criteria.features ?? [])
  const matched = (record: InstrumentRecord) => record.features.filter((code) => requested.has(code)).length
  const deadlineOf = (record: InstrumentRecord) => record.deadline ?? '9999'
  const byName = (a: InstrumentRecord, b: InstrumentRecord) =>
    normaliseText(a.name).localeCompare(normaliseText(b.name))
  const comparators: Record<SearchCriteria['sort'], (a: InstrumentRecord, b: InstrumentRecord) => number> = {
    relevance: (a, b) => matched(b) - matched(a) || deadlineOf(a).localeCompare(deadlineOf(b)),
    deadline: (a, b) => deadlineOf(a).localeCompare(deadlineOf(b)) || byName(a, b),
    name: byName,
    updated: (a, b) => b.updatedAt.localeCompare(a.updatedAt),
  }
  hits.sort(comparators[criteria.sort])
  const page = hits.slice((criteria.page - 1) * criteria.limit, criteria.page * criteria.limit)
  return { total: hits.length, ids: page.map((record) => toPublicInstrument(record, now).id) }
}
