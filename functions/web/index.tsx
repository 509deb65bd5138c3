import { adminPages } from './routes/admin-pages'
import { portfolioPages } from './routes/portfolio-pages'
import { publicPages } from './routes/public-pages'
import { signInPages } from './routes/sign-in'
import { subscriptionPages } from './routes/subscription-pages'
import { createWebRouter } from './web-router'

/** Every web page: the public ones and the admin's (the write function, the local server). */
export const webRouter = createWebRouter(
  publicPages,
  signInPages,
  adminPages,
  portfolioPages,
  subscriptionPages,
)
