import { handle } from 'hono/aws-lambda'
import { createApp } from './app'
import { productionDeps } from './deps'

export const handler = handle(createApp(await productionDeps()))
