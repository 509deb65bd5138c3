import sample from './data/sample-catalogue.json' with { type: 'json' }
import { InstrumentInput } from './instrument'
import type { InstrumentStore } from './store/instrument-store'

/**
 * Loads the sample catalogue (real instruments, to be verified at the source) into an empty
 * table. Instruments whose externalId is already present are skipped, so a re-run adds nothing.
 */
export async function loadSampleCatalogue(
  store: InstrumentStore,
  now: Date,
): Promise<{ created: number; skipped: number }> {
  let created = 0
  let skipped = 0
  for (const raw of sample.instruments) {
    const input = InstrumentInput.parse(raw)
    if (input.externalId && (await store.findIdByExternalId(input.externalId))) {
      skipped += 1
      continue
    }
    await store.create(input, 'sample-catalogue', now)
    created += 1
  }
  return { created, skipped }
}
