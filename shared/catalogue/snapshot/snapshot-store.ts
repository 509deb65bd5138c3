import type { S3Client } from '@aws-sdk/client-s3'
import { ulid } from 'ulid'
import type { Logger } from '../../platform/logger'
import {
  type CatalogueSnapshot,
  decodeSnapshot,
  encodeSnapshot,
  parsePointer,
  pointerTo,
  type SnapshotPointer,
  SnapshotUnusable,
  type StoredSnapshot,
} from './snapshot-format'

/** The current snapshot, or why there is none to use. */
export type SnapshotRead =
  | { snapshot: StoredSnapshot; key: string; reason?: undefined }
  | { snapshot?: undefined; key?: string | undefined; reason: string }

/** What cold starts read the catalogue from. */
export interface SnapshotReader {
  readLatest(): Promise<SnapshotRead>
}

export interface SnapshotStore extends SnapshotReader {
  /**
   * Stores the snapshot under a key of its own, then points `latest` at it: a publisher that stops
   * between the two leaves the previous snapshot current. Returns the new key.
   */
  publish(snapshot: CatalogueSnapshot): Promise<{ key: string; bytes: number }>
}

/**
 * Lifecycle state of a snapshot object, as an S3 object tag the bucket's lifecycle rules act on:
 * `pending` until the pointer names it (a publisher that died leaves it so, and it expires after a
 * week), `current` while it does (never expires), `superseded` after (expires after a day, once no
 * reader that fetched the old pointer can still be on its way).
 */
export const SNAPSHOT_STATE_TAG = 'snapshot-state'
export type SnapshotState = 'pending' | 'current' | 'superseded'

export const SNAPSHOT_KEYS = {
  pointer: 'catalogue/latest.json',
  /** Snapshot objects; the lifecycle rules apply to this prefix only. */
  prefix: 'catalogue/snapshots/',
} as const

/** An S3 client, or how to build one when it is first needed. */
export type S3ClientSource = S3Client | (() => Promise<S3Client>)

/**
 * The snapshot in an S3 bucket (s3rver locally). The S3 SDK loads with the first read or publish
 * (`import()`): a cold start that answers /health, or serves a warm catalogue, never loads it.
 */
export class S3SnapshotStore implements SnapshotStore {
  private client: Promise<S3Client> | undefined

  constructor(
    private readonly source: S3ClientSource,
    private readonly bucket: string,
    private readonly logger?: Logger,
  ) {}

  private async s3() {
    const sdk = await import('@aws-sdk/client-s3')
    const source = this.source
    this.client ??= typeof source === 'function' ? source() : Promise.resolve(source)
    return { sdk, client: await this.client }
  }

  async readLatest(): Promise<SnapshotRead> {
    let pointer: SnapshotPointer
    try {
      const text = await this.getObject(SNAPSHOT_KEYS.pointer)
      if (text === undefined) return { reason: 'there is no snapshot yet' }
      pointer = parsePointer(text.toString('utf8'))
    } catch (error) {
      return { reason: reasonOf(error) }
    }
    try {
      const body = await this.getObject(pointer.key)
      if (body === undefined) return { key: pointer.key, reason: 'the snapshot the pointer names is missing' }
      return { snapshot: decodeSnapshot(body, pointer), key: pointer.key }
    } catch (error) {
      return { key: pointer.key, reason: reasonOf(error) }
    }
  }

  async publish(snapshot: CatalogueSnapshot): Promise<{ key: string; bytes: number }> {
    const previous = await this.currentKey()
    const body = encodeSnapshot(snapshot)
    // The version leads the key so keys sort by version; the ULID keeps two publishes of one
    // version (a retried batch, a table restored to an earlier version) from overwriting each other.
    const key = `${SNAPSHOT_KEYS.prefix}${String(snapshot.version).padStart(12, '0')}-${ulid().toLowerCase()}.json.gz`
    const { sdk, client } = await this.s3()
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: key,
        Body: body,
        // Not `Content-Encoding: gzip`: an HTTP client would inflate it and the checksum would not match.
        ContentType: 'application/gzip',
        Tagging: `${SNAPSHOT_STATE_TAG}=pending`,
      }),
    )
    await client.send(
      new sdk.PutObjectCommand({
        Bucket: this.bucket,
        Key: SNAPSHOT_KEYS.pointer,
        Body: JSON.stringify(pointerTo(key, snapshot, body)),
        ContentType: 'application/json',
        CacheControl: 'no-store',
      }),
    )
    // Lifecycle bookkeeping only: a failure here never makes a reader see a wrong snapshot.
    await this.tag(key, 'current')
    if (previous && previous !== key) await this.tag(previous, 'superseded')
    return { key, bytes: body.length }
  }

  private async currentKey(): Promise<string | undefined> {
    try {
      const text = await this.getObject(SNAPSHOT_KEYS.pointer)
      return text === undefined ? undefined : parsePointer(text.toString('utf8')).key
    } catch {
      return undefined
    }
  }

  private async tag(key: string, state: SnapshotState): Promise<void> {
    try {
      const { sdk, client } = await this.s3()
      await client.send(
        new sdk.PutObjectTaggingCommand({
          Bucket: this.bucket,
          Key: key,
          Tagging: { TagSet: [{ Key: SNAPSHOT_STATE_TAG, Value: state }] },
        }),
      )
    } catch (error) {
      this.logger?.warn('could not tag a catalogue snapshot', { key, state, error: reasonOf(error) })
    }
  }

  /** The object's bytes, or undefined when there is no such object. */
  private async getObject(key: string): Promise<Buffer | undefined> {
    const { sdk, client } = await this.s3()
    try {
      const result = await client.send(new sdk.GetObjectCommand({ Bucket: this.bucket, Key: key }))
      const bytes = (await result.Body?.transformToByteArray()) ?? new Uint8Array()
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    } catch (error) {
      if (error instanceof sdk.NoSuchKey || (error as { name?: string }).name === 'NoSuchKey')
        return undefined
      throw error
    }
  }
}

function reasonOf(error: unknown): string {
  if (error instanceof SnapshotUnusable) return error.message
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}
