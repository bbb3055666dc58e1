// A console that prefixes every complete line a process writes with a tag naming the process
// (`[pid name]` in the demo, `[npid name]` on a long-running node), buffering partial lines per
// process and fd. Writes go to this process's stdout and stderr.
import type { Process } from '../kernel/proc.js';
import type { ConsoleSink } from './host-io.js';

export class TaggedConsole implements ConsoleSink {
  private readonly partial = new Map<string, string>();
  private readonly decoder = new TextDecoder();

  constructor(private readonly tag: (proc: Process) => string) {}

  write(fd: 1 | 2, data: Uint8Array, proc: Process): boolean {
    const key = `${proc.pid}:${fd}`;
    const text = (this.partial.get(key) ?? '') + this.decoder.decode(data);
    const lines = text.split('\n');
    this.partial.set(key, lines.pop() ?? '');
    if (lines.length === 0) return true;
    const tag = `[${this.tag(proc)}] `;
    const stream = fd === 2 ? process.stderr : process.stdout;
    return stream.write(lines.map((line) => `${tag}${line}\n`).join(''));
  }
}
