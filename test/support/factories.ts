import { ulid } from 'ulid'
import type { z } from 'zod'
import { inputOfRecord } from '../../shared/catalogue/editing'
import {
  type InstrumentAnnotations,
  type InstrumentContent,
  InstrumentInput,
  type InstrumentRecord,
  type Provenance,
} from '../../shared/catalogue/instrument'
import type { ServerOwnedFields } from '../../shared/platform/server-owned'
import { ProjectInput } from '../../shared/portfolio/project'
import type { TestContext } from './context'

/**
 * Test data, valid by default: override what a test is about. `...Body` is what a client sends
 * (unparsed: for HTTP calls, and for tests of the schema itself); `...Input` is the same body parsed
 * by the schema, as the stores take it; `storedRecord` adds what the server writes, without a store.
 */

export type InstrumentBody = z.input<typeof InstrumentInput>
type ProjectBody = z.input<typeof ProjectInput>

let instrumentCount = 0
let projectCount = 0

/** A valid instrument create/update body. */
export function instrumentBody(overrides: Partial<InstrumentBody> = {}): InstrumentBody {
  instrumentCount += 1
  return {
    name: `Cyber resilience call ${instrumentCount}`,
    description: 'Grants for SMEs that build detection and response tools.',
    kind: 'call',
    origin: 'national',
    country: 'DK',
    funder: 'Innovation Fund Denmark',
    url: 'https://innovationsfonden.dk/en',
    deadline: '2027-03-31',
    features: ['T1', 'P3', 'P12'],
    ...overrides,
  }
}

/** A valid instrument input, parsed: what `InstrumentStore.create` and `replace` take. */
export function instrumentInput(overrides: Partial<InstrumentBody> = {}): InstrumentInput {
  return InstrumentInput.parse(instrumentBody(overrides))
}

/** The input that replaces `record` with `changes`, parsed: what `InstrumentStore.replace` takes. */
export function revisedInput(
  record: InstrumentRecord,
  changes: Partial<InstrumentBody> = {},
): InstrumentInput {
  return InstrumentInput.parse({ ...inputOfRecord(record), ...changes })
}

/** Creates one instrument per entry through the store (audited, in the catalogue), in order. */
export async function seedInstruments(
  t: Pick<TestContext, 'store' | 'clock'>,
  overrides: Partial<InstrumentBody>[],
): Promise<InstrumentRecord[]> {
  const records: InstrumentRecord[] = []
  for (const entry of overrides) {
    records.push(await t.store.create(instrumentInput(entry), 'seeder', t.clock.now()))
  }
  return records
}

let syncedCount = 0

/**
 * Content as a sync writes it: an international call from the EU portal, every field following the
 * source, features suggested. `annotations` overrides (`{ published: false }` makes it held).
 */
export function syncedContent(
  overrides: Partial<InstrumentBody> = {},
  annotations: InstrumentAnnotations = {},
): InstrumentContent {
  syncedCount += 1
  const topic = `HORIZON-CL3-2027-TEST-${String(syncedCount).padStart(3, '0')}`
  const input = instrumentInput({
    externalId: `eu-ft:${topic}`,
    name: `Drone detection for border surveillance ${syncedCount}`,
    description: 'Counter-drone systems that detect UAVs with radar sensors for border security.',
    origin: 'international',
    country: undefined,
    funder: 'European Commission',
    programme: 'Horizon Europe',
    url: `https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/${topic}`,
    features: ['T13', 'T14'],
    ...overrides,
  })
  const provenance: Provenance = {}
  for (const key of Object.keys(input) as (keyof InstrumentInput)[]) provenance[key] = 'source'
  return {
    ...input,
    source: { name: 'eu-ft', id: topic, url: input.url, syncedAt: '2026-11-20T03:00:00.000Z' },
    featureOrigin: 'suggested',
    provenance,
    ...annotations,
  }
}

/** A valid project create/update body. */
export function projectBody(overrides: Partial<ProjectBody> = {}): ProjectBody {
  projectCount += 1
  return {
    name: `Smart city sensing ${projectCount}`,
    summary: 'Detects incidents from city sensors.',
    features: ['T1', 'T14', 'P3'],
    country: 'DK',
    stage: 'prototype',
    tags: ['smart city'],
    ...overrides,
  }
}

/** A valid project input, parsed: what `ProjectStore.create` and `replace` take. */
export function projectInput(overrides: Partial<ProjectBody> = {}): ProjectInput {
  return ProjectInput.parse(projectBody(overrides))
}

/** A stored record built without a store: the input with what the server writes on a first save (bulk seeding, pure tests). */
export function storedRecord<Input extends InstrumentInput | ProjectInput>(
  input: Input,
  createdAt = '2026-01-05T09:00:00.000Z',
): Input & ServerOwnedFields {
  return {
    ...input,
    id: ulid().toLowerCase(),
    version: 1,
    createdAt,
    updatedAt: createdAt,
    createdBy: 'seed',
    updatedBy: 'seed',
  }
}
