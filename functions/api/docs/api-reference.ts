import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { Hono } from 'hono'
import type { AppEnv } from '../lib/types'

/**
 * The interactive API reference at /docs: Swagger UI (swagger-ui-dist) reading /openapi.json,
 * served from this app under the same `default-src 'self'` policy as every other page: its script
 * and stylesheet come from the npm package, it is started by a script file of ours (no inline
 * script), and nothing is loaded from another site.
 *
 * The viewer's files are read from node_modules when first asked for. The deployed API bundle has
 * no node_modules of its own, so the Lambda package carries these files beside the bundle
 * (`BUNDLED_PACKAGE_FILES` in infra/bundling.ts), where the same resolution finds them.
 */
export const VIEWER_PACKAGE = 'swagger-ui-dist'
export const VIEWER_FILES = {
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui.css': 'text/css; charset=utf-8',
} as const
type ViewerFile = keyof typeof VIEWER_FILES

/** Every file of the package this module reads, as paths under node_modules (for the Lambda package). */
export const VIEWER_RUNTIME_FILES = ['package.json', 'LICENSE', 'NOTICE', ...Object.keys(VIEWER_FILES)].map(
  (file) => `${VIEWER_PACKAGE}/${file}`,
)

const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable'
const resolveFromHere = createRequire(import.meta.url)

/** Starts the viewer on the page's element; the spec's URL is a data attribute, not inline script. */
const START_SCRIPT = `(function () {
  var root = document.getElementById('api-reference');
  window.SwaggerUIBundle({
    url: root.getAttribute('data-openapi-url'),
    domNode: root,
    deepLinking: true,
    // The public validator would receive the spec's URL and answer from another site.
    validatorUrl: null,
  });
})();
`
const START_SCRIPT_PATH = `/assets/api-reference.${createHash('sha256').update(START_SCRIPT).digest('hex').slice(0, 12)}.js`

let viewerVersion: string | undefined
const viewerFiles = new Map<ViewerFile, string>()

function readViewerFile(file: string): string {
  return readFileSync(resolveFromHere.resolve(`${VIEWER_PACKAGE}/${file}`), 'utf8')
}

/** The installed viewer's version: part of its files' URLs, so a new version gets new URLs. */
function installedVersion(): string {
  viewerVersion ??= (JSON.parse(readViewerFile('package.json')) as { version: string }).version
  return viewerVersion
}

function viewerFile(file: ViewerFile): string {
  let body = viewerFiles.get(file)
  if (body === undefined) {
    body = readViewerFile(file)
    viewerFiles.set(file, body)
  }
  return body
}

const viewerPath = (file: ViewerFile) => `/assets/swagger-ui/${installedVersion()}/${file}`

function referencePage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>API reference · fundfinder</title>
<link rel="stylesheet" href="${viewerPath('swagger-ui.css')}">
<script src="${viewerPath('swagger-ui-bundle.js')}" defer></script>
<script src="${START_SCRIPT_PATH}" defer></script>
</head>
<body>
<main id="api-reference" data-openapi-url="/openapi.json">
<noscript><p>The interactive reference needs JavaScript. The API is described by <a href="/openapi.json">its OpenAPI document</a>.</p></noscript>
</main>
</body>
</html>
`
}

const isViewerFile = (file: string): file is ViewerFile => Object.hasOwn(VIEWER_FILES, file)

export const apiReferenceRouter = new Hono<AppEnv>()
  .get('/docs', (c) => {
    c.header('Cache-Control', 'no-cache')
    return c.html(referencePage())
  })
  .get(START_SCRIPT_PATH, (c) => {
    c.header('Cache-Control', IMMUTABLE_CACHE)
    c.header('Content-Type', 'text/javascript; charset=utf-8')
    return c.body(START_SCRIPT)
  })
  .get('/assets/swagger-ui/:version/:file', (c) => {
    const { version, file } = c.req.param()
    if (version !== installedVersion() || !isViewerFile(file)) return c.notFound()
    c.header('Cache-Control', IMMUTABLE_CACHE)
    c.header('Content-Type', VIEWER_FILES[file])
    c.header('X-Content-Type-Options', 'nosniff')
    return c.body(viewerFile(file))
  })
