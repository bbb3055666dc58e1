// The whole-node scenarios `pakaya sim --mode nodes --scenario NAME` runs, by name.
import { checkpointRestore } from './checkpoint-restore.js';
import { migratePortsScenario, migrateScenario } from './migrate.js';
import { recoveryScenario } from './recovery.js';
import { remoteIpcScenario } from './remote-ipc.js';
import type { Scenario } from './types.js';

export const SCENARIOS: readonly Scenario[] = [
  checkpointRestore,
  recoveryScenario,
  remoteIpcScenario,
  migrateScenario,
  migratePortsScenario,
];

export const DEFAULT_SCENARIO = checkpointRestore.name;

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
