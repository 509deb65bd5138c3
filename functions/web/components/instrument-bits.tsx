import type { Child } from 'hono/jsx'
import { type FeatureOrigin, type InstrumentStatus, nextClosing } from '../../../shared/catalogue/instrument'
import { deadlineExpiresAt } from '../../../shared/platform/time'
import {
  CLOSING_SOON_DAYS,
  closesInDays,
  daysUntil,
  featureLabel,
  featuresByCategory,
  formatDeadline,
} from '../lib/format'

export function StatusBadge({ status }: { status: InstrumentStatus }) {
  const label = { open: 'Open', forthcoming: 'Forthcoming', expired: 'Closed' }[status]
  return <span class={`status ${status}`}>{label}</span>
}

/**
 * The deadline with how long is left; open-ended instruments say so. With cut-offs, the time left
 * counts to the next cut-off (`nextClosing`), and says so.
 */
export function DeadlineText({
  deadline,
  cutOffs,
  now,
}: {
  deadline?: string | undefined
  cutOffs?: readonly string[] | undefined
  now: Date
}) {
  if (!deadline) return <span class="muted">Open-ended</span>
  const lastOpen = deadlineExpiresAt(deadline) - 1
  const closing = nextClosing({ deadline, cutOffs: cutOffs ? [...cutOffs] : undefined }, now) ?? lastOpen
  const days = daysUntil(closing, now)
  const soon = days <= CLOSING_SOON_DAYS
  return (
    <span>
      <time datetime={deadline}>{formatDeadline(deadline)}</time>
      <br />
      <span class={soon ? 'closes-soon' : 'muted'}>
        {closing < lastOpen ? `next cut-off ${closesInDays(days)}` : closesInDays(days)}
      </span>
    </span>
  )
}

/**
 * Said wherever an instrument's features are listed while they are still the suggestion engine's
 * (a synced call no editor has reviewed yet), so nobody takes them for an editor's judgement.
 */
export function SuggestedFeaturesNote({
  featureOrigin,
  detail,
}: {
  featureOrigin?: FeatureOrigin | undefined
  /** The detail page says a little more. */
  detail?: boolean
}) {
  if (featureOrigin !== 'suggested') return null
  return detail ? (
    <p class="note">
      Features suggested automatically from the call's text; an editor has not confirmed them yet.
    </p>
  ) : (
    <span class="note">Features suggested automatically</span>
  )
}

export function FeatureTags({
  codes,
  variant,
}: {
  codes: readonly string[]
  variant?: 'matched' | 'missing'
}) {
  if (codes.length === 0) return <span class="muted">none</span>
  return (
    <span>
      {codes.map((code) => (
        <span class={`tag ${variant ?? ''}`} title={featureLabel(code)}>
          {code} {featureLabel(code)}
        </span>
      ))}
    </span>
  )
}

/** An instrument's features under the four taxonomy headings. */
export function FeatureGroups({
  codes,
  headingLevel = 3,
}: {
  codes: readonly string[]
  headingLevel?: 2 | 3
}) {
  return (
    <div class="feature-groups">
      {featuresByCategory(codes).map((category) => (
        <section>
          {headingLevel === 2 ? <h2>{category.label}</h2> : <h3>{category.label}</h3>}
          <ul>
            {category.features.map((feature) => (
              <li>
                <span class="muted">{feature.code}</span> {feature.label}
              </li>
            ))}
          </ul>
        </section>
      ))}
    </div>
  )
}

export function Notice({
  tone,
  title,
  children,
}: {
  tone: 'info' | 'warn' | 'error' | 'ok'
  title?: string
  children?: Child
}) {
  return (
    <div class={`notice ${tone}`} role={tone === 'error' || tone === 'warn' ? 'alert' : 'status'}>
      {title ? <h2>{title}</h2> : null}
      {children}
    </div>
  )
}
