import { describe, expect, it } from 'vitest'
import { InstrumentInput } from '../../shared/catalogue/instrument'
import recordedFile from '../../shared/catalogue/sources/eu-ft/data/recorded-topics-2026.json' with {
  type: 'json',
}
import { type MappedTopic, mapTopic, TOPIC_PAGE_URL } from '../../shared/catalogue/sources/eu-ft/map-topic'
import { endOfBrusselsDay, parsePortalDate } from '../../shared/catalogue/sources/eu-ft/portal-dates'
import { textFromMarkup, trimToLength } from '../../shared/catalogue/sources/source-text'
import { portalResult, RECORDED_RESULTS, recordedResult } from './support'

function mapped(raw: unknown): MappedTopic {
  const outcome = mapTopic(raw)
  if (!outcome.ok) throw new Error(`refused: ${outcome.reason}`)
  return outcome.topic
}

function refusal(raw: unknown): string {
  const outcome = mapTopic(raw)
  if (outcome.ok) throw new Error('mapped, expected a refusal')
  return outcome.reason
}

describe('the recorded 2026 topics', () => {
  it('say where each comes from and when it was recorded', () => {
    const sources = recordedFile.sources as Record<string, { repository: string; commit: string }>
    expect(recordedFile.notice).toMatch(/verify every call on the portal/i)
    for (const result of RECORDED_RESULTS) {
      const source = sources[result._recorded.source]
      expect(source?.repository, result.metadata.identifier[0]).toMatch(/^https:\/\/github\.com\//)
      expect(source?.commit).toMatch(/^[0-9a-f]{40}$/)
      expect(result._recorded.at ?? result._recorded.onOrBefore).toMatch(/^2026-\d{2}-\d{2}/)
    }
  })
})

describe('mapTopic on the recorded 2026 topics', () => {
  it('maps every recorded result to a valid instrument (with a feature), none refused', () => {
    expect(RECORDED_RESULTS.length).toBeGreaterThanOrEqual(150)
    const externalIds = new Map<string, number>()
    for (const result of RECORDED_RESULTS) {
      const topic = mapped(result)
      const parsed = InstrumentInput.safeParse({
        externalId: topic.externalId,
        ...topic.fields,
        features: ['G8'],
      })
      expect(parsed.success, `${topic.identifier}: ${JSON.stringify(parsed.error?.issues)}`).toBe(true)
      expect(topic.fields).toMatchObject({ kind: 'call', origin: 'international' })
      expect(topic.externalId).toMatch(/^eu-ft:[A-Za-z0-9._:-]+$/)
      externalIds.set(topic.externalId, (externalIds.get(topic.externalId) ?? 0) + 1)
    }
    // Only the two rows the other project recorded twice without anything telling them apart.
    expect(
      [...externalIds]
        .filter(([, n]) => n > 1)
        .map(([id]) => id)
        .sort(),
    ).toEqual(['eu-ft:CERV-2024-CITIZENS-VALUES', 'eu-ft:DIGITAL-2025-BESTUSE-08-FACTCHECKERS'])
  })

  it('a two-stage topic closes at its first stage; midnight UTC is the portal date-only form', () => {
    const topic = mapped(recordedResult('HORIZON-JU-IHI-2026-13-two-stage-01'))
    expect(topic).toMatchObject({
      externalId: 'eu-ft:HORIZON-JU-IHI-2026-13-two-stage-01',
      identifier: 'HORIZON-JU-IHI-2026-13-two-stage-01',
      status: 'open',
      source: {
        id: 'HORIZON-JU-IHI-2026-13-two-stage-01',
        url: `${TOPIC_PAGE_URL}HORIZON-JU-IHI-2026-13-two-stage-01`,
      },
    })
    expect(topic.fields).toMatchObject({
      name: 'IHI European HealthCare Incubator Network',
      funder: 'European Commission',
      programme: 'Horizon Europe',
      url: `${TOPIC_PAGE_URL}HORIZON-JU-IHI-2026-13-two-stage-01`,
      opensAt: '2026-07-02',
      deadline: '2026-10-08',
    })
    expect(topic.fields.cutOffs).toBeUndefined()
    expect(topic.fields.description).toContain(
      'the first stage closes on 2026-10-08, the second stage on 2027-04-21',
    )
    expect(topic.fields.description).toContain('Type of action: HORIZON JU Research and Innovation Actions.')
  })

  it('a cascade call keys on its own call id, keeps every cut-off and closes at the last', () => {
    const result = recordedResult('DIGITAL-2022-SKILLS-03-SPECIALISED-EDU')
    const topic = mapped(result)
    expect(result.metadata.type).toEqual(['8'])
    expect(topic.externalId).toBe('eu-ft:DIGITAL-2022-SKILLS-03-SPECIALISED-EDU:cs-14962')
    expect(topic.fields).toMatchObject({
      name: 'UPC-AI4CI 1st Scholarship Call',
      funder: 'AI4CI (EU-funded project, cascade funding)',
      programme: 'Digital Europe Programme',
      url: 'https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/competitive-calls-cs/45114064',
      cutOffs: [
        '2026-09-08T17:00:00.000+00:00',
        '2027-02-05T17:00:00.000+00:00',
        '2027-07-05T17:00:00.000+00:00',
      ],
      deadline: '2027-07-05T17:00:00.000+00:00',
    })
    // Two cascade calls of the same parent topic are two instruments.
    const sibling = RECORDED_RESULTS.filter(
      (other) => other.metadata.identifier[0] === 'DIGITAL-2022-SKILLS-03-SPECIALISED-EDU',
    )
    expect(sibling.length).toBeGreaterThan(1)
    expect(new Set(sibling.map((other) => mapped(other).externalId)).size).toBe(sibling.length)
  })

  it('keeps a deadline time and offset, written as RFC 3339', () => {
    const topic = mapped(portalResult({ deadlineDate: ['2027-04-15T17:00:00.000+0200'] }))
    expect(topic.fields.deadline).toBe('2027-04-15T17:00:00.000+02:00')
    expect(Date.parse(topic.fields.deadline as string)).toBe(Date.parse('2027-04-15T15:00:00Z'))
  })

  it('keeps a date-only deadline of a recording date-only, and its lower-case page URL as given', () => {
    const topic = mapped(recordedResult('HORIZON-CL3-2026-01-FCT-02'))
    expect(topic.fields.deadline).toBe('2026-11-05')
    expect(topic.fields.opensAt).toBeUndefined()
    expect(topic.fields.url).toBe(`${TOPIC_PAGE_URL}horizon-cl3-2026-01-fct-02`)
  })

  it('decodes entities and folds no-break spaces in titles', () => {
    expect(mapped(recordedResult('DIGITAL-JU-CHIPS-2026-SKILLS-SCD-CSA')).fields.name).toBe(
      'Stimulation of Chip Design',
    )
    const amp = mapped(
      portalResult({ title: ['Researching the technical, social &amp; economic factors\u202f'] }),
    )
    expect(amp.fields.name).toBe('Researching the technical, social & economic factors')
  })

  it('reads an EU external action call (type 2): a slash-free externalId, the page as given', () => {
    const topic = mapped(recordedResult('EuropeAid/187388/DD/ACT/GM'))
    expect(topic.externalId).toBe('eu-ft:EuropeAid_187388_DD_ACT_GM')
    expect(topic.source.id).toBe('EuropeAid/187388/DD/ACT/GM')
    expect(topic.fields.programme).toBe('EU External Action (Prospect)')
    expect(topic.fields.deadline).toBe('2026-10-01T15:00:00.000+00:00')
  })
})

describe('mapTopic on what the portal may also send', () => {
  it('strips HTML safely: script and style contents dropped, entities decoded after the tags', () => {
    const topic = mapped(
      portalResult({
        descriptionByte: [
          '<span class="topicdescriptionkind">Expected Outcome:</span><p>Projects &gt; prototypes&nbsp;for&nbsp;<b>drone</b> detection.</p>' +
            '<script>alert("x")</script><style>p{color:red}</style><!-- note --><p>Write &lt;script&gt; as text.</p>' +
            '<img src=x onerror="alert(1)"><a href="javascript:alert(1)">link</a>',
        ],
      }),
    )
    expect(topic.fields.description).toBe(
      'Expected Outcome: Projects > prototypes for drone detection. Write <script> as text. link',
    )
  })

  it('trims a 10 MB description to 5000 characters at a word boundary', () => {
    const words = 'drone detection for border surveillance '.repeat(262_144)
    expect(words.length).toBeGreaterThan(10_000_000)
    const topic = mapped(portalResult({ descriptionByte: [`<p>${words}</p>`] }))
    const description = topic.fields.description
    expect(description.length).toBeLessThanOrEqual(5000)
    expect(description.length).toBeGreaterThan(4900)
    expect(description.endsWith('…')).toBe(true)
    expect(words.startsWith(description.slice(0, -1))).toBe(true)
    expect(words[description.length - 1]).toBe(' ')
    expect(topic.warnings.join(' ')).toMatch(/only its start was read/)
  })

  it('reads the grant size of this topic only from the double-encoded budgetOverview', () => {
    const identifier = 'HORIZON-CL3-2027-BUDGET-01'
    const overview = {
      budgetYearsColumns: ['2027'],
      budgetTopicActionMap: {
        '1': [
          {
            action: `${identifier} - HORIZON-IA HORIZON Innovation Actions`,
            budgetYearMap: { '2027': '12000000' },
            minContribution: 3000000,
            maxContribution: '4000000',
          },
        ],
        '2': [{ action: 'HORIZON-CL3-2027-BUDGET-010 - other', minContribution: 1, maxContribution: 9e9 }],
      },
    }
    const topic = mapped(
      portalResult({ identifier: [identifier], budgetOverview: [JSON.stringify(overview)] }),
    )
    expect(topic.fields.budget).toEqual({ min: 3000000, max: 4000000, currency: 'EUR' })

    const broken = mapped(portalResult({ budgetOverview: ['{not json'] }))
    expect(broken.fields.budget).toBeUndefined()
    expect(broken.warnings).toContain('budgetOverview is not JSON: budget left out')
  })

  it('reads keywords in both shapes the portal has used', () => {
    const older = mapped(portalResult({ keywords: ['["Energy storage","Globalisation, migration"]'] }))
    expect(older.keywords).toEqual(['Energy storage', 'Globalisation, migration'])
    const newer = mapped(portalResult({ identifier: ['X-1'], keywords: ['X-1', 'Security', 'Drones'] }))
    expect(newer.keywords).toEqual(['Security', 'Drones'])
  })

  it('builds the topic page when the result points at the topic JSON (older results)', () => {
    const topic = mapped(
      portalResult(
        {
          identifier: ['HORIZON-CL5-2024-D2-01-03'],
          url: undefined,
          esST_URL: [
            'https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/HORIZON-CL5-2024-D2-01-03.json',
          ],
        },
        {
          url: 'https://ec.europa.eu/info/funding-tenders/opportunities/data/topicDetails/HORIZON-CL5-2024-D2-01-03.json',
        },
      ),
    )
    expect(topic.fields.url).toBe(`${TOPIC_PAGE_URL}HORIZON-CL5-2024-D2-01-03`)
  })

  it('treats several deadlines without a two-stage model as cut-offs, date-only ones at the end of the Brussels day', () => {
    const topic = mapped(
      portalResult({
        deadlineModel: ['multiple cut-off'],
        deadlineDate: ['2027-09-01', '2027-03-01T00:00:00.000+0000'],
      }),
    )
    expect(topic.fields.cutOffs).toEqual(['2027-03-01T23:59:59.999+01:00', '2027-09-01T23:59:59.999+02:00'])
    expect(topic.fields.deadline).toBe('2027-09-01T23:59:59.999+02:00')
  })

  it.each([
    ['not an object', 'a string', /no metadata object/],
    ['no identifier', portalResult({ identifier: undefined }), /^no identifier$/],
    ['an empty identifier', portalResult({ identifier: ['  '] }), /^no identifier$/],
    ['no title', portalResult({ title: undefined }, { summary: null, content: null }), /^no title$/],
    [
      'a title of markup only',
      portalResult({ title: ['<script>x()</script>'] }, { summary: null }),
      /^no title$/,
    ],
    [
      'an unparseable deadline',
      portalResult({ deadlineDate: ['15 April 2027'] }),
      /unparseable deadline '15 April 2027'/,
    ],
    [
      'an impossible date',
      portalResult({ deadlineDate: ['2027-02-30T17:00:00.000+0100'] }),
      /unparseable deadline/,
    ],
    ['an unparseable start date', portalResult({ startDate: ['soon'] }), /unparseable start date 'soon'/],
    [
      'a status code never seen before',
      portalResult({ status: ['31094599'] }),
      /unknown status code '31094599'/,
    ],
    ['no status', portalResult({ status: undefined }), /^no status$/],
    ['a tender', portalResult({ type: ['0'] }), /type '0' is not a grant topic/],
    [
      'a cascade call without its own id',
      portalResult({ type: ['8'], caName: ['Open call'] }, { reference: 'x' }),
      /cascade call without its own id/,
    ],
  ])('refuses %s, with the reason', (_case, raw, reason) => {
    expect(refusal(raw)).toMatch(reason)
  })

  it('gives the feature suggestions the topic text and keywords, not identifiers or types of action', () => {
    const topic = mapped(
      portalResult({
        identifier: ['DIGITAL-2027-AI-TEST-01'],
        title: ['Skills hubs'],
        descriptionByte: ['<p>Regional <b>training</b> centres.</p>'],
        keywords: ['Education'],
      }),
    )
    expect(topic.fields.description).toBe('Regional training centres.')
    expect(topic.suggestionText).toBe('Regional training centres.\nEducation')
    const bare = mapped(portalResult({ identifier: ['DIGITAL-2027-AI-TEST-02'], title: ['Skills hubs'] }))
    expect(bare.fields.description).toContain('DIGITAL-2027-AI-TEST-02')
    expect(bare.suggestionText).toBe('')
  })

  it('reads a closed status as closed', () => {
    expect(mapped(portalResult({ status: ['31094503'] })).status).toBe('closed')
    expect(mapped(portalResult({ status: ['31094501'] })).status).toBe('forthcoming')
  })
})

describe('portal dates and text', () => {
  it.each([
    ['2027-04-15T17:00:00.000+0200', { kind: 'date-time', value: '2027-04-15T17:00:00.000+02:00' }],
    ['2023-12-07T01:00:00.000+0100', { kind: 'date-time', value: '2023-12-07T01:00:00.000+01:00' }],
    ['2026-09-10T14:00:00Z', { kind: 'date-time', value: '2026-09-10T14:00:00.000+00:00' }],
    ['2026-10-08T00:00:00.000+0000', { kind: 'date', value: '2026-10-08' }],
    ['2026-11-05', { kind: 'date', value: '2026-11-05' }],
  ])('reads %s', (raw, expected) => {
    expect(parsePortalDate(raw)).toMatchObject(expected)
  })

  it.each(['11 June 2020', '2027-04-15T17:00:00', '2027-13-01', '2027-04-15T25:00:00.000+0200', ''])(
    'refuses %j',
    (raw) => {
      expect(parsePortalDate(raw)).toBeUndefined()
    },
  )

  it('ends a Brussels day in summer and in winter time', () => {
    expect(endOfBrusselsDay('2026-10-08')).toBe('2026-10-08T23:59:59.999+02:00')
    expect(endOfBrusselsDay('2026-12-31')).toBe('2026-12-31T23:59:59.999+01:00')
  })

  it('keeps text that merely looks like markup, and cuts at a word', () => {
    expect(textFromMarkup('a < b and c > d &amp; e').text).toBe('a < b and c > d & e')
    expect(trimToLength('one two three four five', 16)).toBe('one two three…')
    expect(trimToLength('short', 16)).toBe('short')
  })
})
