import { ROLES } from '../../../../shared/platform/auth'
import { Notice } from '../../components/instrument-bits'
import { Layout } from '../../components/layout'

/** The local stand-in for Cognito's hosted sign-in: pick a name and a role, get a dev-issuer token. */
export function DevSignInPage({ next, message }: { next: string; message?: string | undefined }) {
  return (
    <Layout title="Sign in" section="admin">
      <h1>Sign in to manage the catalogue</h1>
      <Notice tone="info">
        <p>
          This is the <strong>local development</strong> sign-in: it issues a token from the dev issuer.
          Deployed sites use Cognito's sign-in instead.
        </p>
      </Notice>
      {message ? <Notice tone="warn">{message}</Notice> : null}
      <form method="post" action="/admin/sign-in">
        <input type="hidden" name="next" value={next} />
        <div class="field">
          <label for="field-name">Your name</label>
          <input
            id="field-name"
            name="name"
            type="text"
            value="local-admin"
            required
            autocomplete="username"
          />
        </div>
        <fieldset>
          <legend>Role</legend>
          <div class="inline-choices">
            {ROLES.map((role) => (
              <label>
                <input type="radio" name="role" value={role} checked={role === 'admin'} />
                {role === 'admin' ? 'Admin (edit, delete, archive, audit)' : 'Editor (create and edit)'}
              </label>
            ))}
          </div>
        </fieldset>
        <div class="field">
          <label for="field-org">
            Organisation <span class="hint">(optional: whose project portfolio you work on)</span>
          </label>
          <input id="field-org" name="org" type="text" value="" autocomplete="organization" />
        </div>
        <div class="field">
          <label for="field-countries">
            Countries <span class="hint">(optional)</span>
          </label>
          <span class="hint" id="countries-hint">
            A national contact point: ISO codes such as DK, NO. An editor with countries edits only national
            and regional instruments of them; admins are never limited.
          </span>
          <input
            id="field-countries"
            name="countries"
            type="text"
            value=""
            aria-describedby="countries-hint"
            autocomplete="off"
          />
        </div>
        <button type="submit">Sign in</button>
      </form>
    </Layout>
  )
}

export function SignInUnavailablePage() {
  return (
    <Layout title="Sign in" section="admin">
      <h1>Sign in is not configured</h1>
      <p>
        This deployment has neither Cognito sign-in (COGNITO_DOMAIN and WEB_CLIENT_ID) nor the local dev
        issuer (DEV_ISSUER_KEY_FILE) configured.
      </p>
    </Layout>
  )
}
