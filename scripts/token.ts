/**
 * `npm run --silent token -- --role admin [--org ACME] [--countries DK,NO] [--sub alice] [--ttl 3600]`: prints a bearer
 * token signed by the local dev issuer, which `npm start` trusts. Deployed stacks trust Cognito only.
 * `--countries` makes an editor a national contact point: they may edit only national or regional
 * instruments of those countries.
 */
import { parseArgs } from 'node:util'
import { AuthenticationError, parseCountriesClaim, ROLES, type Role } from '../shared/platform/auth'
import { loadLocalConfig } from '../shared/platform/config'
import { signDevToken } from './lib/dev-issuer'

const { values } = parseArgs({
  options: {
    role: { type: 'string', multiple: true, default: [] },
    org: { type: 'string' },
    countries: { type: 'string' },
    sub: { type: 'string', default: 'local-admin' },
    ttl: { type: 'string', default: '3600' },
  },
})
const roles = values.role.flatMap((role) => role.split(','))
const unknown = roles.filter((role) => !(ROLES as readonly string[]).includes(role))
const ttlSeconds = Number(values.ttl)
let countries: string[] | undefined
try {
  // The same reading the API applies to the claim: a code it would refuse is refused here.
  countries = parseCountriesClaim(values.countries)
} catch (error) {
  if (!(error instanceof AuthenticationError)) throw error
  console.error(error.message.replace("The token's 'custom:countries' claim", '--countries'))
  process.exit(2)
}
if (unknown.length > 0 || !Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
  console.error(
    `usage: npm run --silent token -- --role ${ROLES.join('|')} [--org ORG] [--countries DK,NO] [--sub NAME] [--ttl SECONDS]`,
  )
  process.exit(2)
}
const config = loadLocalConfig()
if (!config.auth.devIssuerKeyFile) {
  console.error('DEV_ISSUER_KEY_FILE is empty: the dev issuer is disabled.')
  process.exit(2)
}
const token = await signDevToken({
  keyFile: config.auth.devIssuerKeyFile,
  issuer: config.auth.issuer,
  audience: config.auth.audience,
  subject: values.sub,
  roles: roles as Role[],
  ...(values.org ? { org: values.org } : {}),
  ...(countries ? { countries } : {}),
  ttlSeconds,
})
console.log(token)
