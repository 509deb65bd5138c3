import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { gunzipSync, gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'
import { POINTER_FORMAT, sha256Of } from '../../shared/catalogue/snapshot/snapshot-format'
import { S3SnapshotStore, SNAPSHOT_KEYS } from '../../shared/catalogue/snapshot/snapshot-store'
import { failingPuts, snapshotContext } from './support'

/**
 * The catalogue snapshot against s3rver and DynamoDB Local: published from the previous snapshot
 * and the change log, loaded by cold instances in a handful of DynamoDB requests, and never served
 * when it is missing, corrupt, of another table or too far behind.
 */

describe('a cold start from the snapshot', () => {
  it('with no snapshot yet loads the whole table, and says so once', async () => {
    const s = await snapshotContext()
    await s.create({ name: 'Alpha' })
    const { catalogue } = s.coldInstance()
    expect(await s.everything(catalogue)).toEqual(await s.truth())
    expect(catalogue.stats()).toMatchObject({ fullLoads: 1, snapshotLoads: 0 })
    expect(s.ignored()).toHaveLength(1)
    expect(s.ignored()[0]?.fields.reason).toBe('there is no snapshot yet')

    // Reloads of the same instance (a change log too long to replay) do not repeat the warning.
    const small = s.coldInstance({ fullReloadAfterChanges: 1 })
    await s.everything(small.catalogue)
    await s.create({ name: 'Beta' })
    await s.create({ name: 'Gamma' })
    expect(await s.everything(small.catalogue)).toEqual(await s.truth())
    expect(small.catalogue.stats()).toMatchObject({ fullLoads: 2 })
    expect(s.ignored()).toHaveLength(2)
  })

  it('loads a current snapshot with two DynamoDB requests and answers as a full load does', async () => {
    const s = await snapshotContext()
    for (const name of ['Alpha', 'Beta', 'Gamma']) await s.create({ name })
    expect(await s.publish()).toMatchObject({ published: true, basis: 'table', version: 3, records: 3 })

    const { catalogue, requests } = s.coldInstance()
    expect(await s.everything(catalogue)).toEqual(await s.truth())
    expect(catalogue.stats()).toMatchObject({ version: 3, snapshotLoads: 1, fullLoads: 0, size: 3 })
    // The version item, then the change log from the snapshot's version (nothing after it).
    expect(requests).toEqual(['GetItemCommand', 'QueryCommand'])
    expect(s.ignored()).toEqual([])
  })

  it('replays what changed since an older snapshot, in at most 5 DynamoDB requests', async () => {
    const s = await snapshotContext()
    const alpha = await s.create({ name: 'Alpha' })
    const beta = await s.create({ name: 'Beta' })
    await s.create({ name: 'Gamma' })
    await s.publish()
    await s.rename(alpha, 'Alpha renamed')
    await s.remove(beta)
    await s.create({ name: 'Delta' })

    const { catalogue, requests } = s.coldInstance()
    const names = (await s.everything(catalogue)).map((item) => item.name)
    expect(names).toEqual(['Alpha renamed', 'Delta', 'Gamma'])
    expect(await s.everything(catalogue)).toEqual(await s.truth())
    expect(catalogue.stats()).toMatchObject({ version: 6, snapshotLoads: 1, fullLoads: 0 })
    expect(requests.slice(0, 3)).toEqual(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand'])
    expect(requests.length).toBeLessThanOrEqual(5)
  })

  it('falls back to a full load when the change log since the snapshot is too long to replay', async () => {
    const s = await snapshotContext()
    await s.create({ name: 'Alpha' })
    await s.publish()
    for (const name of ['Beta', 'Gamma', 'Delta']) await s.create({ name })
    const { catalogue } = s.coldInstance({ maxSnapshotReplay: 2 })
    expect(await s.everything(catalogue)).toEqual(await s.truth())
    expect(catalogue.stats()).toMatchObject({ fullLoads: 1, snapshotLoads: 0 })
    expect(s.ignored()[0]?.fields.reason).toBe('more than 2 changes behind the table')
  })

  it('ignores a snapshot from "the future": another table at a later version', async () => {
    const s = await snapshotContext()
    for (const name of ['Alpha', 'Beta', 'Gamma']) await s.create({ name })
    await s.publish()
    // A second table (recreated, or restored to an earlier point) that shares the bucket.
    const other = await snapshotContext()
    await other.create({ name: 'Only in the other table' })
    const store = new S3SnapshotStore(s.s3(), s.bucket)
    const cold = other.coldInstance({ snapshots: store })
    const names = (await other.everything(cold.catalogue)).map((item) => item.name)
    expect(names).toEqual(['Only in the other table'])
    expect(cold.catalogue.stats()).toMatchObject({ fullLoads: 1, snapshotLoads: 0 })
    expect(other.ignored()[0]?.fields.reason).toMatch(/ahead of the table's 1/)
  })

  it("ignores another table's snapshot even at a version this table has reached", async () => {
    const s = await snapshotContext()
    await s.create({ name: 'Alpha' })
    await s.publish()
    const other = await snapshotContext()
    for (const name of ['Beta', 'Gamma']) await other.create({ name })
    const cold = other.coldInstance({ snapshots: new S3SnapshotStore(s.s3(), s.bucket) })
    expect((await other.everything(cold.catalogue)).map((item) => item.name)).toEqual(['Beta', 'Gamma'])
    expect(other.ignored()[0]?.fields.reason).toMatch(/change log at version 1 is not the one/)
  })
})

describe('the index parts a snapshot carries', () => {
  it('are used when they fit, and rebuilt from the records when they were computed another way', async () => {
    const s = await snapshotContext()
    for (const name of ['Société Alpha', 'Beta', 'Gamma']) await s.create({ name })
    await s.publish()
    const pointer = await s.pointer()
    const [headerLine, ...recordLines] = gunzipSync(await s.getObject(pointer.key))
      .toString('utf8')
      .split('\n')
    const header = JSON.parse(headerLine as string)
    expect(header).toMatchObject({ count: 3, index: { format: 'fundfinder-index/3' } })
    expect(header.index.vocabulary).toEqual(expect.arrayContaining(['societe', 'alpha']))
    // One record per line, ASCII only.
    expect(recordLines.map((line) => JSON.parse(line).name)).toEqual(
      expect.arrayContaining(['Société Alpha']),
    )
    expect(recordLines.join('\n')).toMatch(/^[\x20-\x7e\n]*$/)

    const first = s.coldInstance()
    expect(await s.everything(first.catalogue)).toEqual(await s.truth())
    expect(s.logger.lines.filter((line) => line.message.includes('index not used'))).toEqual([])

    const body = gzipSync(
      [
        JSON.stringify({ ...header, index: { ...header.index, format: 'fundfinder-index/0' } }),
        ...recordLines,
      ].join('\n'),
    )
    await s.putObject(pointer.key, body)
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({ ...pointer, bytes: body.length, sha256: sha256Of(body) }),
    )
    const second = s.coldInstance()
    expect(await s.everything(second.catalogue)).toEqual(await s.truth())
    expect(second.catalogue.stats()).toMatchObject({ snapshotLoads: 1, fullLoads: 0 })
    expect(s.logger.lines.filter((line) => line.message.includes('index not used'))).toMatchObject([
      { level: 'warn', fields: { reason: expect.stringMatching(/computed as fundfinder-index\/0/) } },
    ])
  })
})

describe('a corrupt snapshot is never served', () => {
  async function published() {
    const s = await snapshotContext()
    for (const name of ['Alpha', 'Beta']) await s.create({ name })
    await s.publish()
    return { s, pointer: await s.pointer() }
  }

  async function expectIgnored(s: Awaited<ReturnType<typeof snapshotContext>>, reason: RegExp) {
    const { catalogue } = s.coldInstance()
    expect(await s.everything(catalogue)).toEqual(await s.truth())
    expect(catalogue.stats()).toMatchObject({ fullLoads: 1, snapshotLoads: 0 })
    expect(s.ignored()).toHaveLength(1)
    expect(s.ignored()[0]?.fields.reason).toMatch(reason)
  }

  it('truncated', async () => {
    const { s, pointer } = await published()
    const body = await s.getObject(pointer.key)
    await s.putObject(pointer.key, body.subarray(0, body.length - 20))
    await expectIgnored(s, /truncated/)
  })

  it('with a checksum that does not match', async () => {
    const { s, pointer } = await published()
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({ ...pointer, sha256: sha256Of(Buffer.from('x')) }),
    )
    await expectIgnored(s, /checksum/)
  })

  it('of an unknown format, even with a matching checksum', async () => {
    const { s, pointer } = await published()
    const body = gzipSync(
      JSON.stringify({ format: 'fundfinder-catalogue-snapshot/99', version: pointer.version, count: 0 }),
    )
    await s.putObject(pointer.key, body)
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({ ...pointer, bytes: body.length, sha256: sha256Of(body) }),
    )
    await expectIgnored(s, /unknown format "fundfinder-catalogue-snapshot\/99"/)
  })

  it('whose pointer is of an unknown format', async () => {
    const { s, pointer } = await published()
    await s.putObject(SNAPSHOT_KEYS.pointer, JSON.stringify({ ...pointer, format: 'something-else/1' }))
    await expectIgnored(s, /pointer has an unknown format/)
  })

  it('with fewer records than its header says', async () => {
    const { s, pointer } = await published()
    const lines = gunzipSync(await s.getObject(pointer.key))
      .toString('utf8')
      .split('\n')
    const body = gzipSync(lines.slice(0, -1).join('\n'))
    await s.putObject(pointer.key, body)
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({ ...pointer, bytes: body.length, sha256: sha256Of(body) }),
    )
    await expectIgnored(s, /1 records, the header says 2/)
  })

  it('not gzip at all', async () => {
    const { s, pointer } = await published()
    const body = Buffer.from('{"format":"fundfinder-catalogue-snapshot/1"}')
    await s.putObject(pointer.key, body)
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({
        format: POINTER_FORMAT,
        key: pointer.key,
        version: pointer.version,
        bytes: body.length,
        sha256: sha256Of(body),
      }),
    )
    await expectIgnored(s, /not a gzip stream/)
  })

  it('whose object is gone', async () => {
    const { s, pointer } = await published()
    await s.putObject(
      SNAPSHOT_KEYS.pointer,
      JSON.stringify({ ...pointer, key: `${SNAPSHOT_KEYS.prefix}gone.json.gz` }),
    )
    await expectIgnored(s, /missing/)
  })
})

describe('publishing', () => {
  it('builds the next snapshot from the previous one and the change log, and skips an unchanged catalogue', async () => {
    const s = await snapshotContext()
    const alpha = await s.create({ name: 'Alpha' })
    expect(await s.publish()).toMatchObject({ basis: 'table', version: 1 })
    expect(await s.publish()).toMatchObject({ published: false, basis: 'unchanged', version: 1 })
    await s.rename(alpha, 'Alpha renamed')
    await s.create({ name: 'Beta' })
    const second = await s.publish()
    expect(second).toMatchObject({ published: true, basis: 'previous-snapshot', version: 3, records: 2 })
    expect((await s.pointer()).key).toBe(second.key)

    const { catalogue, requests } = s.coldInstance()
    expect((await s.everything(catalogue)).map((item) => item.name)).toEqual(['Alpha renamed', 'Beta'])
    expect(requests).toEqual(['GetItemCommand', 'QueryCommand'])
  })

  it('that fails between writing the snapshot and pointing at it leaves the previous snapshot current', async () => {
    const s = await snapshotContext()
    const alpha = await s.create({ name: 'Alpha' })
    const first = await s.publish()
    await s.rename(alpha, 'Alpha renamed')

    const crashing = new S3SnapshotStore(
      failingPuts(s.s3(), (key) => key === SNAPSHOT_KEYS.pointer),
      s.bucket,
    )
    await expect(s.publish(crashing)).rejects.toThrow(/injected failure writing catalogue\/latest.json/)
    // The new snapshot was written; nothing points at it.
    expect(await s.snapshotKeys()).toHaveLength(2)
    expect((await s.pointer()).key).toBe(first.key)

    const { catalogue } = s.coldInstance()
    expect((await s.everything(catalogue)).map((item) => item.name)).toEqual(['Alpha renamed'])
    expect(catalogue.stats()).toMatchObject({ snapshotLoads: 1, version: 2 })

    // The next publish starts from the previous snapshot again and completes.
    expect(await s.publish()).toMatchObject({ published: true, basis: 'previous-snapshot', version: 2 })
  })

  it('killed between writing the snapshot and pointing at it leaves the previous snapshot current', async () => {
    const s = await snapshotContext()
    const alpha = await s.create({ name: 'Alpha' })
    const first = await s.publish()
    await s.rename(alpha, 'Alpha renamed')

    const child = spawn(
      process.execPath,
      ['--import', 'tsx', fileURLToPath(new URL('./fixtures/publish-then-die.ts', import.meta.url))],
      {
        env: {
          PATH: process.env.PATH,
          TABLE_NAME: s.t.tableName,
          DYNAMODB_ENDPOINT: s.t.config.dynamodbEndpoint as string,
          SNAPSHOT_BUCKET: s.bucket,
          S3_ENDPOINT: s.t.config.s3Endpoint as string,
          LOG_LEVEL: 'silent',
        },
        stdio: 'ignore',
      },
    )
    const [code, signal] = (await once(child, 'exit')) as [number | null, string | null]
    expect({ code, signal }).toEqual({ code: null, signal: 'SIGKILL' })
    // It had written its snapshot; the pointer still names the previous one, which cold starts use.
    expect(await s.snapshotKeys()).toHaveLength(2)
    expect((await s.pointer()).key).toBe(first.key)
    const { catalogue } = s.coldInstance()
    expect((await s.everything(catalogue)).map((item) => item.name)).toEqual(['Alpha renamed'])
    expect(catalogue.stats()).toMatchObject({ snapshotLoads: 1, fullLoads: 0, version: 2 })
    expect(await s.publish()).toMatchObject({ published: true, basis: 'previous-snapshot', version: 2 })
  }, 60_000)

  it('that fails writing the snapshot leaves the previous one in place', async () => {
    const s = await snapshotContext()
    await s.create({ name: 'Alpha' })
    const first = await s.publish()
    await s.create({ name: 'Beta' })
    const failing = new S3SnapshotStore(
      failingPuts(s.s3(), (key) => key.startsWith(SNAPSHOT_KEYS.prefix)),
      s.bucket,
    )
    await expect(s.publish(failing)).rejects.toThrow(/injected failure/)
    expect(await s.snapshotKeys()).toEqual([first.key])
    expect(await s.pointer()).toMatchObject({ key: first.key, version: 1 })
  })

  it('starts from the table again when the previous snapshot is unusable', async () => {
    const s = await snapshotContext()
    await s.create({ name: 'Alpha' })
    const first = await s.publish()
    await s.putObject(first.key as string, 'not a snapshot')
    await s.create({ name: 'Beta' })
    expect(await s.publish()).toMatchObject({
      basis: 'table',
      version: 2,
      records: 2,
      previousIgnored: expect.stringMatching(/truncated|checksum/),
    })
    const { catalogue } = s.coldInstance()
    expect((await s.everything(catalogue)).map((item) => item.name)).toEqual(['Alpha', 'Beta'])
  })
})
