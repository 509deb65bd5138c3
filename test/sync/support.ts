import type { EuFtStandin } from '../../scripts/lib/eu-ft-standin'
import recorded from '../../shared/catalogue/sources/eu-ft/data/recorded-topics-2026.json' with {
  type: 'json',
}
import { type EuFtSyncOptions, syncEuFt } from '../../shared/catalogue/sources/eu-ft/sync-eu-ft'
import { silentLogger } from '../../shared/platform/logger'
import type { TestContext } from '../support/context'

/** The recorded 2026 topics shipped with the project (the portal's result format). */
export const RECORDED_RESULTS: readonly any[] = recorded.results

/** A recorded result by identifier (the first with it), copied so a test may change it. */
export function recordedResult(identifier: string): any {
  const found = RECORDED_RESULTS.find((result) => result.metadata.identifier[0] === identifier)
  if (!found) throw new Error(`no recorded result ${identifier}`)
  return structuredClone(found)
}

let count = 0

/**
 * A search result as the portal sends it today (a type-1 topic; every metadata value an array),
 * with `metadata` overrides (`undefined` removes a field). Made up per test: the values are
 * shaped like the recorded ones, the identifiers are not real topics.
 */
export function portalResult(
  metadata: Record<string, string[] | undefined> = {},
  top: Record<string, unknown> = {},
): any {
  count += 1
  const identifier = metadata.identifier?.[0] ?? `HORIZON-CL3-2027-TEST-${String(count).padStart(3, '0')}`
  const page = `https://ec.europa.eu/info/funding-tenders/opportunities/portal/screen/opportunities/topic-details/${identifier}`
  const base: Record<string, string[]> = {
    identifier: [identifier],
    title: ['Detection of drones at critical infrastructure with sensors and AI'],
    type: ['1'],
    status: ['31094502'],
    startDate: ['2027-01-12T00:00:00.000+0000'],
    deadlineDate: ['2027-04-15T17:00:00.000+0200'],
    deadlineModel: ['single-stage'],
    frameworkProgramme: ['43108390'],
    callIdentifier: ['HORIZON-CL3-2027-TEST'],
    url: [page],
    typesOfAction: ['HORIZON  Innovation Actions'],
  }
  const merged: Record<string, string[]> = { ...base }
  for (const [key, value] of Object.entries(metadata)) {
    if (value === undefined) delete merged[key]
    else merged[key] = value
  }
  return {
    reference: `${90000000 + count}TOPICSen`,
    url: page,
    summary: merged.title?.[0] ?? null,
    content: merged.title?.[0] ?? null,
    metadata: merged,
    ...top,
  }
}

/** One sync against the stand-in, with quick retries and no pauses. */
export function syncFrom(
  t: TestContext,
  server: EuFtStandin | undefined,
  options: Partial<EuFtSyncOptions> = {},
) {
  return syncEuFt({
    store: t.store,
    clock: t.clock,
    logger: silentLogger,
    config: {
      ...t.config,
      euFt: {
        ...t.config.euFt,
        searchUrl: server?.url ?? 'http://127.0.0.1:9/unused',
        pageSize: 10,
        pageDelayMs: 0,
      },
    },
    client: { retryBaseMs: 5, timeoutMs: 2000 },
    ...options,
  })
}
