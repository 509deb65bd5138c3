/** Domain errors, thrown by shared code and mapped to HTTP problems at the edge. */
export class DomainError extends Error {
  constructor(message: string) {
    super(message)
    this.name = new.target.name
  }
}

export class InstrumentNotFound extends DomainError {
  constructor(readonly id: string) {
    super(`No instrument with id '${id}'.`)
  }
}

/** The instrument left the catalogue (expired or deleted) and sits in the archive. */
export class InstrumentGone extends DomainError {
  constructor(
    readonly id: string,
    readonly reason: string,
  ) {
    super(`Instrument '${id}' is no longer in the catalogue (${reason}).`)
  }
}

/** A restore asked for an instrument that is in the live catalogue, not in the archive. */
export class InstrumentAlreadyLive extends DomainError {
  constructor(readonly id: string) {
    super(`Instrument '${id}' is already in the catalogue; only archived instruments can be restored.`)
  }
}

export class VersionConflict extends DomainError {
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly actual?: number,
  ) {
    super(
      actual === undefined
        ? `Instrument '${id}' is not at version ${expected}.`
        : `Instrument '${id}' is at version ${actual}, not ${expected}: someone else saved it first. Reload and apply your change again.`,
    )
  }
}

export class DuplicateExternalId extends DomainError {
  constructor(
    readonly externalId: string,
    readonly existingId?: string,
  ) {
    super(`externalId '${externalId}' is already used by instrument '${existingId ?? 'another instrument'}'.`)
  }
}

/** A rule that needs the current time or the stored state, beyond the input's own shape. */
export class BusinessRuleViolation extends DomainError {
  constructor(
    message: string,
    readonly errors: { path: string; message: string }[],
  ) {
    super(message)
  }
}

/** Too many writers raced for the catalogue version; the caller may retry. */
export class WriteContention extends DomainError {}

/**
 * A national contact point (an editor whose token lists countries) touched an instrument outside
 * their countries: they may create, change and review only national or regional instruments of them.
 */
export class OutsideEditorCountries extends DomainError {
  constructor(
    readonly countries: readonly string[],
    readonly instrument: { origin: string; country?: string | undefined },
  ) {
    const where =
      instrument.origin === 'international'
        ? 'an international instrument'
        : `a ${instrument.origin} instrument of ${instrument.country ?? 'no country'}`
    super(
      countries.length === 0
        ? `Your account is limited to countries, but its custom:countries claim names no valid country, so you may not edit ${where}.`
        : `You may edit only national or regional instruments of ${countries.join(', ')}; this is ${where}.`,
    )
  }
}
