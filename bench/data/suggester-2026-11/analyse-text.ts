import { normaliseText } from '../../../shared/catalogue/search/normalise-text'

/**
 * Turns free text into comparable terms for the feature lexicon: each word is folded exactly as
 * search folds it (`normaliseText`: lower case, accents removed) and then lightly stemmed, and it
 * keeps its place in the original text so that every match can be quoted back as evidence.
 */

export interface Term {
  /** The folded, stemmed word ("Drones" -> "dron"). */
  readonly stem: string
  /** Where the word sits in the original text, as UTF-16 offsets: `text.slice(start, end)`. */
  readonly start: number
  readonly end: number
}

/**
 * A word is a run of letters and digits; combining marks stay with their letter so that text
 * typed in decomposed form ("e" + U+0301) is one word, as it is once composed.
 */
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu

export function analyseText(text: string): Term[] {
  const terms: Term[] = []
  for (const match of text.matchAll(WORD)) {
    const folded = normaliseText(match[0])
    if (folded.length === 0) continue
    terms.push({ stem: stem(folded), start: match.index, end: match.index + match[0].length })
  }
  return terms
}

/** The stems of a lexicon phrase, analysed exactly like the text it is matched against. */
export function phraseStems(phrase: string): string[] {
  return analyseText(phrase).map((term) => term.stem)
}

/**
 * Words whose "-ing" form names something else than their stem: "marketing" is not "market",
 * "training" is not a "train", "networking" is an activity while a "network" is often a cable.
 */
const KEEP_ING = new Set([
  'marketing',
  'training',
  'networking',
  'planning',
  'reporting',
  'meeting',
  'programming',
  'funding',
  'building',
  'engineering',
  'during',
  'string',
  'spring',
  'ceiling',
])

const DOUBLED_CONSONANT = /([bcdfghjkmnpqrtvwx])\1$/

/**
 * A light English stemmer (inflections only, no derivations): plurals, "-ing", "-ed" and a final
 * "e" are removed so that "drones", "drone", "sharing", "shared" and "share" meet, while
 * "detection" and "detect" stay apart (the lexicon lists both where both mean the feature).
 * Deliberately weaker than Porter's, which merges "general"/"generate" and "university"/"universe":
 * a suggestion must be explainable from the words in the text.
 */
export function stem(word: string): string {
  if (word.length <= 3 || /\d/.test(word)) return word
  let w = word
  if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}y`
  else if (w.endsWith('sses')) w = w.slice(0, -2)
  else if (/(?:ch|sh|x|zz)es$/.test(w)) w = w.slice(0, -2)
  else if (w.endsWith('s') && !/(?:ss|us|is)$/.test(w)) w = w.slice(0, -1)
  if (KEEP_ING.has(w)) return w

  if (w.length > 5 && w.endsWith('ing')) w = undouble(w.slice(0, -3))
  else if (w.length > 4 && w.endsWith('ied')) w = `${w.slice(0, -3)}y`
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = undouble(w.slice(0, -2))
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1)
  return w
}

function undouble(w: string): string {
  return DOUBLED_CONSONANT.test(w) ? w.slice(0, -1) : w
}
