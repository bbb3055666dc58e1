// `npm run bench`: runs the benchmark programs under Pakaya (the whole `pakaya run` process, so
// start-up counts) with the interpreter and with the JIT, and, when qemu-riscv32 is on PATH, under
// qemu in the same run. Prints per program: instructions retired, interpreter seconds and MIPS, JIT
// seconds and MIPS, qemu seconds, JIT time ÷ qemu time; plus geometric means. Outputs must match
// qemu's. `-- --json` prints JSON; `-- --size small` runs the small sizes; `-- --only a,b` picks
// programs; `-- --jit-only` skips the (slow) interpreter runs.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PAKAYA = `${ROOT}bin/pakaya.js`;

/** Benchmarks with their small sizes (the default size is built into each program). */
const PROGRAMS: Record<string, string> = {
  crc32: '2000000',
  sha256: '250000',
  qsort: '100000',
  matmul: '128',
  dhrystone: '40000',
  ptrchase: '131072',
};

interface Row {
  program: string;
  instructions: number;
  interpSeconds: number | null;
  interpMips: number | null;
  pakayaSeconds: number;
  mips: number;
  qemuSeconds: number | null;
  ratio: number | null;
  outputMatches: boolean | null;
  output: string;
}

async function timed(
  cmd: string,
  args: string[],
): Promise<{ seconds: number; stdout: string; stderr: string }> {
  const start = process.hrtime.bigint();
  const { stdout, stderr } = await run(cmd, args, { maxBuffer: 64 * 1024 * 1024 });
  return { seconds: Number(process.hrtime.bigint() - start) / 1e9, stdout, stderr };
}

async function haveQemu(): Promise<boolean> {
  try {
    await run('qemu-riscv32', ['-version']);
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const json = argv.includes('--json');
  const small = argv.includes('--size') && argv[argv.indexOf('--size') + 1] === 'small';
  const jitOnly = argv.includes('--jit-only');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? (argv[onlyAt + 1] ?? '').split(',') : Object.keys(PROGRAMS);
  const qemu = await haveQemu();
  const rows: Row[] = [];
  for (const program of only) {
    const size = PROGRAMS[program];
    if (size === undefined) throw new Error(`unknown benchmark '${program}'`);
    const elf = `${ROOT}user/bin/${program}.elf`;
    const args = small ? [size] : [];
    const p = await timed(process.execPath, [PAKAYA, 'run', '--stats', '--engine', 'jit', elf, ...args]);
    const stats = /pakaya: (\d+) instructions/.exec(p.stderr);
    const instructions = Number(stats?.[1] ?? 0);
    let interpSeconds: number | null = null;
    if (!jitOnly) {
      const i = await timed(process.execPath, [PAKAYA, 'run', '--stats', '--engine', 'interp', elf, ...args]);
      if (i.stdout !== p.stdout) throw new Error(`${program}: interpreter and JIT outputs differ`);
      interpSeconds = i.seconds;
    }
    let qemuSeconds: number | null = null;
    let outputMatches: boolean | null = null;
    if (qemu) {
      const q = await timed('qemu-riscv32', [elf, ...args]);
      qemuSeconds = q.seconds;
      outputMatches = q.stdout === p.stdout;
    }
    rows.push({
      program,
      instructions,
      interpSeconds,
      interpMips: interpSeconds === null ? null : instructions / interpSeconds / 1e6,
      pakayaSeconds: p.seconds,
      mips: instructions / p.seconds / 1e6,
      qemuSeconds,
      ratio: qemuSeconds === null ? null : p.seconds / qemuSeconds,
      outputMatches,
      output: p.stdout.trim(),
    });
  }
  const ratios = rows.map((r) => r.ratio).filter((r): r is number => r !== null);
  const geomean = ratios.length
    ? Math.exp(ratios.reduce((s, r) => s + Math.log(r), 0) / ratios.length)
    : null;
  const mipsGeomean = Math.exp(rows.reduce((s, r) => s + Math.log(r.mips), 0) / rows.length);
  const interpRows = rows.map((r) => r.interpMips).filter((m): m is number => m !== null);
  const interpGeomean = interpRows.length
    ? Math.exp(interpRows.reduce((s, m) => s + Math.log(m), 0) / interpRows.length)
    : null;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ rows, geomeanRatio: geomean, geomeanMips: mipsGeomean, geomeanInterpMips: interpGeomean }, null, 2)}\n`,
    );
  } else {
    const header =
      'program      instructions  interp s  interp MIPS     jit s   jit MIPS    qemu s  jit/qemu  output';
    process.stdout.write(`${header}\n`);
    for (const r of rows) {
      process.stdout.write(
        `${r.program.padEnd(10)} ${String(r.instructions).padStart(14)} ${(r.interpSeconds?.toFixed(2) ?? '-').padStart(9)} ` +
          `${(r.interpMips?.toFixed(1) ?? '-').padStart(12)} ${r.pakayaSeconds.toFixed(2).padStart(9)} ` +
          `${r.mips.toFixed(1).padStart(10)} ${(r.qemuSeconds?.toFixed(2) ?? '-').padStart(9)} ` +
          `${(r.ratio?.toFixed(2) ?? '-').padStart(9)}  ${r.outputMatches === null ? 'no qemu' : r.outputMatches ? 'matches qemu' : 'DIFFERS'}\n`,
      );
    }
    process.stdout.write(
      `geometric mean: interpreter ${interpGeomean?.toFixed(1) ?? '-'} MIPS, JIT ${mipsGeomean.toFixed(1)} MIPS` +
        (geomean === null ? '\n' : `, JIT ${geomean.toFixed(2)}x qemu time\n`),
    );
  }
  if (rows.some((r) => r.outputMatches === false)) process.exitCode = 1;
}

await main();
