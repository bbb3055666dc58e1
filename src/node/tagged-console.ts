// A console that prefixes every line a process writes with a tag naming the process (`[pid name]`
// in the demo, `[npid name]` on a long-running node), buffering a partial line per process and fd.
// Bounded and linear: at most CONSOLE_LINE_MAX bytes are held per process and fd (a longer line is
// cut there, at a UTF-8 character boundary, and flushed as it is), each byte is looked at once,
// lines are decoded whole (so a character split across two writes comes out intact), and the last
// line is flushed when the process ends even without a newline. Control characters in guest text
// are escaped (printable.ts) so output cannot rewrite the terminal.
import type { Process } from '../kernel/proc.js';
import type { ConsoleSink } from './host-io.js';
import { CONSOLE_LINE_MAX } from './limits.js';
import { printableLines } from './printable.js';
import { writeOutput } from './std-output.js';

const NEWLINE = 0x0a;

/** A partial line: bytes written since the last newline. */
interface Partial {
  bytes: Uint8Array;
  length: number;
}

/** Where tagged lines go (default: this process's stdout/stderr); returns false for back-pressure. */
export type LineWriter = (fd: 1 | 2, text: string) => boolean;

/** The length of `bytes[0, length)` without a trailing incomplete UTF-8 sequence (at most 3 bytes). */
function completeUtf8(bytes: Uint8Array, length: number): number {
  for (let back = 1; back <= Math.min(3, length); back++) {
    const b = bytes[length - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte: look further back for the lead
    const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
    return need > back ? length - back : length;
  }
  return length;
}

export class TaggedConsole implements ConsoleSink {
  private readonly partial = new Map<string, Partial>();
  private readonly decoder = new TextDecoder();

  constructor(
    private readonly tag: (proc: Process) => string,
    private readonly out: LineWriter = writeOutput,
    private readonly lineMax = CONSOLE_LINE_MAX,
  ) {}

  write(fd: 1 | 2, data: Uint8Array, proc: Process): boolean {
    const key = `${proc.pid}:${fd}`;
    let part = this.partial.get(key);
    const lines: string[] = [];
    let start = 0;
    while (start < data.length) {
      const nl = data.indexOf(NEWLINE, start);
      const end = nl < 0 ? data.length : nl;
      let at = start;
      while (at < end) {
        part ??= { bytes: new Uint8Array(this.lineMax), length: 0 };
        const n = Math.min(end - at, this.lineMax - part.length);
        part.bytes.set(data.subarray(at, at + n), part.length);
        part.length += n;
        at += n;
        if (part.length === this.lineMax) this.cut(part, lines);
      }
      if (nl < 0) break;
      lines.push(this.take(part));
      start = nl + 1;
    }
    if (part !== undefined && part.length > 0) this.partial.set(key, part);
    else this.partial.delete(key);
    return this.emit(fd, proc, lines);
  }

  /** Flushes the process's partial lines (it ended); a line with no newline is not lost. */
  end(proc: Process): boolean {
    let ok = true;
    for (const fd of [1, 2] as const) {
      const key = `${proc.pid}:${fd}`;
      const part = this.partial.get(key);
      this.partial.delete(key);
      if (part !== undefined && part.length > 0) ok = this.emit(fd, proc, [this.take(part)]) && ok;
    }
    return ok;
  }

  /** Bytes held for partial lines (for tests: bounded by lineMax per process and fd). */
  get heldBytes(): number {
    let n = 0;
    for (const part of this.partial.values()) n += part.length;
    return n;
  }

  /** Flushes a full buffer as a line, keeping a trailing incomplete UTF-8 character for the next. */
  private cut(part: Partial, lines: string[]): void {
    let keep = part.length - completeUtf8(part.bytes, part.length);
    if (keep === part.length) keep = 0; // no character boundary at all: cut anyway
    const line = this.decoder.decode(part.bytes.subarray(0, part.length - keep));
    part.bytes.copyWithin(0, part.length - keep, part.length);
    part.length = keep;
    lines.push(line);
  }

  private take(part: Partial | undefined): string {
    if (part === undefined || part.length === 0) return '';
    const line = this.decoder.decode(part.bytes.subarray(0, part.length));
    part.length = 0;
    return line;
  }

  private emit(fd: 1 | 2, proc: Process, lines: string[]): boolean {
    if (lines.length === 0) return true;
    const tag = `[${printableLines(this.tag(proc)).replace(/[\t\n]/g, ' ')}] `;
    let text = '';
    for (const line of lines) text += `${tag}${printableLines(line)}\n`;
    return this.out(fd, text);
  }
}
