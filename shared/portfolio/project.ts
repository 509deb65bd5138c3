import { z } from 'zod'
import { CountryCode, FeatureList } from '../catalogue/instrument'
import type { ServerOwnedFields } from '../platform/server-owned'

/** How far a project has come, from idea to market (the seed's Annex 2 says "Prototyping" or "Demonstrator"). */
export const PROJECT_STAGES = ['idea', 'prototype', 'demonstration', 'productization', 'market'] as const
export type ProjectStage = (typeof PROJECT_STAGES)[number]

export const MAX_PROJECT_TAGS = 20
export const MAX_TAG_LENGTH = 60

const trimmed = (min: number, max: number) => z.string().trim().min(min).max(max)

/**
 * What cluster staff send to create or replace a project. Strict, like `InstrumentInput`: an unknown
 * field is refused rather than silently dropped. The organisation is never part of it: it comes from
 * the caller's token, so nobody can write into another organisation's portfolio.
 */
export const ProjectInput = z
  .strictObject({
    name: trimmed(1, 200),
    summary: z.string().trim().max(2000).optional(),
    features: FeatureList.meta({
      description: "The project's features: 1-54 unique taxonomy codes, kept in taxonomy order",
      example: ['T1', 'P3', 'P12'],
    }),
    country: CountryCode.optional(),
    stage: z.enum(PROJECT_STAGES).optional(),
    tags: z
      .array(trimmed(1, MAX_TAG_LENGTH))
      .max(MAX_PROJECT_TAGS)
      .refine((tags) => new Set(tags).size === tags.length, 'tags must be unique')
      .optional()
      .meta({ description: `Up to ${MAX_PROJECT_TAGS} short labels of your own`, example: ['smart city'] }),
  })
  .meta({ id: 'ProjectInput' })

export type ProjectInput = z.output<typeof ProjectInput>

/** A stored project: the input plus server-owned fields. The organisation is its key, not a field. */
export interface ProjectRecord extends ProjectInput, ServerOwnedFields {}

export const ProjectId = z
  .string()
  .regex(/^[0-9a-hjkmnp-tv-z]{26}$/, 'must be a project id (26 lower-case letters and digits)')

export const Project = ProjectInput.safeExtend({
  id: ProjectId.meta({ example: '01jd3x9q4v6n7p8r9s0t1v2w3x' }),
  version: z.number().int().min(1),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  createdBy: z.string(),
  updatedBy: z.string(),
}).meta({ id: 'Project', description: "One of your organisation's projects, described by the taxonomy" })

/** Same content, ignoring server-owned fields: lets an import tell "unchanged" from "updated". */
export function sameProjectContent(record: ProjectInput, input: ProjectInput): boolean {
  const content = (project: ProjectInput) =>
    JSON.stringify([
      project.name,
      project.summary ?? '',
      project.features,
      project.country ?? '',
      project.stage ?? '',
      project.tags ?? [],
    ])
  return content(record) === content(input)
}
