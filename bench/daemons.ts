// Real daemons for the benchmarks: `pakaya node start` on an OS-chosen port (resolved once the
// node prints its listening line, its stdout drained after that so a chatty guest never blocks
// it), one-shot `pakaya` commands, and a pool that kills whatever it started.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const PAKAYA = fileURLToPath(new URL('../../bin/pakaya.js', import.meta.url));
export const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;

export interface BenchDaemon {
  id: string;
  port: number;
  home: string;
  child: ChildProcess;
}

/** Runs `pakaya args...` to its end: its stdout, or a rejection with its stderr. */
export function runPakaya(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [PAKAYA, ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`pakaya ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

/** Bytes of a daemon's stderr kept for the error when it fails to start. */
const STDERR_KEPT = 2000;

export class DaemonPool {
  readonly children = new Set<ChildProcess>();

  /** Starts a node on `home` with `memoryMiB` of guest memory; resolves once it listens. */
  async start(home: string, memoryMiB: number, extra: string[] = []): Promise<BenchDaemon> {
    const child = spawn(
      process.execPath,
      [
        PAKAYA,
        'node',
        'start',
        '--home',
        home,
        '--memory',
        String(memoryMiB),
        '--listen',
        '127.0.0.1:0',
        ...extra,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => {
      if (stderr.length < STDERR_KEPT) stderr += c.toString('utf8');
    });
    for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
      const m = LISTENING.exec(line);
      if (m) {
        child.stdout?.resume(); // keep draining guest output
        return { id: m[1] as string, port: Number(m[2]), home, child };
      }
    }
    throw new Error(`the daemon on ${home} did not start: ${stderr.trim()}`);
  }

  /** Kills every node still running. */
  killAll(signal: NodeJS.Signals = 'SIGKILL'): void {
    for (const c of this.children) c.kill(signal);
  }
}
