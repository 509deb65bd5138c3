import { z } from 'zod'
import { FEATURE_CODES } from '../taxonomy'
import { MAX_SUGGESTION_TEXT_LENGTH, SUGGESTION_THRESHOLD } from './suggest-features'

/** `POST /v1/features/suggest`: the text to read and how many suggestions to return at most. */
export const SuggestFeaturesRequest = z
  .strictObject({
    text: z
      .string()
      .min(1)
      .max(MAX_SUGGESTION_TEXT_LENGTH)
      .meta({
        description: `The text to read (1-${MAX_SUGGESTION_TEXT_LENGTH} characters): a project or call description. English; case and accents do not matter; HTML is read as plain text.`,
        example: 'We build a counter-drone system that detects UAVs with radar and machine learning.',
      }),
    limit: z.number().int().min(1).max(FEATURE_CODES.length).optional().meta({
      description: 'At most this many suggestions, best first (default: every feature with evidence)',
    }),
  })
  .meta({ id: 'SuggestFeaturesRequest' })

export const FeatureSuggestionSchema = z
  .object({
    code: z.string().meta({ example: 'T13' }),
    label: z.string().meta({ example: 'UAVs, Drones' }),
    score: z
      .number()
      .gt(0)
      .max(1)
      .meta({ description: 'Strength of the evidence, in (0, 1]', example: 0.865 }),
    confident: z.boolean().meta({
      description: `Whether the score reaches the threshold (${SUGGESTION_THRESHOLD}) above which a suggestion may be applied without review`,
    }),
    evidence: z.array(z.string()).meta({
      description: 'The words and phrases of the text that triggered it, as written there',
      example: ['counter-drone', 'UAVs'],
    }),
  })
  .meta({ id: 'FeatureSuggestion' })

export const SuggestFeaturesResponse = z
  .object({
    suggestions: z
      .array(FeatureSuggestionSchema)
      .meta({ description: 'Best first: score, then taxonomy order' }),
    threshold: z.number().meta({
      description: 'The score from which a suggestion is `confident`',
      example: SUGGESTION_THRESHOLD,
    }),
  })
  .meta({ id: 'SuggestFeaturesResponse' })
