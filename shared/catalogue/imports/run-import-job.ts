import type { Logger } from '../../platform/logger'
import type { Clock } from '../../platform/time'
import { ImportFileError } from '../csv/layout'
import type { InstrumentStore } from '../store/instrument-store'
import { assertImportSize, parseImportFile, prepareImport } from './import-instruments'
import {
  abandonedJobProblem,
  type ImportCounts,
  type ImportJobProblem,
  type ImportJobStore,
  ImportJobSuperseded,
  jobRecordIds,
} from './import-jobs'
import type { RecordResult } from './import-report'

/** Records per part: a crash repeats at most one part (a few seconds of writes). */
export const IMPORT_PART_RECORDS = 250

export interface ImportJobDeps {
  store: InstrumentStore
  importJobs: ImportJobStore
  clock: Clock
  logger: Logger
}

export interface RunImportJobOptions {
  /** How long a run holds the job before another may take it over: at least the run's own time limit. */
  leaseMs: number
  partRecords?: number
  /** Asked after each part: true makes the run stop there (releasing the job) to continue in a new run. */
  shouldYield?: () => boolean
}

/**
 * What a run did: finished the job (`succeeded`, `failed`), stopped early to be continued
 * (`yielded`), stopped because another run took the part over (`superseded`), or found nothing to
 * do: the job is held by a live run (`busy`), already over (`finished`), or unknown (`missing`).
 */
export type ImportRunResult =
  | 'succeeded'
  | 'failed'
  | 'yielded'
  | 'superseded'
  | 'busy'
  | 'finished'
  | 'missing'

/**
 * After a run threw (an outage, a bug): logs why, releases the job so that the next attempt may take
 * it at once, and on the last attempt ends it failed with what to do about it. Never throws: the
 * caller's retry (SQS redelivery, the in-process loop) is what happens next either way.
 */
export async function recordFailedRun(
  { importJobs, clock, logger }: Pick<ImportJobDeps, 'importJobs' | 'clock' | 'logger'>,
  jobId: string,
  error: unknown,
  attempt: { number: number; max: number },
): Promise<void> {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  logger.error('import run failed', { jobId, attempt: attempt.number, error: reason })
  await importJobs.release(jobId).catch(() => undefined)
  if (attempt.number >= attempt.max) {
    await importJobs
      .finish(jobId, { state: 'failed', problem: abandonedJobProblem(attempt.number, reason) }, clock.now())
      .catch(() => undefined)
  }
}

function countOutcomes(results: readonly RecordResult[]): ImportCounts {
  const counts: ImportCounts = { created: 0, updated: 0, unchanged: 0, failed: 0 }
  for (const result of results) counts[result.outcome] += 1
  return counts
}

/**
 * One run of an import job: claims it, reads its file, and imports the records from where the last
 * run stopped, part by part, recording progress after each part (`checkpoint`). A run may crash or be
 * killed at any point: the next run (SQS redelivers the message; the lease lets it take over)
 * repeats at most the part in progress, whose records it finds already written (see
 * `prepareImport`), so no instrument is created twice. A file that cannot be read fails the job
 * with the reasons; an error of the store (an outage) is thrown for the caller to retry.
 */
export async function runImportJob(
  deps: ImportJobDeps,
  jobId: string,
  options: RunImportJobOptions,
): Promise<ImportRunResult> {
  const { importJobs, logger } = deps
  const claimed = await importJobs.claim(jobId, deps.clock.now(), options.leaseMs)
  if (claimed.status !== 'claimed') return claimed.status
  const { job } = claimed
  const fail = async (problem: ImportJobProblem) => {
    await importJobs.finish(jobId, { state: 'failed', problem }, deps.clock.now())
    logger.warn('import failed', { jobId, detail: problem.detail })
    return 'failed' as const
  }

  const file = await importJobs.readFile(jobId)
  if (!file) {
    return fail({
      title: 'Import file unavailable',
      detail:
        'The uploaded file is missing or damaged, so nothing more can be imported from it. Upload it again.',
    })
  }
  const now = deps.clock.now()
  let prepared: ReturnType<typeof prepareImport>
  try {
    const parsed = parseImportFile(file, job.mediaType)
    assertImportSize(parsed.records.length)
    if (parsed.records.length !== job.total)
      throw new ImportFileError('The stored file is not the one uploaded.')
    prepared = prepareImport(parsed, { now, idFor: jobRecordIds(jobId) })
  } catch (error) {
    if (!(error instanceof ImportFileError)) throw error
    return fail({ title: 'Import file unreadable', detail: error.message, errors: error.errors })
  }

  const partRecords = options.partRecords ?? IMPORT_PART_RECORDS
  const actor = `${job.createdBy} (import ${jobId})`
  logger.info('import run', { jobId, from: job.processed, total: job.total, attempt: job.attempts })
  for (let from = job.processed; from < job.total; from += partRecords) {
    const to = Math.min(from + partRecords, job.total)
    const results = await prepared.importPart(deps.store, from, to, { actor, dryRun: job.dryRun })
    const part = {
      from,
      to,
      counts: countOutcomes(results),
      failures: results.filter((result) => result.outcome === 'failed'),
    }
    try {
      await importJobs.checkpoint(jobId, part, deps.clock.now(), options.leaseMs)
    } catch (error) {
      if (!(error instanceof ImportJobSuperseded)) throw error
      logger.warn('import run superseded', { jobId, from })
      return 'superseded'
    }
    if (to < job.total && options.shouldYield?.()) {
      await importJobs.release(jobId)
      logger.info('import run yields', { jobId, processed: to, total: job.total })
      return 'yielded'
    }
  }
  await importJobs.finish(
    jobId,
    { state: 'succeeded', catalogueVersion: await deps.store.catalogueVersion() },
    deps.clock.now(),
  )
  logger.info('import succeeded', { jobId, total: job.total })
  return 'succeeded'
}
