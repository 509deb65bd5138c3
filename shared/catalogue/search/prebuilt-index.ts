/**
 * The compact, serialisable form of an index (its per-instrument columns, the inverted index and
 * the three orders), so that loading a snapshot neither tokenizes nor sorts, nor even parses the
 * records up front. Columns are the typed arrays' little-endian bytes; posting lists are ascending
 * slot numbers stored as gaps in unsigned LEB128 varints; orders are int32 arrays; all base64, so
 * the snapshot's header stays JSON.
 *
 * `INDEX_FORMAT` names how the parts were computed (tokenizer, sort keys and tie-breaks): a reader
 * uses prebuilt parts only when it computes them the same way, and rebuilds from the records
 * otherwise. Change it whenever `normalise-text.ts`, `index-tokens.ts`, the columns or the orders
 * change.
 */
export const INDEX_FORMAT = 'fundfinder-index/3'

export interface PrebuiltIndex {
  format: string
  /** Instrument ids, in slot order. */
  ids: string[]
  /** `countries` of the index ('' first, then sorted): what `countryCode` indexes. */
  countries: string[]
  columns: Record<
    | 'maskLo'
    | 'maskHi'
    | 'originCode'
    | 'kindCode'
    | 'countryCode'
    | 'expiresAt'
    | 'opensAt'
    | 'budgetLow'
    | 'budgetHigh',
    string
  >
  deadlineDay: (string | null)[]
  /**
   * The instants each closing passes, for the slots that close more than once (cut-offs before the
   * deadline), ascending to `expiresAt`. Required from format 3 on; optional here so that a
   * snapshot of an older format still loads (its records, not its index).
   */
  closings?: { slot: number; at: number[] }[]
  vocabulary: string[]
  /** Per token, in vocabulary order: the count, the first slot, then the gaps; varints, base64. */
  postings: string
  order: { name: string; deadline: string; updated: string }
}

/** Thrown for parts that are not what `encodePostings`/`encodeOrder` write. */
export class PrebuiltIndexInvalid extends Error {
  override name = 'PrebuiltIndexInvalid'
}

export function encodePostings(postings: readonly Int32Array[]): string {
  const bytes: number[] = []
  const write = (value: number) => {
    let rest = value
    while (rest >= 0x80) {
      bytes.push((rest & 0x7f) | 0x80)
      rest >>>= 7
    }
    bytes.push(rest)
  }
  for (const list of postings) {
    // An index changed in place appends new slots at the end of a list; the format wants them sorted.
    const posting = list.every((slot, at) => at === 0 || slot > (list[at - 1] as number))
      ? list
      : list.slice().sort()
    write(posting.length)
    let previous = -1
    for (const slot of posting) {
      write(slot - previous - 1)
      previous = slot
    }
  }
  return Buffer.from(bytes).toString('base64')
}

/**
 * The posting lists back, as views on one array. Each list must ascend and stay below `slots`, and
 * there must be exactly `tokens` of them.
 */
export function decodePostings(encoded: string, tokens: number, slots: number): Int32Array[] {
  const bytes = Buffer.from(encoded, 'base64')
  let at = 0
  const read = () => {
    let value = 0
    let shift = 0
    for (;;) {
      if (at >= bytes.length) throw new PrebuiltIndexInvalid('the posting lists end early')
      const byte = bytes[at++] as number
      value += (byte & 0x7f) * 2 ** shift
      if (byte < 0x80) return value
      shift += 7
      if (shift > 35) throw new PrebuiltIndexInvalid('a varint is too long')
    }
  }
  const lengths = new Int32Array(tokens)
  const starts = new Int32Array(tokens)
  // Two passes would read the bytes twice; instead grow one array as needed.
  let all = new Int32Array(Math.max(16, bytes.length))
  let total = 0
  for (let token = 0; token < tokens; token++) {
    const length = read()
    if (length < 1 || length > slots)
      throw new PrebuiltIndexInvalid('a posting list has an impossible length')
    if (total + length > all.length) {
      const grown = new Int32Array(Math.max(all.length * 2, total + length))
      grown.set(all)
      all = grown
    }
    starts[token] = total
    lengths[token] = length
    let slot = -1
    for (let index = 0; index < length; index++) {
      slot += read() + 1
      if (slot >= slots) throw new PrebuiltIndexInvalid('a posting names a slot past the end')
      all[total++] = slot
    }
  }
  if (at !== bytes.length) throw new PrebuiltIndexInvalid('bytes are left after the posting lists')
  return Array.from({ length: tokens }, (_, token) =>
    all.subarray(starts[token] as number, (starts[token] as number) + (lengths[token] as number)),
  )
}

const IS_LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

type Column = Uint8Array | Uint16Array | Uint32Array | Float64Array
type ColumnType<T extends Column> = { new (length: number): T; readonly BYTES_PER_ELEMENT: number }

/** A typed array's bytes (little-endian on every architecture Lambda offers), base64. */
export function encodeColumn(column: Column): string {
  if (!IS_LITTLE_ENDIAN) throw new Error('prebuilt index columns are written on little-endian machines only')
  return Buffer.from(column.buffer, column.byteOffset, column.byteLength).toString('base64')
}

/** A column back, with exactly `length` values. */
export function decodeColumn<T extends Column>(encoded: string, type: ColumnType<T>, length: number): T {
  if (!IS_LITTLE_ENDIAN)
    throw new PrebuiltIndexInvalid('prebuilt index columns are read on little-endian machines only')
  const bytes = Buffer.from(encoded, 'base64')
  if (bytes.length !== length * type.BYTES_PER_ELEMENT)
    throw new PrebuiltIndexInvalid('a column has the wrong length')
  const column = new type(length)
  new Uint8Array(column.buffer).set(bytes)
  return column
}

export function encodeOrder(order: Int32Array): string {
  const bytes = Buffer.alloc(order.length * 4)
  order.forEach((slot, index) => {
    bytes.writeInt32LE(slot, index * 4)
  })
  return bytes.toString('base64')
}

/** An order back; it must be a permutation of `0..slots-1`. */
export function decodeOrder(encoded: string, slots: number): Int32Array {
  const bytes = Buffer.from(encoded, 'base64')
  if (bytes.length !== slots * 4) throw new PrebuiltIndexInvalid('an order has the wrong length')
  const order = new Int32Array(slots)
  // An aligned byte copy; int32 is little-endian on every architecture Lambda offers.
  if (IS_LITTLE_ENDIAN) new Uint8Array(order.buffer).set(bytes)
  else for (let index = 0; index < slots; index++) order[index] = bytes.readInt32LE(index * 4)
  const seen = new Uint8Array(slots)
  for (let index = 0; index < slots; index++) {
    const slot = order[index] as number
    if (slot < 0 || slot >= slots || seen[slot] === 1)
      throw new PrebuiltIndexInvalid('an order is not a permutation')
    seen[slot] = 1
  }
  return order
}
