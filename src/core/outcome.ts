/**
 * What a repository's write came to: done, a row that is not there, or a refusal with its reason.
 * Repositories know no HTTP; the route turns an outcome into its answer (see `settle`).
 */
export type Outcome<T> =
  | { kind: 'done', value: T }
  | { kind: 'missing', what: string }
  | { kind: 'refused', reason: string }

export const done = <T> (value: T): Outcome<T> => ({ kind: 'done', value })
export const missing = (what: string): { kind: 'missing', what: string } => ({ kind: 'missing', what })
export const refused = (reason: string): { kind: 'refused', reason: string } => ({ kind: 'refused', reason })
