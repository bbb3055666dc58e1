// LocalRegistry: a RegistryClient over one in-process state machine and no Raft — for tests and for
// components that need a registry before the cluster exists. Its "log" applies every command at
// once, through the same byte codec as the Raft log, so it exercises the real path.

import { LogRegistryClient } from './log-client.js';
import { RegistryStateMachine } from './state-machine.js';

export class LocalRegistry extends LogRegistryClient {
  /** `term` is the log term every write is applied under (the fencing tokens' term). */
  constructor(term = 1) {
    const sm = new RegistryStateMachine();
    super(sm, {
      propose: async (command) => sm.apply(sm.appliedIndex + 1, term, command),
      readBarrier: async () => {},
    });
  }
}
