import type { InstrumentKind, InstrumentRecord, Origin } from '../../shared/catalogue/instrument'
import { type FeatureCode, sortFeatureCodes } from '../../shared/catalogue/taxonomy'

/**
 * Synthetic catalogues for the benchmark, deterministic for a seed. Profiles follow what the
 * seed's catalogue looks like: instruments are built around one or two themes (cyber, drones and
 * sensing, crisis management, data, business support...), carry 3-14 features mostly from those
 * themes, are mostly national calls, and have deadlines spread over the next 18 months (some
 * open-ended, a few already past so that request-time expiry is exercised).
 */

const THEMES: Record<string, FeatureCode[]> = {
  cyber: ['T1', 'T3', 'T9', 'P3', 'P6', 'P12', 'P13', 'P14', 'G7'],
  drones: ['T5', 'T6', 'T7', 'T13', 'T14', 'P4', 'P7', 'D1', 'D2'],
  crisis: ['P1', 'P2', 'P5', 'P6', 'P11', 'P15', 'P16', 'D5', 'D6'],
  data: ['T1', 'T10', 'T15', 'P7', 'P8', 'P9', 'P10', 'P17', 'P18'],
  cbrn: ['T8', 'T14', 'P3', 'P4', 'P5', 'D7', 'G2', 'G7'],
  identity: ['T2', 'T3', 'T11', 'P14', 'G10'],
  quantum: ['T12', 'T3', 'D2', 'D3', 'G4'],
  market: ['D3', 'D4', 'G1', 'G3', 'G13', 'G14'],
  skills: ['G5', 'G6', 'G8', 'G9', 'G12', 'D6'],
  green: ['G11', 'G2', 'D4', 'G13'],
}
const THEME_NAMES = Object.keys(THEMES)
const ALL_CODES = [...new Set(Object.values(THEMES).flat())]

const COUNTRIES = [
  'DK',
  'NO',
  'SE',
  'FI',
  'DE',
  'FR',
  'ES',
  'IT',
  'NL',
  'BE',
  'PL',
  'CZ',
  'EE',
  'LV',
  'LT',
  'AT',
  'PT',
  'IE',
  'GR',
  'RO',
]
const TOPICS: Record<string, string[]> = {
  cyber: ['cybersecurity', 'cyber resilience', 'secure software', 'incident response', 'threat detection'],
  drones: ['drones', 'unmanned aerial systems', 'remote inspection', 'sensing', 'robotics'],
  crisis: ['crisis management', 'disaster resilience', 'emergency response', 'civil protection'],
  data: ['data spaces', 'artificial intelligence', 'big data analytics', 'IoT platforms'],
  cbrn: ['CBRN detection', 'hazardous materials', 'border security'],
  identity: ['digital identity', 'biometrics', 'blockchain trust services'],
  quantum: ['quantum technologies', 'post-quantum cryptography'],
  market: ['market uptake', 'internationalisation', 'export', 'scale-up finance'],
  skills: ['skills', 'training', 'cluster collaboration', 'hackathons'],
  green: ['green transition', 'energy efficiency', 'dual use'],
}
const NAME_PATTERNS = [
  (topic: string) => `${capitalise(topic)} innovation call`,
  (topic: string) => `Grants for ${topic} in SMEs`,
  (topic: string) => `${capitalise(topic)} accelerator`,
  (topic: string) => `Programme de soutien à l'innovation: ${topic}`,
  (topic: string) => `Förderprogramm ${capitalise(topic)}`,
  (topic: string) => `${capitalise(topic)} voucher scheme`,
]
const FUNDERS = [
  'European Commission',
  'European Defence Fund',
  'Innovation Fund Denmark',
  'Business Finland',
  'Innovasjon Norge',
  'Vinnova',
  'Bpifrance',
  'Agence régionale de développement',
  'Région Île-de-France',
  'Österreichische Forschungsförderungsgesellschaft',
  'Enterprise Estonia',
]
const PROGRAMMES = [
  'Horizon Europe',
  'Digital Europe',
  'EDF',
  'Interreg',
  'ERDF',
  'EIC Accelerator',
  'Eurostars',
]
const FILLER =
  'support small and medium enterprises with funding for research development demonstration and market entry of new products services and solutions in security safety and resilience including pilots testing certification and cooperation with end users public authorities and research organisations across Europe société générale développement coopération régionale'.split(
    ' ',
  )

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1)
}

/** Mulberry32: small, fast, deterministic. */
export function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export function generateCatalogue(size: number, now: Date, seed = 42): InstrumentRecord[] {
  const next = random(seed)
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)] as T
  const dayMs = 86_400_000
  const records: InstrumentRecord[] = []
  for (let index = 0; index < size; index++) {
    const themes = next() < 0.35 ? [pick(THEME_NAMES), pick(THEME_NAMES)] : [pick(THEME_NAMES)]
    const pool = [...new Set(themes.flatMap((theme) => THEMES[theme] ?? []))]
    const features = new Set<FeatureCode>()
    const wanted = 3 + Math.floor(next() * Math.min(10, pool.length))
    while (features.size < Math.min(wanted, pool.length)) features.add(pick(pool))
    if (next() < 0.3) features.add(pick(ALL_CODES))
    if (next() < 0.25) features.add(pick(['G1', 'G3', 'G12', 'G13'] as FeatureCode[]))

    const originRoll = next()
    const origin: Origin = originRoll < 0.25 ? 'international' : originRoll < 0.8 ? 'national' : 'regional'
    const kindRoll = next()
    const kind: InstrumentKind = kindRoll < 0.6 ? 'call' : kindRoll < 0.92 ? 'programme' : 'strategy'
    const topic = pick(TOPICS[themes[0] as string] ?? ['innovation'])
    const deadlineRoll = next()
    let deadline: string | undefined
    if (kind === 'call' || deadlineRoll < 0.3) {
      const offsetDays = deadlineRoll < 0.04 ? -Math.ceil(next() * 30) : Math.ceil(next() * 540)
      const at = new Date(now.getTime() + offsetDays * dayMs)
      deadline =
        next() < 0.8 ? at.toISOString().slice(0, 10) : `${at.toISOString().slice(0, 10)}T17:00:00+01:00`
    }
    const hasBudget = next() < 0.6
    const budgetMin = Math.round(10 ** (4 + next() * 2.5) / 1000) * 1000
    const description = Array.from({ length: 40 + Math.floor(next() * 50) }, () => pick(FILLER)).join(' ')
    const updatedAt = new Date(now.getTime() - Math.floor(next() * 400) * dayMs).toISOString()
    const id = `bench${String(index).padStart(7, '0')}`
    records.push({
      id,
      name: `${pick(NAME_PATTERNS)(topic)} ${index + 1}`,
      description: `${capitalise(topic)}: ${description}.`,
      kind,
      origin,
      ...(origin === 'international' ? {} : { country: pick(COUNTRIES) }),
      ...(origin === 'regional' ? { region: 'Region' } : {}),
      funder: pick(FUNDERS),
      ...(next() < 0.5 ? { programme: pick(PROGRAMMES) } : {}),
      url: `https://funding.example.org/${id}`,
      ...(deadline ? { deadline } : {}),
      ...(hasBudget
        ? { budget: { min: budgetMin, max: budgetMin * (2 + Math.floor(next() * 20)), currency: 'EUR' } }
        : {}),
      features: sortFeatureCodes(features),
      version: 1,
      createdAt: updatedAt,
      updatedAt,
      createdBy: 'bench',
      updatedBy: 'bench',
    })
  }
  return records
}
