/**
 * Text matching is case- and accent-insensitive: "societe" finds "Société", "CYBER" finds
 * "cybersecurity". Both the index and the query words go through the same two functions, so
 * they can never disagree.
 */

const COMBINING_MARKS = /\p{M}+/gu
/** Letters that carry no combining mark under NFD but that readers still treat as accented forms. */
const FOLDED_LETTERS: Record<string, string> = {
  ø: 'o',
  æ: 'ae',
  œ: 'oe',
  ß: 'ss',
  đ: 'd',
  ð: 'd',
  ł: 'l',
  þ: 'th',
  ı: 'i',
}
const UNFOLDED_LETTERS = new RegExp(`[${Object.keys(FOLDED_LETTERS).join('')}]`, 'g')
const WORD_SEPARATORS = /[^\p{L}\p{N}]+/u

/** Lower case, decomposed (NFD) with the diacritics removed: "Société Ørsted" -> "societe orsted". */
export function normaliseText(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(UNFOLDED_LETTERS, (letter) => FOLDED_LETTERS[letter] ?? letter)
}

/** The words of a text, normalised, in order, duplicates kept ("R&D-Förderung" -> ["r", "d", "forderung"]). */
export function tokenize(text: string): string[] {
  return normaliseText(text)
    .split(WORD_SEPARATORS)
    .filter((word) => word.length > 0)
}

/** Distinct words of a query, longest first (longer prefixes are rarer, so they narrow the search sooner). */
export function queryWords(q: string): string[] {
  return [...new Set(tokenize(q))].sort((a, b) => b.length - a.length || (a < b ? -1 : 1))
}
