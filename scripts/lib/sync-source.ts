import { readFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { syncEuFt } from '../../shared/catalogue/sources/eu-ft/sync-eu-ft'
import type { SyncSummary } from '../../shared/catalogue/sources/sync-instruments'
import type { Deps } from '../../shared/deps'

/** The recorded EU Funding & Tenders topics shipped with the project (see the README beside it). */
export const RECORDED_EU_FT_TOPICS = fileURLToPath(
  new URL('../../shared/catalogue/sources/eu-ft/data/recorded-topics-2026.json', import.meta.url),
)

export class SyncFileError extends Error {
  override name = 'SyncFileError'
}

/**
 * One sync of a source into the local table: from the portal (`EU_FT_SEARCH_URL`), or from a file
 * of recorded results (`fromFile`). `npm run sync` and `npm start`'s first load both come here.
 */
export async function syncSource(
  deps: Pick<Deps, 'store' | 'clock' | 'logger' | 'config'>,
  options: { source: 'eu-ft'; fromFile?: string | undefined; dryRun?: boolean; asRecorded?: boolean },
): Promise<SyncSummary> {
  let recorded: unknown
  if (options.fromFile) {
    const text = await readFile(options.fromFile, 'utf8').catch((error: Error) => {
      throw new SyncFileError(`Cannot read ${options.fromFile}: ${error.message}`)
    })
    try {
      recorded = JSON.parse(text)
    } catch (error) {
      throw new SyncFileError(`${options.fromFile} is not JSON: ${(error as Error).message}`)
    }
  }
  return syncEuFt({
    ...deps,
    dryRun: options.dryRun ?? false,
    asRecorded: options.asRecorded ?? false,
    ...(recorded === undefined ? {} : { recorded }),
  })
}
