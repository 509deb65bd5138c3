/**
 * Where imports are posted: the one route with a body limit of its own. A module of its own so that
 * the app's body-limit middleware can name it without loading the import routes.
 */
export const IMPORTS_PATH = '/v1/admin/imports'
