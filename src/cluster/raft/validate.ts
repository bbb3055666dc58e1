// Shape checks for messages from peers, before the protocol looks at them: counters are safe
// non-negative integers, ids are node ids, entries of an append follow its index contiguously with
// terms that never decrease and never pass the sender's term, and every count and size is within
// the named limits. A message that fails is dropped and counted, never trusted and never a crash.
import {
  MAX_APPEND_ENTRIES,
  MAX_CONF_NODES,
  MAX_PROPOSAL_BYTES,
  MAX_READ_CONTEXT_BYTES,
  MAX_SNAPSHOT_BYTES,
  MAX_VOTERS,
} from './limits.js';
import type { Entry, Message } from './types.js';

const counter = (n: number) => Number.isSafeInteger(n) && n >= 0;
const nodeId = (n: number) => Number.isInteger(n) && n >= 1 && n <= 0xffffffff;

function entryProblem(e: Entry, expectedIndex: number, minTerm: number, maxTerm: number): string | undefined {
  if (!counter(e.term) || !counter(e.index)) return 'entry counters';
  if (e.index !== expectedIndex) return `entry ${e.index} where ${expectedIndex} was due`;
  if (e.term < minTerm || e.term > maxTerm)
    return `entry ${e.index} of term ${e.term} outside [${minTerm}, ${maxTerm}]`;
  if (e.kind === 'normal') return e.data.length > MAX_PROPOSAL_BYTES ? 'entry data too large' : undefined;
  if (e.kind === 'conf') return nodeId(e.change.node) ? undefined : 'conf change node id';
  return 'entry kind';
}

/** Why `m` cannot be a valid message, or undefined when it can. */
export function messageProblem(m: Message): string | undefined {
  if (!nodeId(m.from) || !nodeId(m.to)) return 'node ids';
  if (!counter(m.term)) return 'term';
  switch (m.type) {
    case 'append': {
      if (!counter(m.index) || !counter(m.logTerm) || !counter(m.commit)) return 'append counters';
      if (m.logTerm > m.term) return 'append logTerm beyond its term';
      if (m.entries.length > MAX_APPEND_ENTRIES) return `more than ${MAX_APPEND_ENTRIES} entries`;
      let minTerm = m.logTerm;
      for (let i = 0; i < m.entries.length; i++) {
        const e = m.entries[i] as Entry;
        const problem = entryProblem(e, m.index + 1 + i, minTerm, m.term);
        if (problem) return problem;
        minTerm = e.term;
      }
      return undefined;
    }
    case 'append-response':
      return counter(m.index) && counter(m.rejectHint) && counter(m.logTerm)
        ? undefined
        : 'append-response counters';
    case 'vote':
      return counter(m.index) && counter(m.logTerm) && m.logTerm <= m.term ? undefined : 'vote counters';
    case 'heartbeat':
      if (!counter(m.commit)) return 'heartbeat commit';
      return m.context.length > MAX_READ_CONTEXT_BYTES ? 'read context too large' : undefined;
    case 'heartbeat-response':
    case 'read-index':
      return m.context.length > MAX_READ_CONTEXT_BYTES ? 'read context too large' : undefined;
    case 'read-index-response':
      if (!counter(m.index)) return 'read index';
      return m.context.length > MAX_READ_CONTEXT_BYTES ? 'read context too large' : undefined;
    case 'snapshot': {
      const s = m.snapshot;
      if (!counter(s.index) || !counter(s.term) || s.index === 0 || s.term > m.term)
        return 'snapshot counters';
      if (
        s.conf.voters.length > MAX_VOTERS ||
        s.conf.voters.length + s.conf.learners.length > MAX_CONF_NODES
      ) {
        return 'snapshot configuration too large';
      }
      if (![...s.conf.voters, ...s.conf.learners].every(nodeId)) return 'snapshot node ids';
      return s.data.length > MAX_SNAPSHOT_BYTES ? 'snapshot data too large' : undefined;
    }
    case 'transfer-leader':
      return nodeId(m.target) ? undefined : 'transfer target';
    case 'vote-response':
    case 'timeout-now':
      return undefined;
    default:
      return 'unknown message type';
  }
}
