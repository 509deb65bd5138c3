import { App } from 'aws-cdk-lib'
import { Template } from 'aws-cdk-lib/assertions'
import { describe, expect, it } from 'vitest'
import { buildApp } from '../../infra/app'
import { INDEXES, INDEXES_ADDED_LATER } from '../../shared/platform/table'
import { cdkContext } from './synth'

/** The table's index names as the template declares them. */
function indexNames(context: Record<string, unknown>): string[] {
  const { stack } = buildApp(new App({ context: { ...cdkContext('prod'), ...context } }))
  const tables = Object.values(Template.fromStack(stack).findResources('AWS::DynamoDB::GlobalTable'))
  expect(tables).toHaveLength(1)
  const table = tables[0] as { Properties: { GlobalSecondaryIndexes: { IndexName: string }[] } }
  return table.Properties.GlobalSecondaryIndexes.map((index) => index.IndexName).sort()
}

describe('upgrading an existing table one index per deployment', () => {
  const original = Object.keys(INDEXES).filter(
    (name) => !(INDEXES_ADDED_LATER as readonly string[]).includes(name),
  )

  it('declares every index by default (a new stack creates them in one deployment)', () => {
    expect(indexNames({})).toEqual(Object.keys(INDEXES).sort())
  })

  it('adds the later indexes one at a time with -c maxNewIndexes', () => {
    for (let count = 0; count <= INDEXES_ADDED_LATER.length; count++) {
      expect(indexNames({ maxNewIndexes: String(count) }), String(count)).toEqual(
        [...original, ...INDEXES_ADDED_LATER.slice(0, count)].sort(),
      )
    }
  })

  it('refuses a setting that is not a count of those indexes', () => {
    for (const value of ['-1', 'two', String(INDEXES_ADDED_LATER.length + 1), '1.5']) {
      expect(() => indexNames({ maxNewIndexes: value }), value).toThrow(/maxNewIndexes/)
    }
  })
})
