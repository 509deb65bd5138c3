import type { ImportJobStore, ImportQueue } from './import-jobs'
import type { ImportJobDeps } from './run-import-job'

export interface InProcessImportQueueOptions {
  leaseMs: number
  /** Runs of one job before it is given up as failed (as SQS gives a message up after so many receives). */
  maxAttempts: number
}

/**
 * The local stand-in for the SQS queue and the worker function: `npm start` and the tests run
 * import jobs in this process, through the same `runImportJob` the Lambda function calls, one job at
 * a time, in the order they were queued. A run that throws is retried (after releasing its lease,
 * as the process knows the run is over) up to `maxAttempts` runs, then the job is marked failed.
 * Jobs left unfinished when the process stops are not resumed by the next one.
 */
export class InProcessImportQueue implements ImportQueue {
  private tail: Promise<void> = Promise.resolve()

  constructor(
    private readonly deps: ImportJobDeps & { importJobs: ImportJobStore },
    private readonly options: InProcessImportQueueOptions,
  ) {}

  async enqueue(jobId: string): Promise<void> {
    this.tail = this.tail.then(() => this.process(jobId))
  }

  /** Resolves when every job queued so far has been run (tests, and a clean shutdown). */
  idle(): Promise<void> {
    return this.tail
  }

  private async process(jobId: string): Promise<void> {
    // Loaded with the first job: the import code is no part of the API's cold start.
    const { recordFailedRun, runImportJob } = await import('./run-import-job')
    for (let attempt = 1; attempt <= this.options.maxAttempts; attempt++) {
      try {
        const result = await runImportJob(this.deps, jobId, { leaseMs: this.options.leaseMs })
        if (result !== 'yielded') return
      } catch (error) {
        await recordFailedRun(this.deps, jobId, error, { number: attempt, max: this.options.maxAttempts })
      }
    }
  }
}
