import type { FieldError } from '../platform/field-errors'
import { type ProjectInput, type ProjectRecord, sameProjectContent } from './project'
import type { ProjectImportWrite } from './project-store'

/**
 * The second half of a portfolio import: a file's projects (read by `parseProjectCsv`,
 * project-csv.ts) against the organisation's. A project whose name (case-insensitive) exists is
 * updated with the fields the file provides, otherwise it is created.
 */

/** The file cannot be imported; `errors` names each problem by row, column and field. */
export class ImportInvalid extends Error {
  override name = 'ImportInvalid'
  constructor(
    message: string,
    readonly errors: FieldError[],
  ) {
    super(message)
  }
}

export type ProjectContentKey = keyof ProjectInput

/** One project as read from a file. */
export interface ParsedProject {
  /** Where it came from, for messages: `column C (SECURVERSE)` or `row 4`. */
  source: string
  input: ProjectInput
  /** The fields the file sets; an update leaves the others as they are. */
  provided: ProjectContentKey[]
}

/** Project names match case-insensitively, ignoring surrounding spaces. */
export function projectNameKey(name: string): string {
  return name.trim().toLowerCase()
}

export type ImportAction = 'create' | 'update' | 'unchanged'

export interface PlannedProject {
  source: string
  action: ImportAction
  /** The existing project's id, for updates and unchanged ones. */
  id?: string | undefined
  input: ProjectInput
}

export interface ImportPlan {
  projects: PlannedProject[]
  writes: ProjectImportWrite[]
}

/**
 * Matches the file's projects to the organisation's by name (case-insensitive): an existing one gets
 * the fields the file provides (the rest is kept), a new one is created.
 */
export function planProjectImport(
  existing: readonly ProjectRecord[],
  parsed: { projects: readonly ParsedProject[] },
): ImportPlan {
  const byName = new Map<string, ProjectRecord[]>()
  for (const record of existing) {
    const key = projectNameKey(record.name)
    byName.set(key, [...(byName.get(key) ?? []), record])
  }
  const errors: FieldError[] = []
  const projects: PlannedProject[] = []
  const writes: ProjectImportWrite[] = []
  for (const project of parsed.projects) {
    const matches = byName.get(projectNameKey(project.input.name)) ?? []
    if (matches.length > 1) {
      errors.push({
        path: project.source,
        message: `${matches.length} of your projects are called '${project.input.name}'; rename them so the import knows which to update`,
      })
      continue
    }
    const current = matches[0]
    if (!current) {
      projects.push({ source: project.source, action: 'create', input: project.input })
      writes.push({ action: 'create', input: project.input })
      continue
    }
    const merged = mergeProvided(current, project)
    if (sameProjectContent(current, merged)) {
      projects.push({ source: project.source, action: 'unchanged', id: current.id, input: merged })
    } else {
      projects.push({ source: project.source, action: 'update', id: current.id, input: merged })
      writes.push({ action: 'update', id: current.id, expectedVersion: current.version, input: merged })
    }
  }
  if (errors.length > 0)
    throw new ImportInvalid('Some projects cannot be matched; nothing was imported.', errors)
  return { projects, writes }
}

function mergeProvided(current: ProjectRecord, project: ParsedProject): ProjectInput {
  const merged: Record<string, unknown> = {}
  for (const key of ['name', 'summary', 'features', 'country', 'stage', 'tags'] as const) {
    const source = project.provided.includes(key) ? project.input : current
    if (source[key] !== undefined) merged[key] = source[key]
  }
  return merged as ProjectInput
}
