import { apiLambdaHandler } from './lambda-handler'
import { createPublicApp } from './public-app'

/**
 * Entry of the public function (`API_SURFACE=public`): the public routes and pages only, so that a
 * cold start loads no more than they need (./public-app.ts).
 */
export const handler = apiLambdaHandler(createPublicApp)
