// Lockstep differential tests of the JIT against the interpreter: every conformance ELF (bare
// metal: traps, interrupts, paging, MPRV, fence.i, HTIF) and every golden user program run through
// the kernel (hosted mode: ecalls, page faults, budget preemption). Both runs advance by the same
// budgets; any difference in registers, pc, instret, CSRs or RAM fails with the first divergence.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { lockstep } from '../../src/machine/jit/lockstep.js';
import { BareMetalSide, KernelSide, ROOT } from './lockstep-sides.js';

const CONFORMANCE = `${ROOT}tests/conformance/bin/`;
const elfs = readdirSync(CONFORMANCE).filter((n) => n.endsWith('.elf'));

for (const elf of elfs) {
  test(`lockstep conformance ${elf}`, () => {
    const bytes = new Uint8Array(readFileSync(CONFORMANCE + elf));
    let sides: [BareMetalSide, BareMetalSide] | undefined;
    const result = lockstep(
      () => {
        sides = [new BareMetalSide(bytes, 'interp'), new BareMetalSide(bytes, 'jit')];
        return sides;
      },
      { checkpoint: 97, maxUnits: 2_000_000 },
    );
    assert.equal(result.divergence, undefined, result.divergence);
    assert.ok(sides !== undefined);
    assert.equal(sides[1].session.result?.status, 'pass', `${elf} under the JIT: ${sides[1].output}`);
    assert.equal(sides[0].output, sides[1].output);
  });
}

const cases = readFileSync(`${ROOT}test/golden/cases.txt`, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => line.trim().split(/\s+/));

for (const [name, program, ...args] of cases) {
  if (program === undefined) continue;
  test(`lockstep kernel ${name}: ${program} ${args.join(' ')}`, () => {
    // Small, odd checkpoints for the short programs: budgets end at arbitrary points in blocks.
    const short = name !== 'brk';
    const golden = readFileSync(`${ROOT}test/golden/${name}.out`, 'latin1');
    let sides: [KernelSide, KernelSide] | undefined;
    const result = lockstep(
      () => {
        sides = [new KernelSide(program, args, 'interp'), new KernelSide(program, args, 'jit')];
        return sides;
      },
      short
        ? { checkpoint: 10_007, maxUnits: 200_000_000, memoryEvery: 64 }
        : { checkpoint: 1_000_003, maxUnits: 200_000_000 },
    );
    assert.equal(result.divergence, undefined, result.divergence);
    assert.ok(sides !== undefined);
    assert.ok(sides[1].finished, `${program} did not finish`);
    assert.equal(`${sides[1].stdout}exit=${sides[1].exitCode}\n`, golden);
    assert.equal(sides[0].output, sides[1].output);
    assert.equal(sides[0].exitCode, sides[1].exitCode);
  });
}

/** A side that corrupts x5 once it has run `at` units: the lockstep must catch and locate it. */
class CorruptingSide extends KernelSide {
  private ran = 0;
  constructor(private readonly at: number) {
    super('crc32', ['2000'], 'jit');
  }
  override advance(budget: number): void {
    const before = this.ran;
    this.ran += budget;
    if (before <= this.at && this.ran > this.at) {
      super.advance(this.at - before + 1);
      this.machine.hart.x[5] = (this.machine.hart.x[5] ?? 0) ^ 0x40;
      if (this.ran - this.at - 1 > 0) super.advance(this.ran - this.at - 1);
      return;
    }
    super.advance(budget);
  }
}

test('lockstep finds and locates a planted divergence', () => {
  const result = lockstep(() => [new KernelSide('crc32', ['2000'], 'interp'), new CorruptingSide(12_345)], {
    checkpoint: 5_000,
    maxUnits: 1_000_000,
  });
  assert.ok(result.divergence !== undefined, 'the planted divergence was missed');
  assert.match(result.divergence, /first divergence after 12346 budget units/);
  assert.match(result.divergence, /x5: interp 0x[0-9a-f]{8} jit 0x[0-9a-f]{8}/);
});
