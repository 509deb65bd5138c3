import ical from 'node-ical'
import { describe, expect, it } from 'vitest'
import { calendarDeadlines } from '../../shared/catalogue/feeds/instrument-feeds'
import { createTestContext } from '../support/context'
import { instrumentInput } from '../support/factories'

const NOW = '2026-12-01T09:00:00.000Z'
const CUT_OFFS = [
  '2026-11-20T17:00:00.000+01:00',
  '2026-12-06T17:00:00.000+01:00',
  '2027-03-04T17:00:00.000+01:00',
]

/** A multiple cut-off call as the sync stores it: the first cut-off passed, the next in five days. */
async function cutOffCall() {
  const t = await createTestContext({ now: NOW })
  const record = await t.store.create(
    instrumentInput({
      name: 'Cascade call with cut-offs',
      origin: 'international',
      country: undefined,
      deadline: CUT_OFFS[2],
      cutOffs: CUT_OFFS,
    }),
    'sync:eu-ft',
    t.clock.now(),
  )
  return { t, record }
}

describe('a call with several cut-offs', () => {
  it('lists every cut-off on its page, in Brussels time, and counts the time left to the next one', async () => {
    const { t, record } = await cutOffCall()
    const page = await (await t.app.request(`/instruments/${record.id}`)).text()
    expect(page).toContain('<dt>Cut-offs</dt>')
    expect(page).toContain('20 November 2026 at 17:00 CET</time> (passed)')
    expect(page).toContain('6 December 2026 at 17:00 CET</time> (next)')
    expect(page).toContain('4 March 2027 at 17:00 CET</time></li>')
    expect(page).toContain('next cut-off closes in 5 days')

    // After the last but one, the count goes to the deadline itself.
    t.clock.set('2026-12-07T09:00:00.000Z')
    const later = await (await t.app.request(`/instruments/${record.id}`)).text()
    expect(later).toContain('closes in 87 days')
    expect(later).not.toContain('next cut-off')
  })

  it('says which source a synced call comes from and when it was read', async () => {
    const t = await createTestContext({ now: NOW })
    const record = await t.store.create(
      {
        ...instrumentInput({ origin: 'international', country: undefined }),
        source: {
          name: 'eu-ft',
          id: 'HORIZON-CL3-2027-01-02',
          url: 'https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/HORIZON-CL3-2027-01-02',
          syncedAt: '2026-07-13T06:55:05.000Z',
        },
      },
      'sync:eu-ft',
      t.clock.now(),
    )
    const page = await (await t.app.request(`/instruments/${record.id}`)).text()
    expect(page).toMatch(
      /<dt>Source<\/dt><dd>EU Funding &amp; Tenders Portal, <a href="[^"]+HORIZON-CL3-2027-01-02">HORIZON-CL3-2027-01-02<\/a>, as read on 13 July 2026<\/dd>/,
    )
  })

  it('is one calendar event per cut-off, with stable UIDs, the last one the deadline', async () => {
    const { t, record } = await cutOffCall()
    const result = await t.call('GET', '/v1/feeds/deadlines.ics')
    const events = (Object.values(ical.sync.parseICS(result.text)) as any[]).filter(
      (item) => item.type === 'VEVENT',
    )
    expect(
      events
        .map((event) => [event.uid, new Date(event.start).toISOString(), event.summary])
        .sort((a, b) => a[1].localeCompare(b[1])),
    ).toEqual([
      [
        `${record.id}-cutoff-1@fundfinder`,
        '2026-11-20T16:00:00.000Z',
        'Cut-off 1 of 3: Cascade call with cut-offs',
      ],
      [
        `${record.id}-cutoff-2@fundfinder`,
        '2026-12-06T16:00:00.000Z',
        'Cut-off 2 of 3: Cascade call with cut-offs',
      ],
      [
        `${record.id}@fundfinder`,
        '2027-03-04T16:00:00.000Z',
        'Last cut-off (3 of 3): Cascade call with cut-offs',
      ],
    ])
  })

  it('a call with one deadline keeps its one event', () => {
    expect(calendarDeadlines({ id: 'x', deadline: '2027-03-31' })).toEqual([
      { uid: 'x@fundfinder', at: '2027-03-31', label: 'Deadline' },
    ])
    expect(calendarDeadlines({ id: 'x' })).toEqual([])
  })
})
