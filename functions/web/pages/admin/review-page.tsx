import type { ReviewItem } from '../../../../shared/catalogue/editing'
import type { FeatureSuggestion } from '../../../../shared/catalogue/features/suggest-features'
import type { ReviewReason } from '../../../../shared/catalogue/instrument'
import { DataTable } from '../../components/data-table'
import { FeatureCheckboxes } from '../../components/feature-checkboxes'
import { DeadlineText, Notice } from '../../components/instrument-bits'
import { Layout, type SignedInUser } from '../../components/layout'
import { capitalise, formatDate, whereLabel } from '../../lib/format'
import { highlightEvidence } from '../../lib/highlight'
import { AdminNav } from './instruments-page'

export function ReasonBadge({ reason }: { reason: ReviewReason }) {
  return (
    <span class={`reason ${reason}`}>{reason === 'held' ? 'Held, not public' : 'Features suggested'}</span>
  )
}

export interface ReviewQueuePageProps {
  user: SignedInUser
  items: ReviewItem[]
  nextCursor?: string | undefined
  now: Date
  flash?: string | undefined
}

/** `/admin/review`: what waits for an editor, oldest first. */
export function ReviewQueuePage({ user, items, nextCursor, now, flash }: ReviewQueuePageProps) {
  return (
    <Layout title="Review queue" section="admin" user={user}>
      <h1>Review queue</h1>
      <AdminNav current="review" />
      <p class="lead">
        Instruments whose features were suggested automatically, oldest first. Held ones are not public until
        you save their features; the others are public, marked "Features suggested automatically", until you
        confirm them.
        {user.countries
          ? ` You see the national and regional instruments of ${user.countries.join(', ')}.`
          : ''}
      </p>
      {flash ? <Notice tone="ok">{flash}</Notice> : null}
      {items.length === 0 ? (
        <p>Nothing waits for review.</p>
      ) : (
        <DataTable
          caption="Instruments waiting for review"
          columns={['Instrument', 'Why', 'Where', 'Deadline', 'Waiting since']}
        >
          {items.map(({ instrument, reason }) => (
            <tr>
              <td>
                <a href={`/admin/review/${encodeURIComponent(instrument.id)}`}>
                  {instrument.name}
                  <span class="visually-hidden">: review its features</span>
                </a>
                <br />
                <span class="muted">
                  {capitalise(instrument.kind)}
                  {instrument.funder ? ` · ${instrument.funder}` : ''}
                </span>
              </td>
              <td>
                <ReasonBadge reason={reason} />
              </td>
              <td>{whereLabel(instrument)}</td>
              <td>
                <DeadlineText deadline={instrument.deadline} now={now} />
              </td>
              <td>{formatDate(instrument.createdAt)}</td>
            </tr>
          ))}
        </DataTable>
      )}
      {nextCursor ? (
        <p>
          <a href={`/admin/review?cursor=${encodeURIComponent(nextCursor)}`}>More instruments</a>
        </p>
      ) : null}
    </Layout>
  )
}

/** The text with every piece of evidence marked; each mark names the features it is evidence for. */
function EvidenceText({ text, suggestions }: { text: string; suggestions: FeatureSuggestion[] }) {
  return (
    <>
      {highlightEvidence(text, suggestions).map((segment) =>
        segment.features ? (
          <mark title={`Evidence for ${segment.features.join('; ')}`}>{segment.text}</mark>
        ) : (
          segment.text
        ),
      )}
    </>
  )
}

/** The note beside a feature's checkbox: how strong its evidence is and which words gave it. */
function suggestionNotes(suggestions: FeatureSuggestion[]): Record<string, string> {
  return Object.fromEntries(
    suggestions.map((suggestion) => [
      suggestion.code,
      `${suggestion.confident ? 'Suggested' : 'Weak evidence'} (${suggestion.score.toFixed(2)}): ${suggestion.evidence.join(', ')}`,
    ]),
  )
}

export interface ReviewInstrumentPageProps {
  user: SignedInUser
  item: ReviewItem
  /** The ticked features: the stored ones at first, what the editor sent after a failed save. */
  selected: readonly string[]
  errors?: string[] | undefined
  /** Set when someone else saved the instrument after this page was loaded. */
  conflict?: boolean
  now: Date
}

/**
 * `/admin/review/{id}`: the call's text with the evidence marked, beside the feature checkboxes
 * (ticked with the stored, suggested features). Saving is the editor's replace: it confirms the
 * features and publishes a held instrument.
 */
export function ReviewInstrumentPage({
  user,
  item,
  selected,
  errors,
  conflict,
  now,
}: ReviewInstrumentPageProps) {
  const { instrument, reason, suggestions } = item
  const action = `/admin/review/${encodeURIComponent(instrument.id)}`
  return (
    <Layout title={`Review ${instrument.name}`} section="admin" user={user}>
      <h1>Review the features of {instrument.name}</h1>
      <AdminNav current="review" />
      {conflict ? (
        <Notice tone="warn" title="Someone else saved this instrument first">
          <p>
            It changed while you were reviewing it, so your choice was not saved.{' '}
            <a href={action}>Reload it</a> and review it again.
          </p>
        </Notice>
      ) : null}
      <p>
        <ReasonBadge reason={reason} />{' '}
        {reason === 'held'
          ? 'Not public until an editor sets its features: saving them publishes it.'
          : 'Public, marked "Features suggested automatically". Saving confirms the features you tick.'}
      </p>
      <div class="review-layout">
        <section class="review-text" aria-labelledby="review-text-heading">
          <h2 id="review-text-heading">The call's text</h2>
          <p class="lead">
            Words that suggested a feature are <mark>marked</mark>; hover a mark to see which feature.
          </p>
          <h3>
            <EvidenceText text={instrument.name} suggestions={suggestions} />
          </h3>
          {instrument.description ? (
            <p class="description">
              <EvidenceText text={instrument.description} suggestions={suggestions} />
            </p>
          ) : (
            <p class="muted">No description.</p>
          )}
          <dl class="facts">
            <dt>Where</dt>
            <dd>{whereLabel(instrument)}</dd>
            <dt>Deadline</dt>
            <dd>
              <DeadlineText deadline={instrument.deadline} now={now} />
            </dd>
            {instrument.source ? (
              <>
                <dt>Source</dt>
                <dd>
                  <a href={instrument.source.url} rel="noopener noreferrer" target="_blank">
                    {instrument.source.id} (opens in a new tab)
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
          <h2>Why each feature was suggested</h2>
          {suggestions.length === 0 ? (
            <p>The text gives no evidence for any feature: choose them from the official page.</p>
          ) : (
            <ul class="evidence-list">
              {suggestions.map((suggestion) => (
                <li>
                  <strong>
                    {suggestion.code} {suggestion.label}
                  </strong>{' '}
                  <span class="muted">
                    score {suggestion.score.toFixed(2)}
                    {suggestion.confident ? '' : ', below the threshold'}
                  </span>
                  :{' '}
                  {suggestion.evidence.map((phrase, index) => [index > 0 ? ', ' : '', <mark>{phrase}</mark>])}
                </li>
              ))}
            </ul>
          )}
        </section>
        <form method="post" action={action}>
          <input type="hidden" name="csrf" value={user.csrfToken} />
          <input type="hidden" name="version" value={String(instrument.version)} />
          <FeatureCheckboxes
            selected={selected}
            notes={suggestionNotes(suggestions)}
            errors={errors}
            legend="Features (at least one)"
          />
          <div class="actions">
            <button type="submit">
              {reason === 'held' ? 'Publish with these features' : 'Confirm these features'}
            </button>
            <a href={`/admin/instruments/${encodeURIComponent(instrument.id)}/edit`}>Edit every field</a>
          </div>
        </form>
      </div>
    </Layout>
  )
}
