/**
 * Portfolios: an organisation's projects, described by the taxonomy, stored privately under the
 * organisation's key, matched against the live catalogue one by one or all at once (the matrix),
 * and imported from the seed's Annex 2 layout or one row per project.
 */
export {
  computePortfolioMatrix,
  DEFAULT_MATRIX_TOP,
  MAX_MATRIX_TOP,
  type MatrixBest,
  type MatrixColumn,
  type MatrixOptions,
  type MatrixRow,
  type PortfolioMatrix,
} from './portfolio-matrix'
export {
  PROJECT_STAGES,
  Project,
  ProjectId,
  ProjectInput,
  type ProjectRecord,
  type ProjectStage,
  sameProjectContent,
} from './project'
export { type ParsedImport, PROJECT_CSV_LAYOUTS, type ProjectCsvLayout, parseProjectCsv } from './project-csv'
export { ImportConflict, ProjectNotFound, ProjectVersionConflict } from './project-errors'
export { type ImportAction, ImportInvalid, type ImportPlan, planProjectImport } from './project-import'
export {
  DynamoProjectStore,
  MAX_IMPORT_WRITES,
  type ProjectImportWrite,
  type ProjectPage,
  type ProjectStore,
} from './project-store'
