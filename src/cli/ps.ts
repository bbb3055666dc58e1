// `pakaya ps`: the process table of the node at --home, as a table or (--json) as a JSON array.
import { NAME_SHOWN_MAX } from '../node/limits.js';
import type { ProcessInfo } from '../node/node-kernel.js';
import { printable } from '../node/printable.js';
import { type AdminOptions, adminClient } from './admin.js';
import { writeAll } from './io.js';

const COLUMNS: Column<ProcessInfo>[] = [
  ['NPID', 'left', (p) => p.npid],
  ['PID', 'right', (p) => String(p.pid)],
  ['PPID', 'right', (p) => String(p.ppid)],
  ['STATE', 'left', (p) => (p.blockedOn ? `${p.state}:${p.blockedOn}` : p.state)],
  ['PRI', 'right', (p) => String(p.priority)],
  ['THREADS', 'right', (p) => String(p.threads)],
  ['CPU', 'right', (p) => String(p.cpuInstructions)],
  ['MEM', 'right', (p) => String(p.memoryPages)],
  // The name is guest-chosen: control characters are escaped so it cannot rewrite the terminal.
  ['NAME', 'left', (p) => printable(p.name.slice(0, NAME_SHOWN_MAX))],
];

/** A row of `ps --all`: a process table row with the node it runs on. */
export type ClusterRowView = ProcessInfo & { node: string };

type Column<T> = [string, 'left' | 'right', (p: T) => string];

/** Lays the rows out in aligned columns; the last column is not padded. */
function layout<T>(columns: Column<T>[], processes: T[]): string {
  const cells = [
    columns.map(([title]) => title),
    ...processes.map((p) => columns.map(([, , cell]) => cell(p))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  return cells
    .map((row) =>
      row
        .map((cell, i) => {
          if (i === row.length - 1) return cell;
          return columns[i]![1] === 'right' ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!);
        })
        .join('  '),
    )
    .join('\n')
    .concat('\n');
}

export function formatTable(processes: ProcessInfo[]): string {
  return layout(COLUMNS, processes);
}

/** The cluster-wide table: a NODE column first. */
export function formatClusterTable(rows: ClusterRowView[]): string {
  const columns: Column<ClusterRowView>[] = [['NODE', 'left', (p) => p.node], ...COLUMNS];
  return layout(columns, rows);
}

export async function psCommand(options: AdminOptions & { json: boolean }): Promise<number> {
  const processes = await adminClient(options).processes();
  await writeAll(
    process.stdout,
    options.json ? `${JSON.stringify(processes, null, 2)}\n` : formatTable(processes),
  );
  return 0;
}
