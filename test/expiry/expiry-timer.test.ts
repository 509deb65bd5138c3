import { afterEach, describe, expect, it, vi } from 'vitest'
import { startExpiryTimer } from '../../scripts/lib/expiry-timer'
import { silentLogger } from '../../shared/platform/logger'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

afterEach(() => {
  vi.useRealTimers()
})

describe("the local server's expiry timer", () => {
  it('runs on every interval, never twice at once, and not at all with interval 0', async () => {
    const t = await createTestContext({ now: '2026-11-22T10:00:00.000Z' })
    const create = (deadline: string) =>
      t.store.create(instrumentInput({ deadline }), 'editor', new Date('2026-01-10T00:00:00Z'))
    const first = await create('2026-11-20')
    const later = await create('2026-11-22T12:00:00Z')

    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] })
    const timer = startExpiryTimer({
      store: t.store,
      clock: t.clock,
      logger: silentLogger,
      intervalSeconds: 60,
    })
    const [a, b] = [timer.runNow(), timer.runNow()]
    expect(a).toBe(b)
    expect(await a).toMatchObject({ archived: 1 })
    expect(await t.store.get(first.id)).toBeUndefined()

    t.clock.set('2026-11-22T12:00:00.001Z')
    vi.advanceTimersByTime(60_000)
    // Only the tick can archive it now: nothing else calls runNow. (Poll with real timeouts:
    // vi.waitFor would advance the fake interval itself.)
    const tickArchived = async () => {
      for (let poll = 0; poll < 100; poll++) {
        if (!(await t.store.get(later.id))) return true
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
      return false
    }
    expect(await tickArchived()).toBe(true)
    await timer.stop()

    const disabled = startExpiryTimer({
      store: t.store,
      clock: t.clock,
      logger: silentLogger,
      intervalSeconds: 0,
    })
    await create('2026-11-22T12:00:00Z')
    vi.advanceTimersByTime(3_600_000)
    expect((await t.store.loadCatalogue()).records).toHaveLength(1)
    await disabled.stop()
  })
})
