// Fuzzing the JIT against the interpreter: random programs (gen-program.ts) run in lockstep, seed by
// seed, stopping at the first divergence. CI runs a fixed set of seeds; PAKAYA_FUZZ_SEEDS=n runs
// seeds 1..n, and PAKAYA_FUZZ_FROM=k starts at seed k (a failing seed is a complete bug report).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type LockstepSide, lockstep } from '../../src/machine/jit/lockstep.js';
import { type Engine, Machine } from '../../src/machine/machine.js';
import { generateProgram, RAM_SIZE } from './gen-program.js';

const SEEDS = Number(process.env.PAKAYA_FUZZ_SEEDS ?? 48);
const FROM = Number(process.env.PAKAYA_FUZZ_FROM ?? 1);
const BUDGET = Number(process.env.PAKAYA_FUZZ_BUDGET ?? 40_000);

class GeneratedSide implements LockstepSide {
  readonly machine: Machine;
  constructor(seed: number, engine: Engine) {
    const program = generateProgram(seed);
    this.machine = new Machine({ ramSize: RAM_SIZE, engine });
    this.machine.memory.writeBytes(0, program.image);
    this.machine.hart.pc = program.entry | 0;
    // Half the seeds compile almost at once, so most of their code runs compiled.
    const jit = this.machine.hart.jit;
    if (jit !== undefined && seed % 4 < 2) jit.hotThreshold = 2;
  }
  advance(budget: number): void {
    this.machine.hart.run(budget);
  }
  get finished(): boolean {
    return false;
  }
}

test(`fuzz: ${SEEDS} random programs from seed ${FROM}, interpreter and JIT in lockstep`, () => {
  let traps = 0;
  let compiles = 0;
  let drops = 0;
  let instructions = 0;
  for (let seed = FROM; seed < FROM + SEEDS; seed++) {
    let jit: GeneratedSide | undefined;
    const result = lockstep(
      () => {
        jit = new GeneratedSide(seed, 'jit');
        return [new GeneratedSide(seed, 'interp'), jit];
      },
      { checkpoint: 499, maxUnits: BUDGET },
    );
    assert.equal(
      result.divergence,
      undefined,
      `seed ${seed} (PAKAYA_FUZZ_FROM=${seed}):\n${result.divergence}`,
    );
    const hart = jit?.machine.hart;
    traps += hart?.x[28] ?? 0;
    instructions += hart?.instret ?? 0;
    compiles += hart?.jit?.stats.compiles ?? 0;
    drops += hart?.jit?.cache.drops ?? 0;
  }
  // The generated programs must actually exercise the JIT and the trap paths.
  assert.ok(traps > SEEDS * 10, `only ${traps} traps in ${SEEDS} programs`);
  assert.ok(compiles > SEEDS, `only ${compiles} regions compiled in ${SEEDS} programs`);
  assert.ok(drops > 0, 'no self-modifying store ever dropped compiled code');
  assert.ok(instructions > SEEDS * BUDGET * 0.5, `only ${instructions} instructions retired`);
});
