import { describe, expect, it } from 'vitest'
import { formatDeadline } from '../../shared/subscriptions/mail/render'
import { digestPeriod, digestSlot, firstDueAt, nextDueAt } from '../../shared/subscriptions/schedule'
import { BASE_URL, subscriptionContext } from './support'

describe('what a digest looks like', () => {
  it('escapes catalogue text in the HTML part and keeps it on one line in the text part', async () => {
    const t = await subscriptionContext()
    await t.subscribeConfirmed({ email: 'ada@example.org', query: 'features=T13', frequency: 'daily' })
    t.clock.set('2026-11-22T12:00:00Z')
    const hostile = await t.createInstrument({
      name: '<script>alert("x")</script> & <img src=x onerror=alert(1)>',
      funder: 'Funder\r\nBcc: victim@example.org',
      features: ['T13'],
    })
    await t.createInstrument({
      name: 'Line one\r\nUnsubscribe: https://evil.example/\r\n\r\n<b>bold</b>',
      features: ['T13'],
    })
    expect(await t.runDigests('2026-11-23T06:00:00Z')).toMatchObject({ sent: 1 })
    const digest = t.mail.messages[1]!

    // Exactly one recipient, and no header came from catalogue text.
    expect(digest.to).toEqual(['ada@example.org'])
    expect(digest.header('bcc')).toBeUndefined()
    expect(digest.parsed.headers.has('bcc')).toBe(false)

    // HTML part: catalogue text is text, never markup.
    expect(digest.html).not.toMatch(/<script|<img|<b>/i)
    expect(digest.html).toContain(
      `<a href="${BASE_URL}/instruments/${hostile.id}" style="color:#0b57d0;text-decoration:underline;">&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;</a>`,
    )
    expect(digest.html).toContain('Funder Bcc: victim@example.org')
    expect(digest.html).toContain('Line one Unsubscribe: https://evil.example/ &lt;b&gt;bold&lt;/b&gt;')

    // Text part: each name on its own single line; no line of the message starts with forged text.
    const lines = digest.text.split('\n')
    expect(lines).toContain('- <script>alert("x")</script> & <img src=x onerror=alert(1)>')
    expect(lines).toContain('- Line one Unsubscribe: https://evil.example/ <b>bold</b>')
    expect(lines.filter((line) => line.startsWith('Unsubscribe'))).toHaveLength(1)
    expect(lines.filter((line) => line.includes('Bcc:'))).toEqual([
      '  call · national (DK) · Funder Bcc: victim@example.org',
    ])
  })

  it('is accessible and private: a language, a title, headings, link text that says where it goes, no images or tracking', async () => {
    const t = await subscriptionContext()
    await t.createInstrument({ name: 'Closing soon', features: ['T13'], deadline: '2026-11-25' })
    await t.subscribeConfirmed({ email: 'ada@example.org', query: 'features=T13', frequency: 'weekly' })
    t.clock.set('2026-11-22T12:00:00Z')
    await t.createInstrument({ name: 'Brand new', features: ['T13'] })
    await t.runDigests('2026-11-23T06:00:00Z')
    for (const message of t.mail.messages) {
      expect(message.html).toMatch(/^<!DOCTYPE html>\n<html lang="en">/)
      expect(message.html).toMatch(/<title>[^<]+<\/title>/)
      expect(message.html).toMatch(/<h1[^>]*>[^<]+<\/h1>/)
      expect(message.html).not.toMatch(/<img|<iframe|<script|url\(|src=/i)
      // Every link is absolute, on the service's own base URL, with words for text.
      for (const [, href, text] of message.html.matchAll(/<a href="([^"]+)"[^>]*>([^<]*)<\/a>/g)) {
        expect(href!.startsWith(`${BASE_URL}/`), href).toBe(true)
        expect(text!.trim().length).toBeGreaterThan(3)
        expect(text).not.toMatch(/^(click here|here|link)$/i)
      }
      expect(message.text.length).toBeGreaterThan(50)
      expect(message.parsed.headers.get('auto-submitted')).toBe('auto-generated')
    }
    const digest = t.mail.messages[1]!
    expect(digest.subject).toBe('Your weekly fundfinder digest: 1 new, 1 closing soon')
    expect(digest.html).toContain('<h2 style="font-size:18px;">New matches (1)</h2>')
    expect(digest.html).toContain('<h2 style="font-size:18px;">Closing within 7 days (1)</h2>')
    expect(digest.text).toContain('Deadline: Wednesday, 25 November 2026, end of the day (Brussels time)')
  })
})

describe('time zones', () => {
  it('shows a deadline in Brussels time whatever its offset, across the daylight-saving switch', () => {
    // Brussels switches to summer time on Sunday 28 March 2027.
    expect(formatDeadline('2027-03-26T16:00:00Z')).toBe('Friday, 26 March 2027, 17:00 CET (Brussels time)')
    expect(formatDeadline('2027-03-29T15:00:00Z')).toBe('Monday, 29 March 2027, 17:00 CEST (Brussels time)')
    expect(formatDeadline('2027-03-29T17:00:00+02:00')).toBe(
      'Monday, 29 March 2027, 17:00 CEST (Brussels time)',
    )
    expect(formatDeadline('2027-03-29T12:00:00-03:00')).toBe(
      'Monday, 29 March 2027, 17:00 CEST (Brussels time)',
    )
    // Just before midnight UTC is already the next day in Brussels.
    expect(formatDeadline('2026-12-31T23:30:00Z')).toBe('Friday, 1 January 2027, 00:30 CET (Brussels time)')
    expect(formatDeadline('2027-03-28')).toBe('Sunday, 28 March 2027, end of the day (Brussels time)')
    expect(formatDeadline(undefined)).toBe('no deadline (open-ended)')
  })

  it('sends at 07:00 Brussels time all year: 06:00 UTC in winter, 05:00 UTC in summer', () => {
    expect(new Date(digestSlot('2027-03-27')).toISOString()).toBe('2027-03-27T06:00:00.000Z')
    expect(new Date(digestSlot('2027-03-28')).toISOString()).toBe('2027-03-28T05:00:00.000Z') // the switch day
    expect(new Date(digestSlot('2027-10-31')).toISOString()).toBe('2027-10-31T06:00:00.000Z') // and back
    expect(new Date(nextDueAt('daily', '2027-03-27')).toISOString()).toBe('2027-03-28T05:00:00.000Z')
    // Weekly: Mondays. Saturday 27 March falls in the week that began on Monday 22 March.
    expect(digestPeriod('weekly', new Date('2027-03-27T12:00:00Z')).period).toBe('2027-03-22')
    expect(new Date(nextDueAt('weekly', '2027-03-22')).toISOString()).toBe('2027-03-29T05:00:00.000Z')
    // Before 07:00 on a Monday, the period is still last week's.
    expect(digestPeriod('weekly', new Date('2027-03-29T04:59:59Z')).period).toBe('2027-03-22')
    expect(digestPeriod('weekly', new Date('2027-03-29T05:00:00Z')).period).toBe('2027-03-29')
    // 06:30 UTC in summer is 08:30 in Brussels: today's daily slot has passed, tomorrow's is next.
    expect(new Date(firstDueAt('daily', new Date('2027-06-01T06:30:00Z'))).toISOString()).toBe(
      '2027-06-02T05:00:00.000Z',
    )
    expect(new Date(firstDueAt('daily', new Date('2027-06-01T04:30:00Z'))).toISOString()).toBe(
      '2027-06-01T05:00:00.000Z',
    )
  })
})
