import { CsvError } from 'csv-parse'
import { isFeatureCode } from '../catalogue/taxonomy'
import type { FieldError } from '../platform/field-errors'
import { fieldErrors } from '../platform/field-errors'
import { columnLetter, isEmptyRow, readCsvCells } from '../platform/spreadsheet'
import { PROJECT_STAGES, ProjectInput, type ProjectStage } from './project'
import { ImportInvalid, type ParsedProject, type ProjectContentKey, projectNameKey } from './project-import'
import { MAX_IMPORT_WRITES } from './project-store'

/**
 * Reads a portfolio CSV, in the two layouts clusters actually have:
 *
 * - `annex`: the seed's Annex 2 matrix (D2.5). One column per project, one row per feature. The
 *   header row starts with `Project` and names the projects; an optional next row (`Features` or
 *   `Stage` in the first cell) gives each project's stage (`Prototyping`, `Demonstrator`, ...); a
 *   feature row has its code at the start of one of its label cells (`T1 AI (ML)`, or `T1` and
 *   `AI (ML)` in two cells) and `Y` where the project has the feature. The row `Application beyond
 *   security` becomes tags (`Y (environmental protection, construction)`). Other marks than `Y`
 *   are not counted and are reported as warnings, so an OCR'd cell never silently adds a feature.
 * - `rows`: one row per project, with a header naming the columns `name`, `features` (required),
 *   `summary`, `country`, `stage`, `tags`; features separated by spaces, commas or semicolons, tags
 *   by semicolons.
 *
 * Parsing is pure; `planProjectImport` (project-import.ts) then compares with the organisation's
 * projects. An invalid cell anywhere rejects the whole file, so an import never half-applies.
 */
export const PROJECT_CSV_LAYOUTS = ['annex', 'rows'] as const
export type ProjectCsvLayout = (typeof PROJECT_CSV_LAYOUTS)[number]

export interface ParsedImport {
  layout: ProjectCsvLayout
  projects: ParsedProject[]
  warnings: FieldError[]
}

const STAGE_WORDS: Record<string, ProjectStage> = {
  idea: 'idea',
  concept: 'idea',
  prototype: 'prototype',
  prototyping: 'prototype',
  demonstration: 'demonstration',
  demonstrator: 'demonstration',
  productization: 'productization',
  productisation: 'productization',
  productionization: 'productization',
  production: 'productization',
  market: 'market',
}

const FEATURE_LABEL = /^\s*([TPDG]\d{1,2})(?![\d])/i
const MARKED = /^\s*(y|yes|x|✓|✔)\s*(\(|$)/i
const UNMARKED = /^\s*(n|no|-)?\s*$/i

/** Parses a file in the given layout, or the one its first row shows (`auto`). */
export function parseProjectCsv(text: string, layout: ProjectCsvLayout | 'auto' = 'auto'): ParsedImport {
  const rows = readRows(text)
  if (rows.length === 0) throw new ImportInvalid('The file is empty.', [{ path: 'body', message: 'no rows' }])
  const first = (rows[0]?.[0] ?? '').trim()
  const detected =
    layout !== 'auto'
      ? layout
      : /^projects?$/i.test(first)
        ? 'annex'
        : rows[0]?.some((cell) => cell.trim().toLowerCase() === 'name')
          ? 'rows'
          : undefined
  if (!detected) {
    throw new ImportInvalid('Unrecognised layout.', [
      {
        path: 'body',
        message:
          "expected either the Annex 2 layout (first cell 'Project', one column per project) or one row per project with a header naming 'name' and 'features'",
      },
    ])
  }
  const parsed = detected === 'annex' ? parseAnnex(rows) : parseRowLayout(rows)
  const errors = [...parsed.errors]
  const seen = new Map<string, string>()
  for (const project of parsed.projects) {
    const key = projectNameKey(project.input.name)
    const earlier = seen.get(key)
    if (earlier) errors.push({ path: project.source, message: `repeats the project name of ${earlier}` })
    else seen.set(key, project.source)
  }
  if (parsed.projects.length > MAX_IMPORT_WRITES) {
    errors.push({ path: 'body', message: `at most ${MAX_IMPORT_WRITES} projects per import` })
  }
  if (parsed.projects.length === 0 && errors.length === 0) {
    errors.push({ path: 'body', message: 'no project found' })
  }
  if (errors.length > 0) {
    throw new ImportInvalid(
      `The file has ${errors.length} problem${errors.length === 1 ? '' : 's'}; nothing was imported.`,
      errors,
    )
  }
  return { layout: detected, projects: parsed.projects, warnings: parsed.warnings }
}

function readRows(text: string): string[][] {
  const firstLine = text.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? ''
  const delimiter = firstLine.includes('\t')
    ? '\t'
    : count(firstLine, ';') > count(firstLine, ',')
      ? ';'
      : ','
  try {
    // Empty rows are dropped: this layout names rows by their place among the filled ones.
    return readCsvCells(text, { delimiter }).filter((row) => !isEmptyRow(row))
  } catch (error) {
    if (error instanceof CsvError) {
      throw new ImportInvalid('The file is not valid CSV.', [{ path: 'body', message: error.message }])
    }
    throw error
  }
}

function count(text: string, character: string): number {
  return text.split(character).length - 1
}

interface LayoutResult {
  projects: ParsedProject[]
  errors: FieldError[]
  warnings: FieldError[]
}

function parseAnnex(rows: string[][]): LayoutResult {
  const errors: FieldError[] = []
  const warnings: FieldError[] = []
  const header = rows[0] as string[]
  const firstProjectColumn = header.findIndex((cell, index) => index > 0 && cell.trim() !== '')
  if (firstProjectColumn < 0) {
    return { projects: [], errors: [{ path: 'row 1', message: 'names no project' }], warnings }
  }
  const columns: { column: number; name: string; source: string }[] = []
  for (let column = firstProjectColumn; column < header.length; column++) {
    const name = (header[column] ?? '').trim()
    if (name) columns.push({ column, name, source: `column ${columnLetter(column)} (${name})` })
  }
  const features = columns.map(() => new Set<string>())
  const stages: (ProjectStage | undefined)[] = columns.map(() => undefined)
  const tags: string[][] = columns.map(() => [])
  let hasStages = false
  let hasTags = false

  rows.slice(1).forEach((row, offset) => {
    const rowNumber = offset + 2
    const labels = row.slice(0, firstProjectColumn).map((cell) => cell.trim())
    const label = labels.join(' ').trim()
    const code = labels.map((cell) => FEATURE_LABEL.exec(cell)?.[1]?.toUpperCase()).find(Boolean)
    const cellOf = (index: number) => (row[columns[index]?.column ?? -1] ?? '').trim()
    if (code) {
      if (!isFeatureCode(code)) {
        errors.push({ path: `row ${rowNumber}`, message: `unknown feature code '${code}' in '${label}'` })
        return
      }
      columns.forEach((project, index) => {
        const cell = cellOf(index)
        if (MARKED.test(cell)) (features[index] as Set<string>).add(code)
        else if (!UNMARKED.test(cell)) {
          warnings.push({
            path: `row ${rowNumber}, ${project.source}`,
            message: `'${cell}' for ${code} is not Y; not counted`,
          })
        }
      })
      return
    }
    if (offset === 0 && /^(features|stage|stages)$/i.test(labels[0] ?? '')) {
      hasStages = true
      columns.forEach((project, index) => {
        const cell = cellOf(index)
        if (!cell) return
        const stage = STAGE_WORDS[cell.toLowerCase()]
        if (stage) stages[index] = stage
        else
          errors.push({
            path: `row ${rowNumber}, ${project.source}`,
            message: `unknown stage '${cell}' (use ${PROJECT_STAGES.join(', ')}, Prototyping or Demonstrator)`,
          })
      })
      return
    }
    if (/application beyond security/i.test(label)) {
      hasTags = true
      columns.forEach((_, index) => {
        const inside = /\(([^)]*)\)?/.exec(cellOf(index))?.[1]
        if (inside) tags[index] = splitTags(inside.replace(/\+/g, ','))
      })
      return
    }
    const markedCells = columns.filter((_, index) => MARKED.test(cellOf(index)))
    if (markedCells.length > 0) {
      errors.push({
        path: `row ${rowNumber}`,
        message: `has marks but no feature code in '${label || '(empty label)'}'; start the label with a code such as T1`,
      })
    }
  })

  const projects: ParsedProject[] = []
  columns.forEach((project, index) => {
    const candidate = {
      name: project.name,
      features: [...(features[index] as Set<string>)],
      ...(stages[index] ? { stage: stages[index] } : {}),
      ...((tags[index] as string[]).length > 0 ? { tags: tags[index] } : {}),
    }
    const provided: ProjectContentKey[] = [
      'name',
      'features',
      ...(hasStages ? ['stage' as const] : []),
      ...(hasTags ? ['tags' as const] : []),
    ]
    if (candidate.features.length === 0) {
      errors.push({ path: project.source, message: 'no feature is marked Y' })
      return
    }
    const result = ProjectInput.safeParse(candidate)
    if (result.success) projects.push({ source: project.source, input: result.data, provided })
    else errors.push(...prefixed(project.source, result.error.issues))
  })
  return { projects, errors, warnings }
}

const ROW_COLUMNS = ['name', 'summary', 'features', 'country', 'stage', 'tags'] as const

function parseRowLayout(rows: string[][]): LayoutResult {
  const errors: FieldError[] = []
  const header = (rows[0] as string[]).map((cell) => cell.trim().toLowerCase())
  header.forEach((name, column) => {
    if (!(ROW_COLUMNS as readonly string[]).includes(name)) {
      errors.push({
        path: `row 1, column ${columnLetter(column)}`,
        message: `unknown column '${name}' (expected ${ROW_COLUMNS.join(', ')})`,
      })
    }
  })
  for (const required of ['name', 'features']) {
    if (!header.includes(required))
      errors.push({ path: 'row 1', message: `the '${required}' column is missing` })
  }
  const repeated = header.filter((name, index) => name && header.indexOf(name) !== index)
  for (const name of new Set(repeated))
    errors.push({ path: 'row 1', message: `the '${name}' column appears twice` })
  if (errors.length > 0) return { projects: [], errors, warnings: [] }

  const provided = header.filter((name): name is ProjectContentKey =>
    (ROW_COLUMNS as readonly string[]).includes(name),
  )
  const projects: ParsedProject[] = []
  rows.slice(1).forEach((row, offset) => {
    const source = `row ${offset + 2}`
    const value = (name: string) => (row[header.indexOf(name)] ?? '').trim()
    const has = (name: string) => header.includes(name) && value(name) !== ''
    const candidate = {
      name: value('name'),
      features: value('features')
        .split(/[\s,;|]+/)
        .filter(Boolean)
        .map((code) => code.toUpperCase()),
      ...(has('summary') ? { summary: value('summary') } : {}),
      ...(has('country') ? { country: value('country').toUpperCase() } : {}),
      ...(has('stage') ? { stage: STAGE_WORDS[value('stage').toLowerCase()] ?? value('stage') } : {}),
      ...(has('tags') ? { tags: splitTags(value('tags')) } : {}),
    }
    const result = ProjectInput.safeParse(candidate)
    if (result.success) projects.push({ source, input: result.data, provided })
    else errors.push(...prefixed(source, result.error.issues))
  })
  return { projects, errors, warnings: [] }
}

function splitTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[;,|]/)
        .map((tag) => tag.trim())
        .filter(Boolean),
    ),
  ]
}

function prefixed(source: string, issues: Parameters<typeof fieldErrors>[0]): FieldError[] {
  return fieldErrors(issues).map((error) => ({
    path: `${source}: ${error.path || 'project'}`,
    message: error.message,
  }))
}
