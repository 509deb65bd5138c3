import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { analyseText, phraseStems, stem } from '../../shared/catalogue/features/analyse-text'
import { LEXICON, NEUTRAL_PHRASES } from '../../shared/catalogue/features/lexicon'
import {
  confidentFeatures,
  createFeatureSuggester,
  type FeatureSuggestion,
  MAX_EVIDENCE,
  SUGGESTION_THRESHOLD,
  suggestFeatures,
} from '../../shared/catalogue/features/suggest-features'
import { FEATURE_CODES, FEATURE_INDEX, FEATURE_LABELS } from '../../shared/catalogue/taxonomy'

const codes = (suggestions: FeatureSuggestion[]) => suggestions.map((suggestion) => suggestion.code)
const find = (suggestions: FeatureSuggestion[], code: string) =>
  suggestions.find((suggestion) => suggestion.code === code)

function expectWellFormed(text: string, suggestions: FeatureSuggestion[]) {
  for (const suggestion of suggestions) {
    expect(FEATURE_CODES).toContain(suggestion.code)
    expect(suggestion.label).toBe(FEATURE_LABELS.get(suggestion.code))
    expect(suggestion.score).toBeGreaterThan(0)
    expect(suggestion.score).toBeLessThanOrEqual(1)
    expect(suggestion.confident).toBe(suggestion.score >= SUGGESTION_THRESHOLD)
    expect(suggestion.evidence.length).toBeGreaterThan(0)
    expect(suggestion.evidence.length).toBeLessThanOrEqual(MAX_EVIDENCE)
    expect(new Set(suggestion.evidence).size).toBe(suggestion.evidence.length)
    for (const evidence of suggestion.evidence) expect(text).toContain(evidence)
  }
  for (let i = 1; i < suggestions.length; i += 1) {
    const before = suggestions[i - 1]!
    const after = suggestions[i]!
    expect(
      before.score > after.score ||
        (before.score === after.score && FEATURE_INDEX.get(before.code)! < FEATURE_INDEX.get(after.code)!),
    ).toBe(true)
  }
}

describe('suggestFeatures', () => {
  it('names the features a text is about, with the words of the text that show it', () => {
    const text =
      'Our counter-UAS system detects intruding drones with radar sensors and a machine-learning classifier, and shares alerts with first responders.'
    const suggestions = suggestFeatures(text)
    expectWellFormed(text, suggestions)
    const confident = codes(suggestions.filter((suggestion) => suggestion.confident))
    expect(confident).toEqual(expect.arrayContaining(['T13', 'T14', 'T1', 'P3']))
    expect(find(suggestions, 'T13')?.evidence).toEqual(expect.arrayContaining(['counter-UAS', 'drones']))
    expect(find(suggestions, 'T1')?.evidence).toEqual(['machine-learning'])
    expect(suggestions[0]?.code).toBe('T13')
  })

  it('suggests nothing for text that is about none of the features', () => {
    for (const text of [
      'The quick brown fox jumps over the lazy dog.',
      'Preheat the oven, whisk two eggs with sugar and butter, fold in the flour and bake for forty minutes until golden. Serve warm with fresh berries.',
      '',
      '   \n\t ',
      '1234 5678 !!! ???',
    ]) {
      expect(suggestFeatures(text), text).toEqual([])
      expect(confidentFeatures(text)).toEqual([])
    }
  })

  it('ignores case and accents, and quotes the evidence as written', () => {
    const plain = suggestFeatures('Detection of drones for cybersecurity')
    const shouted = suggestFeatures('DETECTION OF DRONES FOR CYBERSECURITY')
    const accented = suggestFeatures('Détection of drônes for cybersécurity')
    const decomposed = suggestFeatures('De\u0301tection of dro\u0302nes for cyberse\u0301curity')
    for (const variant of [shouted, accented, decomposed]) {
      expect(variant.map(({ code, score }) => ({ code, score }))).toEqual(
        plain.map(({ code, score }) => ({ code, score })),
      )
    }
    expect(find(accented, 'P3')?.evidence).toEqual(['Détection'])
    expect(find(decomposed, 'T13')?.evidence).toEqual(['dro\u0302nes'])
    expect(find(shouted, 'P12')?.evidence).toEqual(['CYBERSECURITY'])
  })

  it('meets plurals and verb forms on a common stem', () => {
    for (const [text, code] of [
      ['one drone', 'T13'],
      ['three drones', 'T13'],
      ['a prototype', 'D2'],
      ['prototyping', 'D2'],
      ['data sharing', 'P10'],
      ['sharing data', 'P10'],
      ['data shared between agencies', 'P10'],
      ['trade fairs', 'G3'],
      ['large-scale exercises', 'D5'],
      ['exporting', 'G1'],
    ] as const) {
      expect(codes(confidentFeatures(text)), text).toContain(code)
    }
  })

  it('treats hyphens, spaces and punctuation between words alike', () => {
    const hyphen = suggestFeatures('counter-UAS and cyber-security')
    const space = suggestFeatures('counter UAS and cyber security')
    expect(codes(hyphen)).toEqual(codes(space))
    expect(codes(hyphen)).toEqual(expect.arrayContaining(['T13', 'P12']))
  })

  it('lets a longer phrase hide the shorter ones inside it', () => {
    expect(codes(suggestFeatures('a neural network'))).toEqual(['T1'])
    expect(codes(suggestFeatures('networking'))).toEqual(['G12'])
    expect(codes(suggestFeatures('a 5G communication network'))).toEqual([])
    expect(codes(suggestFeatures('cascade funding for SMEs'))).toEqual([])
    expect(codes(suggestFeatures('cascading effects'))).toEqual(['P11'])
    // a longer phrase may mean several features: CBRN detection is both a technique and a process
    expect(codes(confidentFeatures('CBRN detection')).sort()).toEqual(['P3', 'T8'])
  })

  it('keeps words apart whose -ing form means something else', () => {
    expect(stem('marketing')).not.toBe(stem('market'))
    expect(stem('training')).not.toBe(stem('train'))
    expect(stem('planning')).not.toBe(stem('plan'))
    expect(codes(suggestFeatures('marketing'))).toEqual(['G13'])
    expect(find(suggestFeatures('emergency planning'), 'P2')?.confident).toBe(true)
    expect(find(suggestFeatures('a sustainability plan'), 'P2')?.confident).toBe(false)
  })

  it('needs one strong phrase, or more than one medium mention, to be confident', () => {
    // strong: one mention is enough
    expect(find(suggestFeatures('We build drones.'), 'T13')?.confident).toBe(true)
    // medium: "pilot" alone is not enough, "pilot" plus "piloting" or a second medium phrase is
    expect(find(suggestFeatures('We run a pilot.'), 'D1')?.confident).toBe(false)
    expect(find(suggestFeatures('We run a pilot, then a second pilot.'), 'D1')?.confident).toBe(true)
    expect(find(suggestFeatures('We run a pilot in a testbed.'), 'D1')?.confident).toBe(true)
    // weak: supporting evidence only
    expect(find(suggestFeatures('a platform'), 'T9')?.confident).toBe(false)
  })

  it('asks more of a long text than of a short one, and saturates repeated words', () => {
    const filler = ' The committee met in the town hall on a sunny afternoon.'.repeat(200)
    const short = find(suggestFeatures('We build drones.'), 'T13')!
    const long = find(suggestFeatures(`We build drones.${filler}`), 'T13')
    expect(long?.score ?? 0).toBeLessThan(short.score)
    const repeated = find(suggestFeatures('drone '.repeat(1000)), 'T13')!
    expect(repeated.score).toBeLessThanOrEqual(1)
    expect(repeated.evidence).toEqual(['drone'])
  })

  it('reads HTML and script as plain text', () => {
    const text =
      '<script>alert("x")</script><p onclick="steal()">Encrypted <b>drone</b> links &amp; biometric gates</p><!-- comment -->'
    const suggestions = suggestFeatures(text)
    expectWellFormed(text, suggestions)
    expect(codes(confidentFeatures(text))).toEqual(expect.arrayContaining(['T3', 'T11', 'T13']))
    for (const suggestion of suggestions) {
      for (const evidence of suggestion.evidence) expect(evidence).not.toMatch(/[<>]/)
    }
  })

  it('is deterministic', () => {
    const text =
      'A prototype for encrypted data sharing between police and first responders, tested by end users.'
    const first = suggestFeatures(text)
    expect(first.length).toBeGreaterThan(3)
    for (let run = 0; run < 5; run += 1) expect(suggestFeatures(text)).toEqual(first)
    expect(createFeatureSuggester(LEXICON, NEUTRAL_PHRASES)(text)).toEqual(first)
  })

  it('returns at most `limit` suggestions, the best ones', () => {
    const text = 'Drones, lasers, robots, quantum sensors, blockchain and AI for forensic analysis.'
    const all = suggestFeatures(text)
    expect(all.length).toBeGreaterThan(5)
    expect(suggestFeatures(text, { limit: 3 })).toEqual(all.slice(0, 3))
    expect(suggestFeatures(text, { limit: 54 })).toEqual(all)
  })

  it('handles a 20,000-character text and caps the evidence', () => {
    const sentence =
      'Drones, DRONES and drône swarms carry sensors; the UAV and UAS fleets, counter-UAS kits and quadcopters share data. '
    const text = sentence.repeat(Math.ceil(20_000 / sentence.length)).slice(0, 20_000)
    const suggestions = suggestFeatures(text)
    expectWellFormed(text, suggestions)
    expect(suggestions[0]?.code).toBe('T13')
    expect(suggestions[0]?.confident).toBe(true)
  })

  it('keeps its invariants for any text', () => {
    const phrases = [
      'drone',
      'Détection',
      'data sharing',
      'neural network',
      'AI',
      'cyber-security',
      '<b>',
      '&amp;',
    ]
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constantFrom(...phrases), fc.string({ unit: 'binary', maxLength: 12 })), {
          maxLength: 30,
        }),
        fc.integer({ min: 1, max: 54 }),
        (parts, limit) => {
          const text = parts.join(' ')
          const suggestions = suggestFeatures(text)
          expectWellFormed(text, suggestions)
          expect(suggestFeatures(text, { limit })).toEqual(suggestions.slice(0, limit))
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('the lexicon', () => {
  it('covers every feature of the taxonomy with at least one strong phrase', () => {
    expect(Object.keys(LEXICON).sort()).toEqual([...FEATURE_CODES].sort())
    for (const code of FEATURE_CODES) expect(LEXICON[code].strong.length, code).toBeGreaterThan(0)
  })

  it('has phrases made of words, none listed in two tiers of one feature', () => {
    for (const code of FEATURE_CODES) {
      const tierOf = new Map<string, string>()
      for (const tier of ['strong', 'medium', 'weak'] as const) {
        for (const phrase of LEXICON[code][tier] ?? []) {
          const key = phraseStems(phrase).join(' ')
          expect(key.length, `${code} "${phrase}"`).toBeGreaterThan(0)
          const earlier = tierOf.get(key)
          if (earlier) expect(earlier, `${code} "${phrase}" is both ${earlier} and ${tier}`).toBe(tier)
          tierOf.set(key, tier)
        }
      }
    }
    for (const phrase of NEUTRAL_PHRASES) expect(phraseStems(phrase).length, phrase).toBeGreaterThan(1)
  })
})

describe('the domain vocabulary of funding texts', () => {
  it('reads the stages of innovation support as development features', () => {
    const text = 'Grants for close-to-market projects that validate a TRL 6 demonstrator.'
    const suggestions = suggestFeatures(text)
    expectWellFormed(text, suggestions)
    expect(find(suggestions, 'D3')).toMatchObject({ confident: true, evidence: ['close-to-market'] })
    expect(find(suggestions, 'D2')?.evidence).toEqual(expect.arrayContaining(['demonstrator', 'TRL 6']))
    expect(find(suggestions, 'D2')?.confident).toBe(true)
    // a generic word of innovation funding only supports a stage, it never shows one alone
    expect(find(suggestFeatures('An innovative company.'), 'D2')?.confident).toBe(false)
  })

  it('reads access to finance as investment, not as access control', () => {
    const suggestions = suggestFeatures('Improving access to finance for growing firms.')
    expect(find(suggestions, 'G14')?.evidence).toEqual(['access to finance'])
    expect(find(suggestions, 'P14')).toBeUndefined()
    expect(find(suggestFeatures('Secure access to the control room.'), 'P14')?.confident).toBe(true)
  })

  it('reads civil security research as detection and response, without making "security" alone one', () => {
    const suggestions = suggestFeatures('Civil security research for first responders.')
    expect(find(suggestions, 'P3')?.evidence).toEqual(['security research', 'Civil security'])
    expect(find(suggestions, 'P6')?.confident).toBe(true)
    expect(codes(suggestFeatures('security')).filter((code) => code.startsWith('P'))).toEqual([])
  })

  it('keeps a plural from raising its singular to a stronger tier', () => {
    // "pilots" or "cameras" as strong phrases would have made "pilot" and "camera" strong too
    expect(find(suggestFeatures('We run a pilot.'), 'D1')?.confident).toBe(false)
    expect(find(suggestFeatures('A camera.'), 'T14')?.confident).toBe(false)
    expect(find(suggestFeatures('Our partners.'), 'G8')?.confident).toBe(false)
  })
})

describe('analyseText', () => {
  it('keeps each word where it was written', () => {
    const text = 'Société Ørsted: R&D-Förderung, counter‑UAS'
    const terms = analyseText(text)
    expect(terms.map((term) => text.slice(term.start, term.end))).toEqual([
      'Société',
      'Ørsted',
      'R',
      'D',
      'Förderung',
      'counter',
      'UAS',
    ])
    expect(terms.map((term) => term.stem)).toEqual([
      'societ',
      'orst',
      'r',
      'd',
      'forderung',
      'counter',
      'uas',
    ])
  })

  it('stems inflections only', () => {
    const cases: Record<string, string> = {
      drones: 'dron',
      drone: 'dron',
      technologies: 'technology',
      processes: 'process',
      approaches: 'approach',
      analysis: 'analysis',
      business: 'business',
      status: 'status',
      sharing: 'shar',
      shared: 'shar',
      planned: 'plan',
      speed: 'speed',
      certified: 'certify',
      cbrne: 'cbrn',
      uas: 'uas',
      '5g': '5g',
      trainings: 'training',
    }
    for (const [word, expected] of Object.entries(cases)) expect(stem(word), word).toBe(expected)
  })
})
