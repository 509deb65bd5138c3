/**
 * Marks where a text's feature evidence sits, for the review screen: the suggestion engine quotes
 * each phrase exactly as written (`FeatureSuggestion.evidence`), so finding it again is a plain
 * search, at word boundaries ("AI" is not marked inside "AIM"). Overlaps go to the earlier, then
 * the longer phrase. The result is plain segments; the page renders them, escaped, as text and <mark>.
 */
export interface TextSegment {
  text: string
  /** Set on a marked segment: the features (code and label) the phrase is evidence for. */
  features?: string[]
}

const WORD_CHARACTER = /[\p{L}\p{N}\p{M}]/u

function atBoundary(text: string, index: number): boolean {
  return index < 0 || index >= text.length || !WORD_CHARACTER.test(text.charAt(index))
}

export function highlightEvidence(
  text: string,
  suggestions: readonly { code: string; label: string; evidence: readonly string[] }[],
): TextSegment[] {
  const featuresByPhrase = new Map<string, string[]>()
  for (const suggestion of suggestions) {
    for (const phrase of suggestion.evidence) {
      if (phrase.trim() === '') continue
      const features = featuresByPhrase.get(phrase) ?? []
      featuresByPhrase.set(phrase, features)
      features.push(`${suggestion.code} ${suggestion.label}`)
    }
  }
  const spans: { start: number; end: number; features: string[] }[] = []
  for (const [phrase, features] of featuresByPhrase) {
    for (let at = text.indexOf(phrase); at !== -1; at = text.indexOf(phrase, at + 1)) {
      if (atBoundary(text, at - 1) && atBoundary(text, at + phrase.length))
        spans.push({ start: at, end: at + phrase.length, features })
    }
  }
  spans.sort((a, b) => a.start - b.start || b.end - a.end)
  const segments: TextSegment[] = []
  let position = 0
  for (const span of spans) {
    if (span.start < position) continue
    if (span.start > position) segments.push({ text: text.slice(position, span.start) })
    segments.push({ text: text.slice(span.start, span.end), features: span.features })
    position = span.end
  }
  if (position < text.length) segments.push({ text: text.slice(position) })
  return segments
}
