import { DomainError } from '../catalogue/errors'

/**
 * No project with this id in the caller's organisation. Another organisation's project is
 * indistinguishable from one that never existed: the organisation is part of the key.
 */
export class ProjectNotFound extends DomainError {
  constructor(readonly id: string) {
    super(`No project with id '${id}'.`)
  }
}

export class ProjectVersionConflict extends DomainError {
  constructor(
    readonly id: string,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(
      `Project '${id}' is at version ${actual}, not ${expected}: someone else saved it first. Reload and apply your change again.`,
    )
  }
}

/** A project an import planned to create or update changed in the meantime; nothing was written. */
export class ImportConflict extends DomainError {
  constructor() {
    super('A project changed while the import ran; nothing was imported. Run the import again.')
  }
}
