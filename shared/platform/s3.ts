import { S3Client } from '@aws-sdk/client-s3'

export interface S3Options {
  region: string
  /** A local stand-in (s3rver): path-style addressing and its fixed credentials. */
  endpoint?: string | undefined
}

/** The local stand-in's account (s3rver's default); it accepts requests signed with it. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const

/** One S3 client per process. */
export function createS3Client(options: S3Options): S3Client {
  return new S3Client({
    region: options.region,
    maxAttempts: 3,
    ...(options.endpoint
      ? {
          endpoint: options.endpoint,
          forcePathStyle: true,
          credentials: LOCAL_S3_CREDENTIALS,
          // s3rver predates S3's flexible checksums; integrity is checked by our own SHA-256.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }
      : {}),
  })
}
