import { createHash } from 'node:crypto'
import { APP_SCRIPT } from './app-script'
import { FAVICON_SVG } from './favicon'
import { STYLES } from './styles'

interface Asset {
  path: string
  body: string
  contentType: string
}

function hashed(name: string, extension: string, body: string, contentType: string): Asset {
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 12)
  return { path: `/assets/${name}.${hash}.${extension}`, body, contentType }
}

/**
 * The static assets, each at a URL that contains a hash of its content: a changed file gets a new
 * URL, so browsers may cache every URL for a year without ever seeing a stale stylesheet.
 */
export const ASSETS = {
  styles: hashed('styles', 'css', STYLES, 'text/css; charset=utf-8'),
  script: hashed('app', 'js', APP_SCRIPT, 'text/javascript; charset=utf-8'),
  favicon: hashed('favicon', 'svg', FAVICON_SVG, 'image/svg+xml'),
} as const

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable'

/**
 * /favicon.ico, which browsers ask for by name on pages that link no icon (the API's JSON, a
 * problem): the same SVG, which current browsers accept at that address. Its URL cannot change
 * with its content, so it is cached for a day rather than forever.
 */
export const FAVICON_ICO = { path: '/favicon.ico', cacheControl: 'public, max-age=86400' } as const
