// The daemons of one loopback test file: a temporary root for their homes, `pakaya node start` with
// an OS-chosen port (resolved once the node prints its listening line), each node's stdout kept,
// and every node still running killed in after() — so no test leaves a daemon behind.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { startPakaya } from '../cli/pakaya-process.js';

/** The line a node prints once it listens: its id and its port. */
export const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;

export interface Daemon {
  id: string;
  port: number;
  home: string;
  child: ChildProcess;
  exited: Promise<unknown>;
  /** Everything the node printed on stdout after its listening line (guest output tagged `[npid name]`). */
  out: () => string;
  /** The listening line matched (a test with its own `listening` pattern reads more groups). */
  match: RegExpExecArray;
}

export interface StartOptions {
  /** MiB of guest memory (`--memory`). */
  memory: number;
  /** More `node start` arguments. */
  extra?: string[];
  /** The listening line, when the test starts nodes that print more (group 1 the id). */
  listening?: RegExp;
}

export class DaemonSet {
  /** Where the nodes' homes (and anything else the tests write) live. */
  readonly root: string;
  private readonly running = new Set<ChildProcess>();

  constructor(prefix: string) {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    after(() => {
      for (const child of this.running) child.kill('SIGKILL');
    });
  }

  /** The home directory of node `name`. */
  home(name: string): string {
    return join(this.root, name);
  }

  /** Kills `child` in after() if it is still running then (a process a test started itself). */
  track(child: ChildProcess, exited: Promise<unknown>): void {
    this.running.add(child);
    exited.then(() => this.running.delete(child));
  }

  /** Starts node `name` (home under the root) and resolves once it listens. */
  async start(name: string, options: StartOptions): Promise<Daemon> {
    const home = this.home(name);
    const listening = options.listening ?? LISTENING;
    const s = await startPakaya(
      [
        'node',
        'start',
        '--home',
        home,
        '--memory',
        String(options.memory),
        '--listen',
        '127.0.0.1:0',
        ...(options.extra ?? []),
      ],
      listening,
    );
    this.track(s.child, s.exited);
    let out = '';
    s.child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    const match = listening.exec(s.line) as RegExpExecArray;
    return {
      id: match[1] as string,
      port: Number(match[match.length - 1]),
      home,
      child: s.child,
      exited: s.exited,
      out: () => out,
      match,
    };
  }
}
