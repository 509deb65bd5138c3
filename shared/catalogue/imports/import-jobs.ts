import { createHash } from 'node:crypto'
import type { FieldError } from '../../platform/field-errors'
import type { InstrumentCsvLayout } from '../csv/layout'
import { DomainError } from '../errors'
import type { RecordResult } from './import-report'

/**
 * Asynchronous imports (`Prefer: respond-async` on POST /v1/admin/imports): the file is stored with
 * a job, a worker imports it in parts and records its progress after each, and the client polls the
 * job. The worker is `runImportJob` (./run-import-job.ts): in AWS a Lambda function fed by an SQS
 * queue, locally an in-process runner (./in-process-import-queue.ts). Light on purpose: the API
 * loads this on its cold start; the import code loads when a job runs.
 */

export const IMPORT_JOB_STATES = ['queued', 'running', 'succeeded', 'failed'] as const
export type ImportJobState = (typeof IMPORT_JOB_STATES)[number]

export const IMPORT_MEDIA_TYPES = ['text/csv', 'application/json'] as const
export type ImportMediaType = (typeof IMPORT_MEDIA_TYPES)[number]

export interface ImportCounts {
  created: number
  updated: number
  unchanged: number
  failed: number
}

/** Why a job failed as a whole (its records' own failures are listed with them). */
export interface ImportJobProblem {
  title: string
  detail: string
  errors?: FieldError[]
}

export interface ImportJob {
  id: string
  state: ImportJobState
  dryRun: boolean
  layout: InstrumentCsvLayout | 'json'
  mediaType: ImportMediaType
  /** Records in the file. */
  total: number
  /** Records imported so far, in file order: a re-run continues from here. */
  processed: number
  summary: ImportCounts
  createdBy: string
  createdAt: string
  updatedAt: string
  startedAt?: string
  finishedAt?: string
  /** Runs that have claimed the job (a crash or a timeout makes another). */
  attempts: number
  /** Catalogue version when the job succeeded. */
  catalogueVersion?: number
  problem?: ImportJobProblem
}

/** A job as its owner sees it: with every failed record, in file order. */
export interface ImportJobView extends ImportJob {
  failures: RecordResult[]
}

export const isFinished = (state: ImportJobState) => state === 'succeeded' || state === 'failed'

/** The outcome of claiming a job for a run. */
export type ClaimResult =
  | { status: 'claimed'; job: ImportJob }
  /** Another run holds the job (its lease has not expired). */
  | { status: 'busy' }
  | { status: 'finished' }
  | { status: 'missing' }

/** One part of a job, done: what `checkpoint` records. */
export interface ImportJobPart {
  from: number
  to: number
  counts: ImportCounts
  failures: RecordResult[]
}

/** Where jobs, their files and their progress are kept (DynamoDB: ./dynamo-import-job-store.ts). */
export interface ImportJobStore {
  /** Stores the file, then the job (queued): a job is never visible without its whole file. */
  create(job: ImportJob, file: Uint8Array): Promise<void>
  get(id: string): Promise<ImportJobView | undefined>
  /** The stored file, or undefined when it is gone or damaged. */
  readFile(id: string): Promise<Uint8Array | undefined>
  /** Marks the job running for one run, which holds it until `leaseMs` from now unless it renews. */
  claim(id: string, now: Date, leaseMs: number): Promise<ClaimResult>
  /**
   * Records a part as done (progress, counts, its failed records) and renews the lease, in one
   * transaction, only if the job's progress is still `part.from`: else `ImportJobSuperseded`.
   */
  checkpoint(id: string, part: ImportJobPart, now: Date, leaseMs: number): Promise<void>
  /** Lets another run claim the job at once (a run that stops early to continue in a new one). */
  release(id: string): Promise<void>
  /** Ends an unfinished job; false when it had already ended. */
  finish(
    id: string,
    outcome:
      | { state: 'succeeded'; catalogueVersion: number }
      | { state: 'failed'; problem: ImportJobProblem },
    now: Date,
  ): Promise<boolean>
}

/** Hands a job to a worker. SQS in AWS, an in-process runner locally. */
export interface ImportQueue {
  enqueue(jobId: string): Promise<void>
}

/** Another run recorded this part first: this run stops, the other carries on. */
export class ImportJobSuperseded extends DomainError {
  constructor(readonly jobId: string) {
    super(`Import ${jobId} is being run elsewhere.`)
  }
}

/** The job could not be handed to a worker: it has been marked failed, and the client may retry. */
export class ImportQueueUnavailable extends DomainError {}

export class ImportJobNotFound extends DomainError {
  constructor(readonly jobId: string) {
    super(`No import '${jobId}' (jobs are kept for a limited time after they end).`)
  }
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz'

/**
 * The ids a job gives the records it creates without an externalId or exported id: the job id's
 * time part, then 16 characters from a hash of the job id and the record's index. A re-run after a
 * crash computes the same id, finds the instrument the first run created, and does not create it
 * again. Shaped like every other id (a lowercase ULID).
 */
export function jobRecordIds(jobId: string): (index: number) => string {
  return (index) => {
    const hash = createHash('sha256').update(`${jobId}:${index}`).digest()
    let random = ''
    for (let position = 0; position < 16; position++) random += CROCKFORD[(hash[position] as number) & 31]
    return `${jobId.slice(0, 10)}${random}`
  }
}

/** The problem a job ends with when its runs keep failing (an outage, a bug): what to do about it. */
export function abandonedJobProblem(attempts: number, reason: string): ImportJobProblem {
  return {
    title: 'Import stopped',
    detail: `The import stopped after ${attempts} attempt${attempts === 1 ? '' : 's'} (${reason}). The records imported so far stay; import the file again to finish (records already imported are matched and left unchanged).`,
  }
}

/** A new job for an uploaded file: queued, nothing processed. */
export function newImportJob(
  fields: Pick<ImportJob, 'id' | 'dryRun' | 'layout' | 'mediaType' | 'total' | 'createdBy'> & { now: Date },
): ImportJob {
  const at = fields.now.toISOString()
  return {
    id: fields.id,
    state: 'queued',
    dryRun: fields.dryRun,
    layout: fields.layout,
    mediaType: fields.mediaType,
    total: fields.total,
    processed: 0,
    summary: { created: 0, updated: 0, unchanged: 0, failed: 0 },
    createdBy: fields.createdBy,
    createdAt: at,
    updatedAt: at,
    attempts: 0,
  }
}

/**
 * Stores a new job with its file and hands it to a worker. If the queue refuses it, the job is
 * marked failed (nothing of it ran) and `ImportQueueUnavailable` says to try again.
 */
export async function submitImportJob(
  deps: { importJobs: ImportJobStore; importQueue: ImportQueue },
  job: ImportJob,
  file: Uint8Array,
  now: Date,
): Promise<ImportJobView> {
  await deps.importJobs.create(job, file)
  try {
    await deps.importQueue.enqueue(job.id)
  } catch (error) {
    const detail = 'The import could not be queued; nothing was imported. Try again in a moment.'
    await deps.importJobs.finish(
      job.id,
      { state: 'failed', problem: { title: 'Import not queued', detail } },
      now,
    )
    throw new ImportQueueUnavailable(`${detail} (${error instanceof Error ? error.message : String(error)})`)
  }
  return { ...job, failures: [] }
}
