// Protocol invariant assertions for the membership state machine: a broken invariant is a bug here,
// never bad input (bad input is rejected by validateMessage before it reaches the state).

export class MembershipInvariantError extends Error {}

export function invariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new MembershipInvariantError(`membership invariant violated: ${message}`);
}
