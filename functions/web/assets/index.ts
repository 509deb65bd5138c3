import { createHash } from 'node:crypto'
import { APP_SCRIPT } from './app-script'
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
} as const

export const IMMUTABLE_CACHE = 'public, max-age=31536000, immutable'
