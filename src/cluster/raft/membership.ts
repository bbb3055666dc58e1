// The configuration rules: which single membership change may apply to a configuration (at most
// MAX_VOTERS voters and MAX_LEARNERS learners, no removal of the last voter), and quorum sizes.
import type { NodeId } from '../../net/node-id.js';
import { type Result, refuse } from './errors.js';
import { MAX_LEARNERS, MAX_VOTERS } from './limits.js';
import type { ConfChange } from './types.js';

/** Why `change` cannot apply to (voters, learners), or undefined when it can. */
export function confChangeProblem(
  voters: ReadonlySet<NodeId>,
  learners: ReadonlySet<NodeId>,
  change: ConfChange,
): Result | undefined {
  const n = change.node;
  switch (change.type) {
    case 'add-learner':
      if (voters.has(n)) return refuse('already-a-member', `node ${n} is a voter`);
      if (learners.has(n)) return refuse('already-a-member', `node ${n} is already a learner`);
      if (learners.size >= MAX_LEARNERS)
        return refuse('too-many-learners', `at most ${MAX_LEARNERS} learners`);
      return undefined;
    case 'add-voter':
      if (voters.has(n)) return refuse('already-a-member', `node ${n} is already a voter`);
      if (voters.size >= MAX_VOTERS) {
        return refuse('too-many-voters', `at most ${MAX_VOTERS} voters; add node ${n} as a learner`);
      }
      return undefined;
    case 'remove':
      if (!voters.has(n) && !learners.has(n)) return refuse('not-a-member', `node ${n} is not a member`);
      if (voters.has(n) && voters.size === 1) return refuse('last-voter', `node ${n} is the last voter`);
      return undefined;
  }
}

/** Votes needed for a majority of `voters`. */
export function quorumOf(voters: number): number {
  return Math.floor(voters / 2) + 1;
}
