// Typed refusals the Raft core returns to the application (errors as values, not exceptions).

export type RaftErrorCode =
  | 'not-leader'
  | 'transfer-in-progress'
  | 'proposal-too-large'
  | 'too-many-uncommitted'
  | 'conf-change-pending'
  | 'too-many-voters'
  | 'too-many-learners'
  | 'not-a-member'
  | 'already-a-member'
  | 'last-voter'
  | 'no-commit-in-term'
  | 'too-many-reads'
  | 'context-too-large';

export class RaftError extends Error {
  constructor(
    readonly code: RaftErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'RaftError';
  }
}

export type Result = { readonly ok: true } | { readonly ok: false; readonly error: RaftError };

export const OK: Result = { ok: true };

export function refuse(code: RaftErrorCode, message: string): Result {
  return { ok: false, error: new RaftError(code, message) };
}
