import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { z } from 'zod'
import type { InstrumentRecord } from '../instrument'
import type { PrebuiltIndex } from '../search/prebuilt-index'

/**
 * The catalogue snapshot as it is stored: one gzip-compressed JSON document with a format tag, the
 * catalogue version it reflects, the live records (what searches return) and the search index's
 * expensive parts computed from them (so a cold start neither tokenizes nor sorts), plus a small
 * pointer document naming the current snapshot with its size
 * and SHA-256. A reader trusts a snapshot only if the pointer's size and checksum match the bytes
 * it fetched and both documents carry a format tag it knows; anything else is refused with a
 * reason, never served.
 */

export const SNAPSHOT_FORMAT = 'fundfinder-catalogue-snapshot/1'
export const POINTER_FORMAT = 'fundfinder-catalogue-pointer/1'

/** The change-log event that produced a catalogue version: identifies the table's history. */
export interface ChangeMark {
  seq: number
  at: string
  instrumentId: string
  instrumentVersion: number
}

export interface CatalogueSnapshot {
  /** The records are at least as new as this catalogue version. */
  version: number
  /**
   * The change-log event whose seq is `version`, or null when no event produced it (version 0, or
   * a version bumped by a bulk load). A reader checks the table's log still has it: a snapshot of
   * another table (recreated, restored) at a version the table has reached is refused.
   */
  lastEvent: ChangeMark | null
  createdAt: string
  /** In the slot order of `index`. */
  records: InstrumentRecord[]
  /** The index parts for `records`; a reader that computes them differently builds from the records. */
  index?: PrebuiltIndex | undefined
}

export interface SnapshotPointer {
  format: typeof POINTER_FORMAT
  key: string
  version: number
  bytes: number
  /** SHA-256 of the stored (compressed) bytes, base64. */
  sha256: string
}

/** Why a stored snapshot was refused (missing, truncated, unknown format, bad checksum, ...). */
export class SnapshotUnusable extends Error {
  override name = 'SnapshotUnusable'
}

const Version = z.number().int().min(0)

const PointerSchema = z.object({
  format: z.literal(POINTER_FORMAT),
  key: z.string().min(1).max(1024),
  version: Version,
  bytes: z.number().int().min(1),
  sha256: z.string().length(44),
})

const ChangeMarkSchema = z.object({
  seq: Version,
  at: z.string(),
  instrumentId: z.string(),
  instrumentVersion: z.number().int(),
})

const EnvelopeSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: Version,
  lastEvent: ChangeMarkSchema.nullable(),
  createdAt: z.string(),
  records: z.array(z.unknown()),
  index: z
    .object({
      format: z.string(),
      vocabulary: z.array(z.string()),
      postings: z.string(),
      order: z.object({ name: z.string(), deadline: z.string(), updated: z.string() }),
    })
    .optional(),
})

export function sha256Of(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('base64')
}

/**
 * The stored bytes of a snapshot. Compression level 4 writes a 50,000-instrument catalogue several
 * times faster than the default for a few percent more bytes; readers only pay for inflating.
 * Characters outside ASCII are written as JSON escapes: the reader's string is then one byte per
 * character, which decodes and parses markedly faster than a two-byte one.
 */
export function encodeSnapshot(snapshot: CatalogueSnapshot): Buffer {
  const document = {
    format: SNAPSHOT_FORMAT,
    version: snapshot.version,
    lastEvent: snapshot.lastEvent,
    createdAt: snapshot.createdAt,
    records: snapshot.records,
    ...(snapshot.index ? { index: snapshot.index } : {}),
  }
  const ascii = JSON.stringify(document).replace(
    /[\u0080-\uffff]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
  return gzipSync(ascii, { level: 4 })
}

export function pointerTo(key: string, snapshot: CatalogueSnapshot, body: Uint8Array): SnapshotPointer {
  return {
    format: POINTER_FORMAT,
    key,
    version: snapshot.version,
    bytes: body.length,
    sha256: sha256Of(body),
  }
}

export function parsePointer(text: string): SnapshotPointer {
  const parsed = PointerSchema.safeParse(parseJson(text, 'pointer'))
  if (!parsed.success) {
    const formatIssue = parsed.error.issues.some((issue) => issue.path[0] === 'format')
    throw new SnapshotUnusable(
      formatIssue ? 'the pointer has an unknown format' : 'the pointer is not a snapshot pointer',
    )
  }
  return parsed.data
}

/** The snapshot in `body`, checked against what the pointer says about it. */
export function decodeSnapshot(body: Uint8Array, pointer: SnapshotPointer): CatalogueSnapshot {
  if (body.length !== pointer.bytes) {
    throw new SnapshotUnusable(`truncated or padded: ${body.length} bytes, the pointer says ${pointer.bytes}`)
  }
  if (sha256Of(body) !== pointer.sha256) throw new SnapshotUnusable('the checksum does not match the pointer')
  let text: string
  try {
    text = gunzipSync(body).toString('utf8')
  } catch {
    throw new SnapshotUnusable('not a gzip stream')
  }
  const document = parseJson(text, 'snapshot')
  const format = (document as { format?: unknown } | null)?.format
  if (format !== SNAPSHOT_FORMAT) throw new SnapshotUnusable(`unknown format ${JSON.stringify(format)}`)
  const envelope = EnvelopeSchema.safeParse(document)
  if (!envelope.success) throw new SnapshotUnusable('the snapshot document is malformed')
  if (envelope.data.version !== pointer.version) {
    throw new SnapshotUnusable(
      `the snapshot is at version ${envelope.data.version}, the pointer says ${pointer.version}`,
    )
  }
  // The checksum vouches for the bytes; a cheap shape check guards against a publisher bug.
  for (const record of envelope.data.records) {
    const candidate = record as Partial<InstrumentRecord> | null
    if (
      typeof candidate?.id !== 'string' ||
      typeof candidate.name !== 'string' ||
      !Array.isArray(candidate.features)
    )
      throw new SnapshotUnusable('a record of the snapshot is malformed')
  }
  return { ...envelope.data, records: envelope.data.records as InstrumentRecord[] }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new SnapshotUnusable(`the ${what} is not JSON`)
  }
}
