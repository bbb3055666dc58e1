// Test helper: runs the `pakaya` command as a child process — to completion, or long-running with
// a way to wait for a line of its output.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const PAKAYA = join(ROOT, 'bin/pakaya.js');

export interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `pakaya args...` to completion. */
export function pakaya(args: string[], env: NodeJS.ProcessEnv = process.env, cwd?: string): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PAKAYA, ...args], { env, cwd }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Starts `pakaya args...` and resolves once a line of its stdout matches `ready`. */
export async function startPakaya(
  args: string[],
  ready: RegExp,
  env: NodeJS.ProcessEnv = process.env,
  nodeArgs: readonly string[] = [],
): Promise<{ child: ChildProcess; line: string; exited: Promise<[number | null, NodeJS.Signals | null]> }> {
  const child = spawn(process.execPath, [...nodeArgs, PAKAYA, ...args], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  for await (const line of lines) {
    if (ready.test(line)) return { child, line, exited };
  }
  throw new Error(`pakaya ${args.join(' ')} ended before printing ${ready}: ${stderr}`);
}
