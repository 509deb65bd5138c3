import { COUNTRY_CODES, CURRENCY_CODES } from '../../../../shared/catalogue/countries'
import {
  INSTRUMENT_KINDS,
  ORIGINS,
  PERIODICITIES,
  TARGET_ORGANISATIONS,
} from '../../../../shared/catalogue/instrument'
import { FeatureCheckboxes } from '../../components/feature-checkboxes'
import {
  CheckboxGroup,
  type FieldState,
  fieldValues,
  SelectField,
  TextField,
} from '../../components/form-fields'
import { Notice } from '../../components/instrument-bits'
import { Layout, type SignedInUser } from '../../components/layout'
import { capitalise, countriesByName, organisationLabel } from '../../lib/format'
import type { FormErrors } from '../../lib/instrument-form'
import { AdminNav } from './instruments-page'

/** Built when the form is first rendered: naming every country loads ICU data a cold start need not. */
type Option = { value: string; label: string }
let selectOptions: { countries: Option[]; currencies: Option[] } | undefined
function countryAndCurrencyOptions() {
  selectOptions ??= {
    countries: countriesByName(COUNTRY_CODES).map(({ code, name }) => ({ value: code, label: name })),
    currencies: ['EUR', ...[...CURRENCY_CODES].filter((code) => code !== 'EUR').sort()].map((code) => ({
      value: code,
      label: code,
    })),
  }
  return selectOptions
}
const options = (values: readonly string[]) => values.map((value) => ({ value, label: capitalise(value) }))

export interface InstrumentFormPageProps {
  user: SignedInUser
  /** Absent when creating. */
  existing?: { id: string; name: string; version: number } | undefined
  state: FieldState & { errors: FormErrors }
  /** Set when someone else saved the instrument after this form was loaded. */
  conflict?: { currentVersion?: number | undefined } | undefined
}

export function InstrumentFormPage({ user, existing, state, conflict }: InstrumentFormPageProps) {
  const title = existing ? `Edit ${existing.name}` : 'Add an instrument'
  const action = existing ? `/admin/instruments/${encodeURIComponent(existing.id)}` : '/admin/instruments'
  const errorCount = Object.values(state.errors).reduce((sum, list) => sum + (list?.length ?? 0), 0)
  return (
    <Layout title={title} section="admin" user={user}>
      <h1>{title}</h1>
      <AdminNav current="instruments" />
      {conflict ? (
        <Notice tone="warn" title="Someone else saved this instrument first">
          <p>
            While you were editing, another change was saved
            {conflict.currentVersion ? ` (it is now at version ${conflict.currentVersion})` : ''}. Your
            changes have not been saved. <a href={`${action}/edit`}>Reload the latest version</a> and apply
            your changes again; what you typed is still below so you can copy it.
          </p>
        </Notice>
      ) : null}
      {errorCount > 0 && !conflict ? (
        <Notice tone="error" title="The instrument was not saved">
          <p>
            Please correct the {errorCount === 1 ? 'field' : `${errorCount} problems`} marked below.
            {state.errors.form?.length ? ` ${state.errors.form.join(' ')}` : ''}
          </p>
        </Notice>
      ) : null}
      <form method="post" action={action} novalidate>
        <input type="hidden" name="csrf" value={user.csrfToken} />
        {existing ? <input type="hidden" name="version" value={String(existing.version)} /> : null}
        <TextField state={state} name="name" label="Name" required />
        <TextField state={state} name="description" label="Description" multiline />
        <div class="form-grid">
          <SelectField
            state={state}
            name="kind"
            label="Kind"
            required
            emptyLabel="Choose…"
            options={options(INSTRUMENT_KINDS)}
          />
          <SelectField
            state={state}
            name="origin"
            label="Origin"
            required
            emptyLabel="Choose…"
            options={options(ORIGINS)}
          />
          <SelectField
            state={state}
            name="country"
            label="Country"
            hint="Required for national and regional instruments; none for international."
            emptyLabel="None (international)"
            options={countryAndCurrencyOptions().countries}
          />
          <TextField state={state} name="region" label="Region" hint="Regional instruments only." />
          <TextField state={state} name="funder" label="Funder" />
          <TextField state={state} name="programme" label="Programme" />
        </div>
        <TextField
          state={state}
          name="url"
          label="Official link"
          type="url"
          required
          hint="The official page applicants should read (http or https)."
        />
        <div class="form-grid">
          <TextField state={state} name="opensAt" label="Opens on" hint="YYYY-MM-DD" />
          <TextField
            state={state}
            name="deadline"
            label="Deadline"
            hint="YYYY-MM-DD (closes at the end of that day, Brussels time) or a date-time with offset; empty = open-ended."
          />
          <SelectField
            state={state}
            name="periodicity"
            label="Periodicity"
            emptyLabel="Not stated"
            options={options(PERIODICITIES)}
          />
        </div>
        <TextField
          state={state}
          name="cutOffs"
          label="Cut-offs"
          hint="Only for a call with several cut-offs: one date-time with offset per line, ascending, such as 2027-04-15T17:00:00+02:00; the deadline is the last one."
          multiline
        />
        <fieldset>
          <legend>Budget</legend>
          <div class="form-grid">
            <TextField state={state} name="budgetMin" label="Minimum" type="number" />
            <TextField state={state} name="budgetMax" label="Maximum" type="number" />
            <SelectField
              state={state}
              name="budgetCurrency"
              label="Currency"
              options={countryAndCurrencyOptions().currencies}
            />
          </div>
        </fieldset>
        <CheckboxGroup
          state={state}
          name="targetOrganisations"
          legend="For which organisations"
          options={TARGET_ORGANISATIONS.map((value) => ({ value, label: organisationLabel(value) }))}
        />
        <FeatureCheckboxes
          selected={fieldValues(state, 'features')}
          errors={state.errors.features}
          legend="Features (at least one)"
        />
        <TextField
          state={state}
          name="applicationDomains"
          label="Application domains"
          hint="One per line, for example Healthcare."
          multiline
        />
        <TextField
          state={state}
          name="externalId"
          label="External id"
          hint="Identifier in the source catalogue, used to match re-imports (optional)."
        />
        <div class="actions">
          <button type="submit">{existing ? 'Save changes' : 'Add instrument'}</button>
          <a href="/admin">Cancel</a>
        </div>
      </form>
    </Layout>
  )
}
