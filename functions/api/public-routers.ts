import { exportsRouter } from './routes/exports'
import { featuresRouter } from './routes/features'
import { feedsRouter } from './routes/feeds'
import { healthRouter } from './routes/health'
import { instrumentsRouter } from './routes/instruments'
import { matchRouter } from './routes/match'
import { taxonomyRouter } from './routes/taxonomy'

/**
 * The routers with routes of the public surface (./lib/surfaces.ts), in the order the whole app
 * mounts them: what the public function loads. The others (admin, archive, review, projects,
 * imports, subscriptions) serve only the write surface; test/api/surfaces.test.ts checks that every
 * public route of the whole app is here.
 */
export const PUBLIC_ROUTERS = [
  healthRouter,
  taxonomyRouter,
  instrumentsRouter,
  matchRouter,
  featuresRouter,
  exportsRouter,
  feedsRouter,
] as const
