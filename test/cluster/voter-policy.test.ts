// The leader's next configuration change (nextConfChange): a voter down long enough leaves first,
// then a live learner is promoted while voters < 5, then a live newcomer joins as a learner; the
// leader never removes itself; suspect or recently dead voters stay; picks are by lowest id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Liveness, nextConfChange, type VoterPolicyInput } from '../../src/cluster/consensus/index.js';
import type { NodeId } from '../../src/net/node-id.js';

const n = (x: number) => x as NodeId;

function input(
  voters: number[],
  learners: number[],
  others: number[],
  states: Record<number, Liveness>,
  down: Record<number, number> = {},
): VoterPolicyInput {
  return {
    self: n(1),
    voters: voters.map(n),
    learners: learners.map(n),
    others: others.map(n),
    liveness: (x) => states[x] ?? 'unknown',
    downSince: (x) => down[x],
    now: 10_000,
    removeAfterMs: 500,
  };
}

test('a voter down long enough is removed before anything else; the lowest id first', () => {
  const states: Record<number, Liveness> = {
    1: 'alive',
    2: 'down',
    3: 'alive',
    4: 'down',
    5: 'alive',
    6: 'alive',
  };
  const step = nextConfChange(input([1, 2, 3, 4, 5], [6], [], states, { 2: 9000, 4: 8000 }));
  assert.deepEqual(step, { kind: 'remove', node: 2 });
  // Down for less than the delay: not yet; a learner cannot be promoted past 5 voters, nothing to do.
  assert.equal(nextConfChange(input([1, 2, 3, 4, 5], [6], [], states, { 2: 9900, 4: 9800 })), undefined);
  // Suspect is not down.
  assert.equal(
    nextConfChange(input([1, 2, 3], [], [], { 1: 'alive', 2: 'suspect', 3: 'alive' }, { 2: 0 })),
    undefined,
  );
  // The leader never removes itself, whatever the view says.
  assert.equal(nextConfChange(input([1, 2], [], [], { 1: 'down', 2: 'alive' }, { 1: 0 })), undefined);
});

test('a live learner is promoted while voters < 5; a live newcomer joins as a learner', () => {
  const states: Record<number, Liveness> = {
    1: 'alive',
    3: 'alive',
    5: 'alive',
    6: 'down',
    7: 'alive',
    8: 'alive',
  };
  assert.deepEqual(nextConfChange(input([1, 3, 5], [7, 6], [8], states, { 6: 0 })), {
    kind: 'promote',
    node: 7,
  });
  assert.deepEqual(nextConfChange(input([1, 3, 5], [6], [8], states, { 6: 0 })), {
    kind: 'add-learner',
    node: 8,
  });
  // Unknown or down newcomers are not added.
  assert.equal(nextConfChange(input([1, 3, 5], [], [9, 6], states, { 6: 0 })), undefined);
  // Five voters: learners wait, a newcomer is still added as a learner.
  assert.deepEqual(nextConfChange(input([1, 2, 3, 4, 5], [7], [8], { ...states, 2: 'alive', 4: 'alive' })), {
    kind: 'add-learner',
    node: 8,
  });
});
