// Differential testing of the two engines: a pair of runs built the same way — one machine on the
// interpreter (the reference), one on the JIT — advance by the same budgets and are compared at every
// checkpoint (registers, pc, instret, privilege, CSRs, exit record, all of RAM). At the first
// checkpoint that differs, fresh pairs are replayed to bisect the budget down to the first
// instruction after which the states differ, and a readable report names it.
import { disassemble } from '../disasm.js';
import type { Machine } from '../machine.js';

/** One side of a lockstep run: a machine plus whatever drives it (a kernel, a bare-metal session). */
export interface LockstepSide {
  readonly machine: Machine;
  /** Advances by `budget` units (instructions; a trap that retires nothing may count as one). */
  advance(budget: number): void;
  /** True when the run has ended (program exited, kernel idle). */
  readonly finished: boolean;
}

export interface LockstepOptions {
  /** Budget units between checkpoints. */
  checkpoint: number;
  /** Give up (without failure) after this many units. */
  maxUnits: number;
  /** Compare RAM only every this many checkpoints (registers and CSRs at each); default 1. */
  memoryEvery?: number;
}

export interface LockstepResult {
  /** Budget units run (to the end, or to the first divergence). */
  units: number;
  checkpoints: number;
  /** Undefined when the runs never differed. */
  divergence: string | undefined;
}

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

const CSR_FIELDS = [
  'priv',
  'mstatus',
  'mie',
  'mipSoft',
  'medeleg',
  'mideleg',
  'mtvec',
  'stvec',
  'mepc',
  'sepc',
  'mcause',
  'scause',
  'mtval',
  'stval',
  'mscratch',
  'sscratch',
  'satp',
  'mcounteren',
  'scounteren',
  'timeOffset',
  'mtimecmp',
  'reservation',
  'instret',
  'pc',
] as const;

/** Differences between two machines' architectural state (empty when equal). */
export function compareMachines(a: Machine, b: Machine, withMemory = true): string[] {
  const out: string[] = [];
  const ha = a.hart;
  const hb = b.hart;
  for (let r = 0; r < 32; r++) {
    if (ha.x[r] !== hb.x[r]) out.push(`x${r}: interp ${hex(ha.x[r] ?? 0)} jit ${hex(hb.x[r] ?? 0)}`);
  }
  for (const f of CSR_FIELDS) {
    if (ha[f] !== hb[f]) out.push(`${f}: interp ${ha[f]} jit ${hb[f]}`);
  }
  for (let i = 0; i < ha.exitInfo.length; i++) {
    if (ha.exitInfo[i] !== hb.exitInfo[i]) {
      out.push(`exitInfo[${i}]: interp ${ha.exitInfo[i]} jit ${hb.exitInfo[i]}`);
    }
  }
  const ma = Buffer.from(a.memory.u8.buffer);
  const mb = Buffer.from(b.memory.u8.buffer);
  if (withMemory && !ma.equals(mb)) {
    let at = 0;
    // Find the first differing word without a byte loop over all of RAM.
    const step = 65536;
    while (at < ma.length && ma.subarray(at, at + step).equals(mb.subarray(at, at + step))) at += step;
    while (at < ma.length && ma[at] === mb[at]) at++;
    out.push(
      `memory at ${hex(a.memory.base + at)}: interp ${ma[at]} jit ${mb[at]} ` +
        `(word interp ${hex(ma.readInt32LE(at & ~3))} jit ${hex(mb.readInt32LE(at & ~3))})`,
    );
  }
  return out;
}

/** The instruction at the hart's pc, disassembled, when it can be read from RAM without paging. */
function describePc(m: Machine): string {
  const pc = m.hart.pc;
  const off = m.memory.offsetOf(pc >>> 0, 4);
  if (off < 0 || m.hart.satp >>> 31 !== 0) return hex(pc);
  const raw = m.memory.read32(off) >>> 0;
  return `${hex(pc)}: ${disassemble((raw & 3) === 3 ? raw : raw & 0xffff, pc)}`;
}

/**
 * Runs `make()`'s pair (interpreter side first, then JIT side) in lockstep. On a divergence the
 * pair is rebuilt and replayed to find the first budget unit after which the states differ.
 */
export function lockstep(make: () => [LockstepSide, LockstepSide], options: LockstepOptions): LockstepResult {
  let [ref, jit] = make();
  let units = 0;
  let checkpoints = 0;
  while (units < options.maxUnits && !(ref.finished && jit.finished)) {
    const step = Math.min(options.checkpoint, options.maxUnits - units);
    ref.advance(step);
    jit.advance(step);
    checkpoints++;
    const finishing = ref.finished || jit.finished || units + step >= options.maxUnits;
    const withMemory = finishing || checkpoints % (options.memoryEvery ?? 1) === 0;
    const diff = compareMachines(ref.machine, jit.machine, withMemory);
    if (diff.length === 0 && ref.finished === jit.finished) {
      units += step;
      continue;
    }
    // Bisect: the states agree after `units` (registers at least) and differ after `units + step`.
    let good = 0;
    let bad = step;
    while (bad - good > 1) {
      const mid = (good + bad) >>> 1;
      [ref, jit] = make();
      if (units > 0) {
        ref.advance(units);
        jit.advance(units);
      }
      ref.advance(mid);
      jit.advance(mid);
      if (compareMachines(ref.machine, jit.machine).length === 0) good = mid;
      else bad = mid;
    }
    // Replay to just before the divergence, then take the last unit.
    [ref, jit] = make();
    if (units + good > 0) {
      ref.advance(units + good);
      jit.advance(units + good);
    }
    const before = `before: interp at ${describePc(ref.machine)}, jit at ${describePc(jit.machine)}`;
    ref.advance(bad - good);
    jit.advance(bad - good);
    const lines = compareMachines(ref.machine, jit.machine);
    if (ref.finished !== jit.finished) lines.push(`finished: interp ${ref.finished} jit ${jit.finished}`);
    return {
      units: units + bad,
      checkpoints,
      divergence: [
        `first divergence after ${units + bad} budget units (instret ${ref.machine.hart.instret})`,
        before,
        ...lines,
      ].join('\n'),
    };
  }
  return { units, checkpoints, divergence: undefined };
}
