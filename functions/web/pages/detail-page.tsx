import { type Instrument, nextClosingIndex, type SourceName } from '../../../shared/catalogue/instrument'
import type { ArchiveReason } from '../../../shared/catalogue/store/instrument-store'
import { deadlineExpiresAt } from '../../../shared/platform/time'
import {
  DeadlineText,
  FeatureGroups,
  StatusBadge,
  SuggestedFeaturesNote,
} from '../components/instrument-bits'
import { Layout } from '../components/layout'
import {
  capitalise,
  formatBudget,
  formatDate,
  formatDeadline,
  organisationLabel,
  whereLabel,
} from '../lib/format'

const SOURCE_LABELS: Record<SourceName, string> = { 'eu-ft': 'EU Funding & Tenders Portal' }

export function DetailPage({ instrument, now }: { instrument: Instrument; now: Date }) {
  return (
    <Layout title={instrument.name} section="search">
      <p>
        <a href="/">Back to search</a>
      </p>
      <article class="detail">
        <h1>{instrument.name}</h1>
        <p class="lead">
          {capitalise(instrument.kind)} · {whereLabel(instrument)} ·{' '}
          <StatusBadge status={instrument.status} />
        </p>
        {instrument.description ? <p class="description">{instrument.description}</p> : null}
        <p>
          <a class="button" href={instrument.url} rel="noopener noreferrer" target="_blank">
            More information<span class="visually-hidden"> about {instrument.name}</span> (official site,
            opens in a new tab)
          </a>
        </p>
        <h2>Key facts</h2>
        <dl>
          <dt>Funder</dt>
          <dd>{instrument.funder ?? <span class="muted">not stated</span>}</dd>
          <dt>Programme</dt>
          <dd>{instrument.programme ?? <span class="muted">not stated</span>}</dd>
          <dt>Origin</dt>
          <dd>{capitalise(instrument.origin)}</dd>
          <dt>Country</dt>
          <dd>{whereLabel(instrument)}</dd>
          {instrument.opensAt ? (
            <>
              <dt>Opens</dt>
              <dd>{formatDate(instrument.opensAt)}</dd>
            </>
          ) : null}
          <dt>Deadline</dt>
          <dd>
            <DeadlineText deadline={instrument.deadline} cutOffs={instrument.cutOffs} now={now} />
          </dd>
          {instrument.cutOffs?.length ? (
            <>
              <dt>Cut-offs</dt>
              <dd>
                <CutOffList cutOffs={instrument.cutOffs} now={now} />
              </dd>
            </>
          ) : null}
          <dt>Status</dt>
          <dd>
            <StatusBadge status={instrument.status} />
          </dd>
          {instrument.periodicity ? (
            <>
              <dt>Periodicity</dt>
              <dd>{capitalise(instrument.periodicity)}</dd>
            </>
          ) : null}
          <dt>Budget</dt>
          <dd>
            {instrument.budget ? formatBudget(instrument.budget) : <span class="muted">not stated</span>}
          </dd>
          <dt>For</dt>
          <dd>
            {instrument.targetOrganisations?.length ? (
              instrument.targetOrganisations.map(organisationLabel).join(', ')
            ) : (
              <span class="muted">not stated</span>
            )}
          </dd>
          <dt>Last updated</dt>
          <dd>{formatDate(instrument.updatedAt)}</dd>
          {instrument.source ? (
            <>
              <dt>Source</dt>
              <dd>
                {SOURCE_LABELS[instrument.source.name]},{' '}
                <a href={instrument.source.url}>{instrument.source.id}</a>, as read on{' '}
                {formatDate(instrument.source.syncedAt)}
              </dd>
            </>
          ) : null}
        </dl>
        <h2>Features</h2>
        <SuggestedFeaturesNote featureOrigin={instrument.featureOrigin} detail />
        <FeatureGroups codes={instrument.features} />
        {instrument.applicationDomains?.length ? (
          <>
            <h2>Application domains</h2>
            <ul>
              {instrument.applicationDomains.map((domain) => (
                <li>{domain}</li>
              ))}
            </ul>
          </>
        ) : null}
      </article>
    </Layout>
  )
}

/** Every cut-off of a multiple cut-off call, in Brussels time: the passed ones and the next one marked. */
function CutOffList({ cutOffs, now }: { cutOffs: readonly string[]; now: Date }) {
  // The same rule as "closes in N days" and the search: a cut-off has passed once its instant has.
  const next = nextClosingIndex(cutOffs.map(deadlineExpiresAt), now.getTime())
  return (
    <ol class="cut-offs">
      {cutOffs.map((cutOff, index) => {
        const passed = index < next
        return (
          <li class={passed ? 'muted' : undefined}>
            <time datetime={cutOff}>{formatDeadline(cutOff)}</time>
            {passed ? ' (passed)' : index === next ? ' (next)' : ''}
          </li>
        )
      })}
    </ol>
  )
}

/** 410: the call has closed (or was removed); say so plainly and point back to the search. */
export function ClosedPage({
  name,
  deadline,
  reason,
}: {
  name?: string | undefined
  deadline?: string | undefined
  reason: ArchiveReason
}) {
  return (
    <Layout title="This call has closed" section="search">
      <h1>This call has closed</h1>
      {reason === 'expired' ? (
        <p>
          {name ? <strong>{name}</strong> : 'This instrument'}
          {deadline ? ` closed on ${formatDeadline(deadline)}` : ' has closed'} and no longer accepts
          applications.
        </p>
      ) : reason === 'withdrawn' ? (
        <p>
          {name ? <strong>{name}</strong> : 'This call'} was withdrawn: its source no longer lists it as open
          or forthcoming.
        </p>
      ) : (
        <p>{name ? <strong>{name}</strong> : 'This instrument'} has been removed from the catalogue.</p>
      )}
      <p>
        <a href="/">Find open funding</a>
      </p>
    </Layout>
  )
}
