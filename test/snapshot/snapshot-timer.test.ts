import { describe, expect, it } from 'vitest'
import { startSnapshotTimer } from '../../scripts/lib/snapshot-timer'
import { S3SnapshotStore, SNAPSHOT_KEYS } from '../../shared/catalogue/snapshot/snapshot-store'
import { failingPuts, snapshotContext } from './support'

/** The local server's publisher: publishes when the catalogue moved, once per burst, and survives failures. */
describe('the local snapshot timer', () => {
  it('publishes when the catalogue moved, and only then', async () => {
    const s = await snapshotContext()
    const timer = startSnapshotTimer({ ...s.t.deps, snapshots: s.snapshots, logger: s.logger, intervalMs: 0 })
    await s.create({ name: 'Alpha' })
    expect(await timer.runNow()).toMatchObject({ published: true, version: 1 })
    expect(await timer.runNow()).toBeUndefined()
    await s.create({ name: 'Beta' })
    await s.create({ name: 'Gamma' })
    expect(await timer.runNow()).toMatchObject({ published: true, version: 3, basis: 'previous-snapshot' })
    expect(await s.snapshotKeys()).toHaveLength(2)
    await timer.stop()
  })

  it('on its interval, picks up writes made after it started', async () => {
    const s = await snapshotContext()
    const timer = startSnapshotTimer({
      ...s.t.deps,
      snapshots: s.snapshots,
      logger: s.logger,
      intervalMs: 20,
    })
    await s.create({ name: 'Alpha' })
    const deadline = Date.now() + 10_000
    while (Date.now() < deadline && (await s.snapshotKeys()).length === 0) {
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
    await timer.stop()
    expect(await s.pointer()).toMatchObject({ version: 1 })
  })

  it('logs a failed publish and publishes on the next run', async () => {
    const s = await snapshotContext()
    let failing = true
    const snapshots = new S3SnapshotStore(
      failingPuts(s.s3(), (key) => failing && key === SNAPSHOT_KEYS.pointer),
      s.bucket,
    )
    const timer = startSnapshotTimer({ ...s.t.deps, snapshots, logger: s.logger, intervalMs: 0 })
    await s.create({ name: 'Alpha' })
    expect(await timer.runNow()).toBeUndefined()
    expect(s.logger.lines.filter((line) => line.level === 'error')).toMatchObject([
      { message: 'catalogue snapshot publish failed', fields: { detail: expect.stringMatching(/injected/) } },
    ])
    failing = false
    expect(await timer.runNow()).toMatchObject({ published: true, version: 1 })
    await timer.stop()
  })
})
