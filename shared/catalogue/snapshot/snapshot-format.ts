import { createHash } from 'node:crypto'
import { gunzipSync, gzipSync } from 'node:zlib'
import { z } from 'zod'
import type { InstrumentRecord } from '../instrument'
import type { PrebuiltIndex } from '../search/prebuilt-index'

/**
 * The catalogue snapshot as it is stored: one gzip-compressed text, ASCII only. Its first line is a
 * JSON header: a format tag, the catalogue version it reflects, the record count and the search
 * index's parts computed from the records (columns, posting lists, orders), so that a cold start
 * neither tokenizes nor sorts. Each following line is one live record (what searches return), as
 * JSON; a reader keeps the lines as text and parses a record when it is first used. A small pointer
 * document names the current snapshot with its size and SHA-256. A reader trusts a snapshot only if
 * the pointer's size and checksum match the bytes it fetched, both carry a format tag it knows and
 * the header's count matches the lines; anything else is refused with a reason, never served.
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

/** A snapshot as a publisher writes it. */
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
  records: readonly InstrumentRecord[]
  /** The index parts for `records`; a reader that computes them differently builds from the records. */
  index?: PrebuiltIndex | undefined
}

/** A snapshot as a reader gets it: the records still as JSON text, one per line. */
export interface StoredSnapshot extends Omit<CatalogueSnapshot, 'records'> {
  recordTexts: string[]
}

/** Every record of a stored snapshot, parsed (a publisher merging changes needs them all). */
export function parseRecords(snapshot: StoredSnapshot): InstrumentRecord[] {
  try {
    return snapshot.recordTexts.map((text) => JSON.parse(text) as InstrumentRecord)
  } catch {
    throw new SnapshotUnusable('a record of the snapshot is not JSON')
  }
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

const HeaderSchema = z.object({
  format: z.literal(SNAPSHOT_FORMAT),
  version: Version,
  lastEvent: ChangeMarkSchema.nullable(),
  createdAt: z.string(),
  count: z.number().int().min(0),
  index: z
    .object({
      format: z.string(),
      ids: z.array(z.string()),
      countries: z.array(z.string()),
      columns: z.object({
        maskLo: z.string(),
        maskHi: z.string(),
        originCode: z.string(),
        kindCode: z.string(),
        countryCode: z.string(),
        expiresAt: z.string(),
        opensAt: z.string(),
        budgetLow: z.string(),
        budgetHigh: z.string(),
      }),
      deadlineDay: z.array(z.string().nullable()),
      // Optional: an older index format lacks it, and its snapshot should still load (and rebuild).
      closings: z.array(z.object({ slot: z.number(), at: z.array(z.number()) })).optional(),
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
  const header = {
    format: SNAPSHOT_FORMAT,
    version: snapshot.version,
    lastEvent: snapshot.lastEvent,
    createdAt: snapshot.createdAt,
    count: snapshot.records.length,
    ...(snapshot.index ? { index: snapshot.index } : {}),
  }
  // JSON never writes a raw line break inside a value, so one record per line is unambiguous.
  const lines = [JSON.stringify(header), ...snapshot.records.map((record) => JSON.stringify(record))]
  const ascii = lines
    .join('\n')
    .replace(/[\u0080-\uffff]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`)
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
export function decodeSnapshot(body: Uint8Array, pointer: SnapshotPointer): StoredSnapshot {
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
  const headerEnd = text.indexOf('\n')
  const document = parseJson(headerEnd < 0 ? text : text.slice(0, headerEnd), 'snapshot header')
  const format = (document as { format?: unknown } | null)?.format
  if (format !== SNAPSHOT_FORMAT) throw new SnapshotUnusable(`unknown format ${JSON.stringify(format)}`)
  const header = HeaderSchema.safeParse(document)
  if (!header.success) throw new SnapshotUnusable('the snapshot header is malformed')
  if (header.data.version !== pointer.version) {
    throw new SnapshotUnusable(
      `the snapshot is at version ${header.data.version}, the pointer says ${pointer.version}`,
    )
  }
  const recordTexts = headerEnd < 0 ? [] : text.slice(headerEnd + 1).split('\n')
  if (recordTexts.length !== header.data.count) {
    throw new SnapshotUnusable(`${recordTexts.length} records, the header says ${header.data.count}`)
  }
  // The checksum vouches for the bytes; a cheap shape check guards against a publisher bug.
  for (const record of recordTexts) {
    if (record.charCodeAt(0) !== 0x7b || record.charCodeAt(record.length - 1) !== 0x7d)
      throw new SnapshotUnusable('a record of the snapshot is malformed')
  }
  const { count: _count, ...rest } = header.data
  return { ...rest, recordTexts }
}

function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new SnapshotUnusable(`the ${what} is not JSON`)
  }
}
