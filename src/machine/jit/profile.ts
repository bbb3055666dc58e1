// The `--profile` report of a JIT run: where guest time went (hot regions by retired instructions,
// symbolised, and what the interpreter ran) and where host time went (compiles and their host time,
// region calls, exits to the interpreter, cold steps, TLB fills and misses, cache drops and flushes).
import type { JitEngine } from './engine.js';

export type Symbolizer = (pc: number) => string;

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;
const pct = (part: number, whole: number): string =>
  whole > 0 ? `${((100 * part) / whole).toFixed(1).padStart(5)}%` : '    -';

/** Formats the profile; `totalInstructions` is what the hart retired in the run. */
export function formatProfile(
  engine: JitEngine,
  totalInstructions: number,
  symbolize: Symbolizer = hex,
  top = 15,
): string {
  const s = engine.stats;
  const byEntry = new Map<number, { retired: number; calls: number; size: number }>();
  for (const r of engine.cache.regions) {
    const row = byEntry.get(r.entryPc) ?? { retired: 0, calls: 0, size: r.instructions };
    row.retired += r.retired;
    row.calls += r.calls;
    byEntry.set(r.entryPc, row);
  }
  const rows = [...byEntry.entries()].sort((a, b) => b[1].retired - a[1].retired).slice(0, top);
  const inRegions = [...byEntry.values()].reduce((n, r) => n + r.retired, 0);
  const lines = [
    `pakaya profile: ${totalInstructions} instructions retired`,
    `  guest time: ${pct(inRegions, totalInstructions)} in compiled regions, ` +
      `${pct(s.coldInstructions, totalInstructions)} in the interpreter (cold blocks and slow paths)`,
    `  hot regions (entry, instructions retired, share, calls, instructions per call, region size):`,
  ];
  for (const [pc, r] of rows) {
    lines.push(
      `    ${hex(pc)} ${symbolize(pc).padEnd(28)} ${String(r.retired).padStart(12)} ${pct(r.retired, totalInstructions)} ` +
        `${String(r.calls).padStart(10)} ${(r.calls > 0 ? r.retired / r.calls : 0).toFixed(1).padStart(8)} ${String(r.size).padStart(5)}`,
    );
  }
  lines.push(
    `  host time: ${s.compiles} regions compiled (${s.compiledInstructions} instructions, ` +
      `${s.compileMs.toFixed(1)} ms translating and compiling)`,
    `    dispatches into regions ${s.regionCalls}; exits to the interpreter for one instruction ${s.interpretExits}`,
    `    cold steps ${s.coldSteps}; fetch TLB misses ${s.fetchMisses}`,
    `    data TLB fills from compiled code ${s.dataFills} (${s.dataFillFailures} left the region: fault, MMIO, code/hooked frame)`,
    `    code cache: ${engine.cache.compiledInstructions} instructions held, ${engine.cache.drops} frame drops, ${engine.cache.flushes} flushes`,
  );
  return `${lines.join('\n')}\n`;
}
