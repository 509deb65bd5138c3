import { adminRouter } from './routes/admin'
import { archiveRouter } from './routes/archive'
import { exportsRouter } from './routes/exports'
import { featuresRouter } from './routes/features'
import { feedsRouter } from './routes/feeds'
import { healthRouter } from './routes/health'
import { importsRouter } from './routes/imports'
import { instrumentsRouter } from './routes/instruments'
import { matchRouter } from './routes/match'
import { projectsRouter } from './routes/projects'
import { reviewRouter } from './routes/review'
import { subscriptionsRouter } from './routes/subscriptions'
import { taxonomyRouter } from './routes/taxonomy'

/** Every API router, in the order they are mounted (and documented); each owns its routes' contracts. */
export const API_ROUTERS = [
  healthRouter,
  taxonomyRouter,
  instrumentsRouter,
  matchRouter,
  featuresRouter,
  adminRouter,
  archiveRouter,
  reviewRouter,
  projectsRouter,
  importsRouter,
  exportsRouter,
  feedsRouter,
  subscriptionsRouter,
] as const
