import { createApp } from './app'
import { apiLambdaHandler } from './lambda-handler'

/** Entry of the write function (`API_SURFACE=write`): the whole app, refusing the public routes. */
export const handler = apiLambdaHandler(createApp)
