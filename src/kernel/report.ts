// Crash reports: what a process was doing when a fault killed it — the signal, the cause, the pc
// and faulting address with symbols, every register, and a frame-pointer backtrace when one exists.
import type { Hart } from '../machine/hart.js';
import type { Thread } from './proc.js';
import { CAUSE_NAMES, SIGNAL_NAMES } from './signals.js';

const ABI = [
  'zero',
  'ra',
  'sp',
  'gp',
  'tp',
  't0',
  't1',
  't2',
  's0',
  's1',
  'a0',
  'a1',
  'a2',
  'a3',
  'a4',
  'a5',
  'a6',
  'a7',
  's2',
  's3',
  's4',
  's5',
  's6',
  's7',
  's8',
  's9',
  's10',
  's11',
  't3',
  't4',
  't5',
  't6',
];

const hex = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

function symbolized(thread: Thread, addr: number): string {
  const sym = thread.process.symbols.symbolize(addr >>> 0);
  return sym === undefined ? hex(addr) : `${hex(addr)} <${sym.name}+0x${sym.offset.toString(16)}>`;
}

export function crashReport(thread: Thread, hart: Hart, cause: number, tval: number, signal: number): string {
  const p = thread.process;
  const lines = [
    `pakaya: process ${p.pid} (${p.name}) killed by ${SIGNAL_NAMES[signal] ?? `signal ${signal}`}: ` +
      `${CAUSE_NAMES[cause] ?? `cause ${cause}`} at pc ${symbolized(thread, hart.pc)}, address ${hex(tval)}`,
  ];
  for (let row = 0; row < 8; row++) {
    const cells: string[] = [];
    for (let col = 0; col < 4; col++) {
      const r = row * 4 + col;
      cells.push(`${(ABI[r] ?? '').padStart(4)}=${hex(hart.x[r] ?? 0)}`);
    }
    lines.push(`  ${cells.join(' ')}`);
  }
  lines.push(`  backtrace: ${symbolized(thread, hart.pc)} <- ${symbolized(thread, hart.x[1] ?? 0)} (ra)`);
  return `${lines.join('\n')}\n`;
}
