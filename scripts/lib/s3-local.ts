import { mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3'
import S3rver from 's3rver'

/**
 * s3rver, an S3 stand-in that speaks the real protocol (the AWS SDK talks to it unchanged), in
 * this process. Used by `npm start`, the tests and the benchmarks, as DynamoDB Local is.
 */
export interface S3Local {
  endpoint: string
  stop(): Promise<void>
}

export interface S3LocalOptions {
  /** Folder for objects that survive restarts; a temporary one, removed on stop, when omitted. */
  dataDir?: string
  /** Buckets to create at start. */
  buckets?: string[]
  port?: number
}

export async function startS3Local(options: S3LocalOptions = {}): Promise<S3Local> {
  const temporary = options.dataDir === undefined
  const directory = options.dataDir
    ? resolve(options.dataDir)
    : await mkdtemp(join(tmpdir(), 'fundfinder-s3-'))
  await mkdir(directory, { recursive: true })
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: (options.buckets ?? []).map((name) => ({ name })),
  })
  const { port } = await server.run()
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stop: async () => {
      await server.close()
      if (temporary) await rm(directory, { recursive: true, force: true })
    },
  }
}

/** Creates the bucket unless it exists (for s3rver and tests; AWS uses CDK). */
export async function ensureBucket(client: S3Client, bucket: string): Promise<void> {
  try {
    await client.send(new HeadBucketCommand({ Bucket: bucket }))
  } catch {
    await client.send(new CreateBucketCommand({ Bucket: bucket }))
  }
}
