import type { Config } from '../../../platform/config'
import type { Logger } from '../../../platform/logger'
import type { Clock } from '../../../platform/time'
import type { InstrumentStore } from '../../store/instrument-store'
import { type SyncSummary, syncInstruments } from '../sync-instruments'
import type { PortalClientOptions } from './portal-client'
import { fileResults, portalResults, toSourceRead } from './read-eu-ft'

/**
 * What the sync says it is: the project, and the URL where whoever runs it can be reached
 * (`SYNC_CONTACT_URL`; a deployed stack sets it to its own site).
 */
export function syncUserAgent(contactUrl: string | undefined): string {
  return `fundfinder-sync/1 (open-source funding catalogue${contactUrl ? `; +${contactUrl}` : ''})`
}

export interface EuFtSyncOptions {
  store: InstrumentStore
  clock: Clock
  logger: Logger
  config: Pick<Config, 'euFt' | 'syncContactUrl'>
  dryRun?: boolean
  /** See `SyncOptions.asRecorded`: only with `recorded`. */
  asRecorded?: boolean
  /** Recorded results (the parsed content of a file) to sync instead of reading the portal. */
  recorded?: unknown
  /** Client settings beyond the configuration (tests: quicker retries). */
  client?: Partial<Omit<PortalClientOptions, 'logger'>>
}

/** One sync of the EU Funding & Tenders Portal (or of a recording of it) into the catalogue. */
export async function syncEuFt(options: EuFtSyncOptions): Promise<SyncSummary> {
  const started = performance.now()
  const { euFt } = options.config
  const now = options.clock.now()
  const raw =
    options.recorded === undefined
      ? await portalResults(
          {
            searchUrl: euFt.searchUrl,
            programmes: euFt.programmes,
            pageSize: euFt.pageSize,
            pageDelayMs: euFt.pageDelayMs,
            timeoutMs: euFt.timeoutMs,
            userAgent: syncUserAgent(options.config.syncContactUrl),
            logger: options.logger,
            ...options.client,
          },
          now,
        )
      : fileResults(options.recorded, now)
  const read = toSourceRead(raw, { programmes: euFt.programmes })
  const summary = await syncInstruments({
    store: options.store,
    clock: options.clock,
    logger: options.logger,
    read,
    dryRun: options.dryRun ?? false,
    asRecorded: options.recorded !== undefined && (options.asRecorded ?? false),
  })
  return { ...summary, durationMs: Math.round(performance.now() - started) }
}
