import { TAXONOMY } from '../../../shared/catalogue/taxonomy'
import { FieldErrors } from './form-fields'

/**
 * The 54 taxonomy features as checkboxes named `features` (the API's parameter), under the four
 * category headings, each labelled with its taxonomy label; optionally with a facet count, and
 * with a note per feature (why it was suggested) that the checkbox is described by.
 */
export function FeatureCheckboxes({
  selected,
  counts,
  notes,
  errors,
  legend = 'Features',
}: {
  selected: readonly string[]
  counts?: Readonly<Record<string, number>> | undefined
  notes?: Readonly<Record<string, string>> | undefined
  errors?: string[] | undefined
  legend?: string
}) {
  const ticked = new Set(selected)
  return (
    <fieldset class="features" aria-describedby={errors?.length ? 'features-error' : undefined}>
      <legend>{legend}</legend>
      <FieldErrors name="features" errors={errors} />
      {TAXONOMY.map((category) => (
        <fieldset>
          <legend>{category.label}</legend>
          <ul class="feature-list">
            {category.features.map((feature) => {
              const id = `feature-${feature.code}`
              const count = counts ? (counts[feature.code] ?? 0) : undefined
              const note = notes?.[feature.code]
              return (
                <li>
                  <label for={id}>
                    <input
                      type="checkbox"
                      id={id}
                      name="features"
                      value={feature.code}
                      checked={ticked.has(feature.code)}
                      aria-describedby={note ? `${id}-note` : undefined}
                    />
                    {feature.label}
                  </label>
                  {note ? (
                    <span class="feature-note" id={`${id}-note`}>
                      {note}
                    </span>
                  ) : null}
                  {count === undefined ? null : (
                    <span class="count" title={`${count} matching instruments`}>
                      {count}
                      <span class="visually-hidden"> matching instruments</span>
                    </span>
                  )}
                </li>
              )
            })}
          </ul>
        </fieldset>
      ))}
    </fieldset>
  )
}
