import { publicPages } from './routes/public-pages'
import { subscriptionPages } from './routes/subscription-pages'
import { createWebRouter } from './web-router'

/**
 * The pages the public function serves: search, details, match, subscribing. The admin's pages
 * (sign-in, instruments, review, portfolios) belong to the write surface, so the public function
 * does not load them (test/api/surfaces.test.ts checks that nothing public is left out).
 */
export const publicWebRouter = createWebRouter(publicPages, subscriptionPages)
