import { describe, expect, it } from 'vitest'
import { expireInstruments } from '../../shared/catalogue/expiry/expire-instruments'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'
import { allAuditEvents } from './seed'

const create = (t: Awaited<ReturnType<typeof createTestContext>>, deadline: string | undefined, at: string) =>
  t.store.create(
    instrumentInput(deadline === undefined ? { deadline: undefined } : { deadline }),
    'editor',
    new Date(at),
  )

describe('expireInstruments', () => {
  it('archives what has expired, with an audit event and a version bump, and nothing else', async () => {
    const t = await createTestContext({ now: '2026-11-22T10:00:00.000Z' })
    const expired = await create(t, '2026-11-20', '2026-10-01T00:00:00Z')
    const expiredInstant = await create(t, '2026-11-22T10:59:59.999+01:00', '2026-10-01T00:00:00Z')
    const open = await create(t, '2026-11-22', '2026-10-01T00:00:00Z')
    const openEnded = await create(t, undefined, '2026-10-01T00:00:00Z')
    const versionBefore = await t.store.catalogueVersion()

    const summary = await expireInstruments({ store: t.store, clock: t.clock, logger: silentLogger })

    expect(summary).toMatchObject({ scanned: 2, archived: 2, skipped: 0, failed: 0, complete: true })
    expect(summary.at).toBe('2026-11-22T10:00:00.000Z')
    expect(await t.store.get(expired.id)).toBeUndefined()
    expect(await t.store.get(expiredInstant.id)).toBeUndefined()
    expect(await t.store.get(open.id)).toEqual(open)
    expect(await t.store.get(openEnded.id)).toEqual(openEnded)
    const archived = await t.store.getArchived(expired.id)
    expect(archived).toEqual({
      instrument: expired,
      archivedAt: '2026-11-22T10:00:00.000Z',
      reason: 'expired',
      archivedBy: 'system:expiry',
      purgeAfter: '2027-11-22T10:00:00.000Z',
    })
    expect(await t.store.catalogueVersion()).toBe(versionBefore + 2)
    const events = (await allAuditEvents(t.store)).filter((event) => event.action === 'expired')
    expect(events.map((event) => event.instrumentId).sort()).toEqual([expired.id, expiredInstant.id].sort())
  })
})
