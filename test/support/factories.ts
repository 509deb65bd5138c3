import type { z } from 'zod'
import type { InstrumentInput } from '../../shared/catalogue/instrument'

type InstrumentBody = z.input<typeof InstrumentInput>

let counter = 0

/** A valid create/update body; override what a test is about. */
export function instrumentBody(overrides: Partial<InstrumentBody> = {}): InstrumentBody {
  counter += 1
  return {
    name: `Cyber resilience call ${counter}`,
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
