import { type FeatureSuggestion, suggestFeatures } from '../../../shared/catalogue/features/suggest-features'

/** A few sentences; the form is a GET, so the description travels in the URL. */
export const MAX_PROJECT_DESCRIPTION = 2000

export interface DescribedProject {
  /** The description, trimmed. */
  text: string
  /** What the description is confidently about, best first, with the words that show it. */
  suggestions: FeatureSuggestion[]
  /** The features to rank by: those ticked, plus the suggestions when they were asked for or nothing was ticked. */
  selected: string[]
  /** Whether `selected` gained the suggestions on this request. */
  ticked: boolean
  error?: string
}

/**
 * The match page's "Describe your project": the description's confident suggestions are ticked
 * when the user asks for them ("Suggest features"), or when nothing is ticked yet, so that one
 * submit of a description alone ranks the catalogue. Otherwise the user's own ticks win: a
 * suggestion they unticked stays unticked.
 */
export function describeProject(
  description: string,
  tickedByUser: readonly string[],
  askedForSuggestions: boolean,
): DescribedProject {
  const text = description.trim()
  const unchanged = { text, suggestions: [], selected: [...tickedByUser], ticked: false }
  if (text.length > MAX_PROJECT_DESCRIPTION) {
    return {
      ...unchanged,
      error: `A few sentences, please: at most ${MAX_PROJECT_DESCRIPTION} characters (this is ${text.length}).`,
    }
  }
  if (text === '') {
    return askedForSuggestions
      ? { ...unchanged, error: 'Describe your project first, then ask for suggestions.' }
      : unchanged
  }
  const suggestions = suggestFeatures(text).filter((suggestion) => suggestion.confident)
  if (!askedForSuggestions && tickedByUser.length > 0) return { ...unchanged, suggestions }
  const selected = [...tickedByUser]
  for (const { code } of suggestions) if (!selected.includes(code)) selected.push(code)
  return { text, suggestions, selected, ticked: suggestions.length > 0 }
}
