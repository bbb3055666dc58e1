// The cluster demo's stage: real `pakaya node start` daemons on loopback in temporary homes, and
// the `pakaya` commands the demo runs against them — each a child process, echoed as the user would
// type it. Owns every child it starts: stop() ends them (SIGTERM, then SIGKILL after a deadline)
// and removes the homes, also after an error or a signal; killNow() is the last resort on exit.
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { AdminClient } from '../node/admin-client.js';
import {
  DEMO_COMMAND_MS,
  DEMO_COMMAND_OUTPUT_MAX,
  DEMO_DAEMON_START_MS,
  DEMO_LINE_MAX,
  DEMO_NODE_MEMORY_MIB,
  DEMO_POLL_MS,
  DEMO_STDERR_LINES,
  DEMO_STOP_MS,
} from './demo-limits.js';

/** The package root (dist/src/cli/ is three levels below it). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAKAYA = join(PACKAGE_ROOT, 'bin/pakaya.js');
/** A daemon's first line: `pakaya node <id> (<name>) serving <socket> listening <host>:<port>`. */
const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;

/** The demo was interrupted (a signal, or its own output closed): stop quietly. */
export class DemoAborted extends Error {
  override readonly name = 'DemoAborted';
  constructor(readonly reason: NodeJS.Signals | 'EPIPE') {
    super(`interrupted (${reason})`);
  }
}

/** A step of the demo failed: the message says which and why. */
export class DemoFailure extends Error {
  override readonly name = 'DemoFailure';
}

export interface DemoNode {
  /** n1, n2, n3: the demo's short name (and the home's directory name). */
  readonly label: string;
  /** Node id, 8 hex digits (the node part of NPIDs). */
  readonly id: string;
  readonly port: number;
  /** The home, absolute. */
  readonly home: string;
  readonly child: ChildProcess;
  /** Resolves when the daemon has exited. */
  readonly exited: Promise<unknown>;
  /** The last lines of its stderr (at most DEMO_STDERR_LINES). */
  readonly stderr: string[];
  alive: boolean;
  /** The demo asked it to end (kill -9, stop): its exit is expected. */
  stopping: boolean;
}

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CommandOptions {
  /** Print `$ pakaya ...` before running it (default true). */
  echo?: boolean;
  /** Relay its stdout line by line as it comes (default: as echo). */
  show?: boolean;
  /** Deadline for the command (default DEMO_COMMAND_MS). */
  timeoutMs?: number;
}

const { signals } = constants;

const cut = (line: string): string =>
  line.length > DEMO_LINE_MAX ? `${line.slice(0, DEMO_LINE_MAX)}...` : line;

export class DemoCluster {
  /** The temporary directory that holds every home; removed by stop(). */
  readonly root: string;
  readonly nodes: DemoNode[] = [];
  private readonly children = new Set<ChildProcess>();
  private stopped: Promise<void> | undefined;
  /** Set when a daemon ended on its own: the next check() throws it. */
  private failure: DemoFailure | undefined;
  /** Arguments shown by a name in echoed commands (a join token as "$TOKEN1"). */
  private readonly aliases = new Map<string, string>();

  /** The progress line shown under the output on a terminal (redrawn after each line written). */
  private status: string | undefined;

  constructor(
    private readonly signal: AbortSignal,
    /** Writes demo output as it is given. */
    private readonly write: (text: string) => void,
    /** The output is a terminal: a progress line is redrawn in place. */
    readonly tty = false,
  ) {
    this.root = mkdtempSync(join(tmpdir(), 'pakaya-demo-'));
  }

  /** Writes demo output (whole lines), keeping a progress line, if any, below it. */
  out(text: string): void {
    if (this.status === undefined) this.write(text);
    else this.write(`\r\x1b[K${text}${this.status}`);
  }

  /**
   * Shows a progress line: on a terminal it replaces the previous one in place (undefined clears
   * it); elsewhere each is a line of its own (undefined does nothing).
   */
  progress(text: string | undefined): void {
    if (!this.tty) {
      if (text !== undefined) this.write(`${text}\n`);
      return;
    }
    this.write(text === undefined ? '\r\x1b[K' : `\r${text}\x1b[K`);
    this.status = text;
  }

  /** Throws DemoAborted once the demo was interrupted, DemoFailure once a daemon died unasked. */
  check(): void {
    if (this.signal.aborted) throw new DemoAborted(this.signal.reason as NodeJS.Signals | 'EPIPE');
    if (this.failure !== undefined) throw this.failure;
  }

  /** Waits `ms`, or less if the demo is interrupted (then throws DemoAborted). */
  async pause(ms: number): Promise<void> {
    this.check();
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.signal.addEventListener('abort', done);
    });
    this.check();
  }

  /** Polls `check` until it gives a value, failing with `what` after `ms`. */
  async waitFor<T>(what: string, check: () => Promise<T | undefined>, ms: number): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      this.check();
      const value = await check().catch(() => undefined);
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new DemoFailure(`timed out after ${ms / 1000} s waiting for ${what}`);
      await this.pause(DEMO_POLL_MS);
    }
  }

  /** Shows `value` as `"$name"` in echoed commands from now on. */
  alias(value: string, name: string): void {
    this.aliases.set(value, `$${name}`);
  }

  /** The command line as the user would type it in the demo's directory. */
  private display(args: string[]): string {
    return args
      .map((a) => {
        const alias = this.aliases.get(a);
        if (alias !== undefined) return `"${alias}"`;
        if (a.startsWith(this.root)) return relative(this.root, a) || '.';
        if (a.startsWith(PACKAGE_ROOT)) return relative(PACKAGE_ROOT, a);
        return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`;
      })
      .join(' ');
  }

  /** Runs `pakaya args...` to completion (in the demo's directory), within a deadline. */
  async pakaya(args: string[], options: CommandOptions = {}): Promise<Outcome> {
    this.check();
    const echo = options.echo ?? true;
    const show = options.show ?? echo;
    const timeoutMs = options.timeoutMs ?? DEMO_COMMAND_MS;
    if (echo) this.out(`$ pakaya ${this.display(args)}\n`);
    const child = spawn(process.execPath, [PAKAYA, ...args], {
      cwd: this.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    let stdout = '';
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < DEMO_COMMAND_OUTPUT_MAX) stderr += chunk;
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (stdout.length < DEMO_COMMAND_OUTPUT_MAX) stdout += `${line}\n`;
      if (show) this.out(`  ${cut(line)}\n`);
    });
    const closed = once(lines, 'close');
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    const onAbort = (): void => {
      child.kill('SIGKILL');
    };
    this.signal.addEventListener('abort', onAbort);
    try {
      const [code, sig] = await exited;
      await closed;
      this.check();
      if (timedOut)
        throw new DemoFailure(`pakaya ${this.display(args)} took longer than ${timeoutMs / 1000} s`);
      if (show && stderr.trim() !== '')
        for (const line of stderr.trimEnd().split('\n')) this.out(`  ${cut(line)}\n`);
      return { code: code ?? 128 + signalNumber(sig), stdout, stderr };
    } finally {
      clearTimeout(timer);
      this.signal.removeEventListener('abort', onAbort);
      this.children.delete(child);
    }
  }

  /**
   * Shows `pakaya args...` and its output where the command's work is one call into the code the
   * CLI runs for it (the admin client, the identity store): `run` does it in this process, which
   * spares a Node.js start per step. A failure fails the demo with the command's message.
   */
  async inline(args: string[], run: () => Promise<string>, options: { echo?: string } = {}): Promise<string> {
    this.check();
    this.out(options.echo ?? `$ pakaya ${this.display(args)}\n`);
    let text: string;
    try {
      text = await run();
    } catch (err) {
      throw new DemoFailure(`pakaya ${this.display(args)} failed: ${(err as Error).message}`);
    }
    this.check();
    if (options.echo === undefined)
      for (const line of text.trimEnd().split('\n')) if (line !== '') this.out(`  ${cut(line)}\n`);
    return text;
  }

  /** Runs a command that must succeed (exit 0), else fails the demo with its stderr. */
  async must(args: string[], options: CommandOptions = {}): Promise<Outcome> {
    const r = await this.pakaya(args, options);
    if (r.code !== 0)
      throw new DemoFailure(
        `pakaya ${this.display(args)} failed (exit ${r.code}): ${r.stderr.trim() || r.stdout.trim()}`,
      );
    return r;
  }

  /**
   * Starts `pakaya node start` on a new home `label` under the demo's directory and waits for its
   * listening line; from then on its stdout is relayed, each line prefixed with the label.
   */
  async startNode(label: string, extra: string[] = []): Promise<DemoNode> {
    this.check();
    const home = join(this.root, label);
    const args = [
      'node',
      'start',
      '--home',
      home,
      '--memory',
      String(DEMO_NODE_MEMORY_MIB),
      '--listen',
      '127.0.0.1:0',
      ...extra,
    ];
    this.out(`$ pakaya ${this.display(args)} &\n`);
    const child = spawn(process.execPath, [PAKAYA, ...args], {
      cwd: this.root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.add(child);
    const exited = once(child, 'exit').then(() => {
      this.children.delete(child);
    });
    const stderr: string[] = [];
    createInterface({ input: child.stderr as NodeJS.ReadableStream }).on('line', (line) => {
      stderr.push(cut(line));
      if (stderr.length > DEMO_STDERR_LINES) stderr.shift();
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    const first = await new Promise<string | undefined>((resolve) => {
      const timer = setTimeout(() => finish(undefined), DEMO_DAEMON_START_MS);
      const onLine = (line: string): void => {
        if (LISTENING.test(line)) finish(line);
      };
      const onAbort = (): void => finish(undefined);
      const finish = (line: string | undefined): void => {
        clearTimeout(timer);
        lines.off('line', onLine);
        this.signal.removeEventListener('abort', onAbort);
        resolve(line);
      };
      lines.on('line', onLine);
      exited.then(() => finish(undefined));
      this.signal.addEventListener('abort', onAbort);
    });
    this.check();
    const m = first === undefined ? null : LISTENING.exec(first);
    if (m === null) {
      child.kill('SIGKILL');
      await exited;
      throw new DemoFailure(
        `node ${label} did not start within ${DEMO_DAEMON_START_MS / 1000} s${stderr.length ? `: ${stderr.join(' / ')}` : ''}`,
      );
    }
    const node: DemoNode = {
      label,
      id: m[1] as string,
      port: Number(m[2]),
      home,
      child,
      exited,
      stderr,
      alive: true,
      stopping: false,
    };
    exited.then(() => {
      node.alive = false;
      // A daemon that ends while the demo runs, unasked, ends the demo with what it said.
      if (!node.stopping && this.stopped === undefined && this.failure === undefined)
        this.failure = new DemoFailure(
          `node ${label} (${node.id}) exited unexpectedly (${describeExit(child)})${stderr.length ? `: ${stderr.join(' / ')}` : ''}`,
        );
    });
    this.out(`  ${label}: node ${node.id} listening on 127.0.0.1:${node.port}\n`);
    lines.on('line', (line) => this.out(`  ${label} | ${cut(line)}\n`));
    this.nodes.push(node);
    return node;
  }

  /** The admin client of a node's home (for polling; the shown steps run commands). */
  admin(node: DemoNode): AdminClient {
    return new AdminClient(node.home, DEMO_COMMAND_MS);
  }

  /** kill -9 of a node's daemon; resolves once it is gone. */
  async kill9(node: DemoNode): Promise<void> {
    this.out(`$ kill -9 ${node.child.pid}    # node ${node.label} (${node.id})\n`);
    node.stopping = true;
    node.child.kill('SIGKILL');
    await node.exited;
  }

  /**
   * Stops every child (SIGTERM; SIGKILL after DEMO_STOP_MS) and removes the demo's directory.
   * Idempotent; never throws.
   */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      const children = [...this.children];
      for (const child of children) child.kill('SIGTERM');
      const all = Promise.all(
        children.map((c) => (c.exitCode !== null || c.signalCode !== null ? undefined : once(c, 'exit'))),
      );
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), DEMO_STOP_MS);
      });
      if ((await Promise.race([all, late])) === 'late') {
        for (const child of this.children) child.kill('SIGKILL');
        await all;
      }
      clearTimeout(timer);
      this.removeRoot();
    })();
    return this.stopped;
  }

  /** Last resort when the demo's process exits: SIGKILL what still runs, remove the homes (sync). */
  killNow(): void {
    for (const child of this.children) child.kill('SIGKILL');
    this.removeRoot();
  }

  private removeRoot(): void {
    try {
      rmSync(this.root, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A home a killed daemon was still writing; nothing more to do at exit.
    }
  }
}

const describeExit = (child: ChildProcess): string =>
  child.signalCode !== null ? `killed by ${child.signalCode}` : `exit ${child.exitCode}`;

const signalNumber = (sig: NodeJS.Signals | null): number => (sig === null ? 0 : signals[sig]);
