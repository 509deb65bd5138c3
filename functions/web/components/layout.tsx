import type { Child } from 'hono/jsx'
import { ASSETS } from '../assets'

export type Section = 'search' | 'match' | 'admin' | 'none'

/** The signed-in user as the header shows it, with the CSRF token its sign-out form needs. */
export interface SignedInUser {
  name: string
  roles: string[]
  /** A national contact point's countries: the only ones whose instruments they may edit. */
  countries?: readonly string[] | undefined
  csrfToken: string
}

export interface LayoutProps {
  title: string
  section: Section
  user?: SignedInUser | undefined
  children?: Child
}

const NAV: { section: Section; href: string; label: string }[] = [
  { section: 'search', href: '/', label: 'Find funding' },
  { section: 'match', href: '/match', label: 'Describe your project' },
  { section: 'admin', href: '/admin', label: 'Manage catalogue' },
]

/** Every page: skip link, header with navigation, main landmark, footer. No inline script or style. */
export function Layout({ title, section, user, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${title} · fundfinder`}</title>
        <link rel="icon" href={ASSETS.favicon.path} type="image/svg+xml" />
        <link rel="stylesheet" href={ASSETS.styles.path} />
        <script src={ASSETS.script.path} defer />
      </head>
      <body>
        <a class="skip-link" href="#main">
          Skip to content
        </a>
        <header class="site-header">
          <div class="inner">
            <a class="brand" href="/">
              fundfinder
            </a>
            <nav aria-label="Main">
              <ul>
                {NAV.map((item) => (
                  <li>
                    <a href={item.href} aria-current={item.section === section ? 'page' : undefined}>
                      {item.label}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            {user ? (
              <div class="who">
                <span>
                  Signed in as <strong>{user.name}</strong> ({user.roles.join(', ') || 'no role'}
                  {user.countries ? ` for ${user.countries.join(', ') || 'no country'}` : ''})
                </span>
                <form method="post" action="/admin/sign-out">
                  <input type="hidden" name="csrf" value={user.csrfToken} />
                  <button type="submit" class="secondary">
                    Sign out
                  </button>
                </form>
              </div>
            ) : null}
          </div>
        </header>
        <main id="main" class="inner">
          {children}
        </main>
        <footer class="site-footer">
          <div class="inner">
            Public funding instruments described by the SecurIT feature taxonomy. Always check the details at
            the official source. <a href="/docs">API</a>
          </div>
        </footer>
      </body>
    </html>
  )
}
