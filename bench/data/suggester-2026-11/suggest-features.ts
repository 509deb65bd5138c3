/**
 * The suggester as it was before the 2026-12 lexicon revision (lexicon, stemmer and scoring copied
 * unchanged), kept so that `npm run bench:suggest` compares the shipped one with it on the same texts.
 */
import {
  FEATURE_CODES,
  FEATURE_INDEX,
  FEATURE_LABELS,
  type FeatureCode,
} from '../../../shared/catalogue/taxonomy'
import { analyseText, phraseStems, type Term } from './analyse-text'
import { type FeatureLexicon, LEXICON, NEUTRAL_PHRASES, type Tier } from './lexicon'

/**
 * Which taxonomy features a text is about, with the words that show it.
 *
 * The model is BM25 with the roles turned round: each feature's lexicon is the query and the text
 * is the document. A feature's evidence is
 *
 *   s(f) = sum over the lexicon phrases p of f found in the text:
 *          tier(p) * idf(p) * tf(p) * (k1 + 1) / (tf(p) + k1 * max(1, 1 - b + b * words / AVERAGE_WORDS))
 *
 * - `tier` is how much one mention tells (`TIER_WEIGHTS`: strong, medium, weak);
 * - `idf` discounts phrases that several features share, with the features as the documents:
 *   log((N + 1) / df) / log(N + 1), 1 for a phrase of one feature only;
 * - the `tf` term saturates (the tenth "drone" adds little) and texts longer than a paragraph
 *   (100 words) need more mentions, as in BM25 (k1 = 1.2, b = 0.5); shorter texts get no boost
 *   (the length factor is at least 1), so one mention is worth exactly its tier weight;
 *
 * and its score is 1 - exp(-s), in (0, 1). One strong phrase in a text of a paragraph or less
 * gives s = 1 (score 0.63): confident on its own. A medium phrase needs a second mention or
 * another phrase; weak phrases only add to others. `SUGGESTION_THRESHOLD` is that rule written
 * as a score.
 *
 * Phrases are found by longest match: a phrase inside a longer phrase found at the same place does
 * not count ("network" inside "neural network"). Everything is a pure function of the text and
 * the lexicon: the same text always gives the same suggestions, in the same order.
 */

export interface FeatureSuggestion {
  code: FeatureCode
  label: string
  /** 1 - exp(-evidence), rounded to 3 decimals; in (0, 1]. */
  score: number
  /** Whether `score >= SUGGESTION_THRESHOLD`. */
  confident: boolean
  /** The words and phrases of the text that triggered the feature, exactly as written there, strongest first. */
  evidence: string[]
}

/**
 * A suggestion at or above this score is "confident": one strong phrase in a paragraph, a medium
 * one mentioned twice, or two medium ones (1 - exp(-0.69) = 0.5). Chosen from the model before any
 * measurement; `npm run bench:suggest` shows precision and recall around it.
 */
export const SUGGESTION_THRESHOLD = 0.5

export const TIER_WEIGHTS: Record<Tier, number> = { strong: 1, medium: 0.6, weak: 0.3 }

/** The longest text the API accepts; the function itself takes any length, in linear time. */
export const MAX_SUGGESTION_TEXT_LENGTH = 20_000
/** At most this many evidence strings per suggestion. */
export const MAX_EVIDENCE = 10

const K1 = 1.2
const B = 0.5
const AVERAGE_WORDS = 100

interface Credit {
  readonly code: FeatureCode
  readonly weight: number
}

interface TrieNode {
  readonly children: Map<string, TrieNode>
  /** Set where a phrase ends: the features it credits (empty for a neutral phrase). */
  credits?: readonly Credit[]
  key?: string
}

interface LexiconIndex {
  readonly root: TrieNode
  readonly longestPhrase: number
}

function buildIndex(lexicon: Record<FeatureCode, FeatureLexicon>, neutral: readonly string[]): LexiconIndex {
  // phrase (stems joined) -> feature -> strongest tier weight it is listed with
  const phrases = new Map<string, { stems: string[]; weights: Map<FeatureCode, number> }>()
  const add = (phrase: string, code: FeatureCode | undefined, weight: number) => {
    const stems = phraseStems(phrase)
    if (stems.length === 0) return
    const key = stems.join(' ')
    const entry = phrases.get(key) ?? { stems, weights: new Map<FeatureCode, number>() }
    phrases.set(key, entry)
    if (code) entry.weights.set(code, Math.max(weight, entry.weights.get(code) ?? 0))
  }
  for (const code of FEATURE_CODES) {
    const entry = lexicon[code]
    for (const tier of ['strong', 'medium', 'weak'] as const) {
      for (const phrase of entry[tier] ?? []) add(phrase, code, TIER_WEIGHTS[tier])
    }
  }
  for (const phrase of neutral) add(phrase, undefined, 0)

  const features = FEATURE_CODES.length
  const root: TrieNode = { children: new Map() }
  let longestPhrase = 0
  for (const [key, { stems, weights }] of phrases) {
    let node = root
    for (const word of stems) {
      let child = node.children.get(word)
      if (!child) {
        child = { children: new Map() }
        node.children.set(word, child)
      }
      node = child
    }
    const idf = weights.size > 0 ? Math.log((features + 1) / weights.size) / Math.log(features + 1) : 0
    node.key = key
    node.credits = [...weights].map(([code, weight]) => ({ code, weight: weight * idf }))
    longestPhrase = Math.max(longestPhrase, stems.length)
  }
  return { root, longestPhrase }
}

interface PhraseMatch {
  readonly first: number
  /** Index of the last word, inclusive. */
  readonly last: number
  readonly key: string
  readonly credits: readonly Credit[]
}

/** Every lexicon phrase in the text that is not inside a longer one found at the same place. */
function findPhrases(terms: readonly Term[], { root, longestPhrase }: LexiconIndex): PhraseMatch[] {
  const found: PhraseMatch[] = []
  for (let first = 0; first < terms.length; first += 1) {
    let node: TrieNode | undefined = root
    for (let last = first; last < terms.length && node; last += 1) {
      node = node.children.get((terms[last] as Term).stem)
      if (node?.credits && node.key) found.push({ first, last, key: node.key, credits: node.credits })
    }
  }
  // `found` is ordered by start, then by length: a match can only be covered by one starting at
  // most `longestPhrase - 1` words earlier.
  return found.filter((match, position) => {
    for (let other = position - 1; other >= 0; other -= 1) {
      const candidate = found[other] as PhraseMatch
      if (candidate.first < match.first - longestPhrase) break
      if (candidate.last >= match.last && candidate.last - candidate.first > match.last - match.first)
        return false
    }
    for (let other = position + 1; other < found.length; other += 1) {
      const candidate = found[other] as PhraseMatch
      if (candidate.first > match.first) break
      if (candidate.last > match.last) return false
    }
    return true
  })
}

interface PhraseEvidence {
  weight: number
  count: number
  firstPosition: number
  surfaces: string[]
}

export type FeatureSuggester = (text: string, options?: { limit?: number }) => FeatureSuggestion[]

/**
 * A suggester over the given lexicon (the shipped one is `suggestFeatures`; the benchmark builds
 * others to compare against). The lexicon is indexed once, on first use.
 */
export function createFeatureSuggester(
  lexicon: Record<FeatureCode, FeatureLexicon>,
  neutralPhrases: readonly string[] = [],
): FeatureSuggester {
  let index: LexiconIndex | undefined
  return (text, options = {}) => {
    index ??= buildIndex(lexicon, neutralPhrases)
    const suggestions = suggest(text, index)
    return options.limit === undefined ? suggestions : suggestions.slice(0, options.limit)
  }
}

/**
 * Every feature the text gives some evidence for, best first (score, then taxonomy order), at
 * most `limit` of them (default: all).
 */
export const suggestFeatures: FeatureSuggester = createFeatureSuggester(LEXICON, NEUTRAL_PHRASES)

function suggest(text: string, lexiconIndex: LexiconIndex): FeatureSuggestion[] {
  const terms = analyseText(text)
  const byFeature = new Map<FeatureCode, Map<string, PhraseEvidence>>()
  for (const match of findPhrases(terms, lexiconIndex)) {
    const surface = text.slice((terms[match.first] as Term).start, (terms[match.last] as Term).end)
    for (const { code, weight } of match.credits) {
      const phrases = byFeature.get(code) ?? new Map<string, PhraseEvidence>()
      byFeature.set(code, phrases)
      const seen = phrases.get(match.key)
      if (seen) {
        seen.count += 1
        if (!seen.surfaces.includes(surface)) seen.surfaces.push(surface)
      } else {
        phrases.set(match.key, { weight, count: 1, firstPosition: match.first, surfaces: [surface] })
      }
    }
  }

  // Shorter than a paragraph gets no boost: one mention is then worth exactly its tier weight.
  const lengthNorm = K1 * Math.max(1, 1 - B + (B * terms.length) / AVERAGE_WORDS)
  const suggestions: FeatureSuggestion[] = []
  for (const [code, phrases] of byFeature) {
    const contributions = [...phrases.values()].map((phrase) => ({
      phrase,
      value: (phrase.weight * phrase.count * (K1 + 1)) / (phrase.count + lengthNorm),
    }))
    const evidence = contributions.reduce((sum, { value }) => sum + value, 0)
    const score = Math.round((1 - Math.exp(-evidence)) * 1000) / 1000
    if (score <= 0) continue
    contributions.sort((a, b) => b.value - a.value || a.phrase.firstPosition - b.phrase.firstPosition)
    suggestions.push({
      code,
      label: FEATURE_LABELS.get(code) ?? code,
      score,
      confident: score >= SUGGESTION_THRESHOLD,
      evidence: contributions.flatMap(({ phrase }) => phrase.surfaces).slice(0, MAX_EVIDENCE),
    })
  }
  suggestions.sort(
    (a, b) => b.score - a.score || (FEATURE_INDEX.get(a.code) ?? 0) - (FEATURE_INDEX.get(b.code) ?? 0),
  )
  return suggestions
}

/** The suggestions at or above `SUGGESTION_THRESHOLD`, best first: what the sync tags a call with. */
export function confidentFeatures(text: string): FeatureSuggestion[] {
  return suggestFeatures(text).filter((suggestion) => suggestion.confident)
}
