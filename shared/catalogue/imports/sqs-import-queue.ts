import type { SQSClient } from '@aws-sdk/client-sqs'
import type { ImportQueue } from './import-jobs'

/** The message a queued import job is: its id. The worker (functions/import-instruments) reads it. */
export interface ImportJobMessage {
  jobId: string
}

/**
 * Import jobs handed to the worker function through SQS (the deployed stack's import queue,
 * `IMPORT_QUEUE_URL`). The SQS client is loaded on the first job, not on every cold start.
 */
export class SqsImportQueue implements ImportQueue {
  private client: SQSClient | undefined

  constructor(
    private readonly queueUrl: string,
    private readonly region: string,
  ) {}

  async enqueue(jobId: string): Promise<void> {
    const { SQSClient, SendMessageCommand } = await import('@aws-sdk/client-sqs')
    this.client ??= new SQSClient({ region: this.region })
    const message: ImportJobMessage = { jobId }
    await this.client.send(
      new SendMessageCommand({ QueueUrl: this.queueUrl, MessageBody: JSON.stringify(message) }),
    )
  }
}
