// TEST DOUBLE — not the kernel. An in-memory NodeKernel for admin API and CLI tests while the real
// kernel does not yet implement kill/checkpoint/restore: a process table, signals with their default
// actions, and a checksummed JSON "image" so restore can reject truncated or corrupt files.
import { createHash } from 'node:crypto';
import { KernelError } from '../../src/kernel/kernel.js';
import {
  formatNpid,
  type KernelCounters,
  type NodeKernel,
  type PidSource,
  type ProcessInfo,
} from '../../src/node/node-kernel.js';

export class ImageError extends Error {
  override readonly name = 'ImageError';
}

const MAGIC = new TextEncoder().encode('FAKEIMG1');

export class FakeKernel implements NodeKernel {
  readonly table = new Map<number, ProcessInfo>();
  instructions = 0;
  readonly counters: KernelCounters & { syscalls: number; pageFaults: number; contextSwitches: number } = {
    syscalls: 0,
    pageFaults: 0,
    contextSwitches: 0,
  };
  /** Calls made, for tests to check what the node did. */
  readonly calls: string[] = [];

  constructor(private readonly pids: PidSource) {}

  /** Adds a process (blocked on read unless told otherwise); returns its pid, the PidSource's next id. */
  add(name: string, fields: Partial<ProcessInfo> = {}): number {
    const pid = this.pids.next();
    this.table.set(pid, {
      pid,
      npid: formatNpid(this.pids.nodeId, pid),
      ppid: 0,
      name,
      state: 'blocked',
      blockedOn: 'read',
      priority: 0,
      threads: 1,
      cpuInstructions: 0,
      memoryPages: 4,
      ...fields,
    });
    return pid;
  }

  liveProcesses(): number {
    return [...this.table.values()].filter((p) => p.state !== 'zombie').length;
  }

  nextDeadline(): number {
    return -1;
  }

  now(): number {
    return 0;
  }

  advanceIdle(_ns: number): void {}

  listProcesses(): ProcessInfo[] {
    return [...this.table.values()].map((p) => ({ ...p }));
  }

  kill(pid: number, signal: number): number {
    this.calls.push(`kill ${pid} ${signal}`);
    const p = this.table.get(pid);
    if (p === undefined) return -3;
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) return -22;
    if (signal === 0 || p.state === 'zombie') return 0;
    if (signal === 19) p.state = 'suspended';
    else if (signal === 18) {
      if (p.state === 'suspended') p.state = 'blocked';
    } else if (signal !== 17 && signal !== 28) {
      p.state = 'zombie';
      p.exitCode = 128 + signal;
    }
    return 0;
  }

  checkpoint(pid: number): Uint8Array {
    this.calls.push(`checkpoint ${pid}`);
    const p = this.table.get(pid);
    if (p === undefined) throw new KernelError(`no process ${pid}`);
    if (p.state === 'zombie') throw new KernelError(`process ${pid} has exited`);
    const json = new TextEncoder().encode(JSON.stringify(p));
    const sum = createHash('sha256').update(json).digest();
    const image = new Uint8Array(MAGIC.length + sum.length + json.length);
    image.set(MAGIC, 0);
    image.set(sum, MAGIC.length);
    image.set(json, MAGIC.length + sum.length);
    return image;
  }

  /** Called when the node reads an image's header (tests act between the read and the restore). */
  onImageHeader: (() => void) | undefined = undefined;
  /** When set, restore throws it (a full node: KernelError). */
  restoreRefusal: Error | undefined = undefined;

  /** Fake images are small: any header with the magic allows 1 MiB. */
  imageSizeLimit(header: Uint8Array): number {
    this.onImageHeader?.();
    if (header.length < MAGIC.length || !MAGIC.every((b, i) => header[i] === b))
      throw new ImageError('not a process image (bad magic)');
    return 1024 * 1024;
  }

  restore(image: Uint8Array): number {
    this.calls.push('restore');
    if (this.restoreRefusal !== undefined) throw this.restoreRefusal;
    if (image.length < MAGIC.length + 32) throw new ImageError('image is truncated');
    if (!MAGIC.every((b, i) => image[i] === b)) throw new ImageError('not a process image (bad magic)');
    const sum = image.subarray(MAGIC.length, MAGIC.length + 32);
    const json = image.subarray(MAGIC.length + 32);
    if (!createHash('sha256').update(json).digest().equals(sum))
      throw new ImageError('image checksum mismatch');
    const { pid: _pid, npid: _npid, ...saved } = JSON.parse(new TextDecoder().decode(json)) as ProcessInfo;
    return this.add(saved.name, { ...saved, state: 'blocked', blockedOn: 'read' });
  }

  step(budget: number): number {
    let running = 0;
    for (const p of this.table.values()) if (p.state === 'ready' || p.state === 'running') running++;
    if (running === 0) return 0;
    this.instructions += budget;
    this.counters.contextSwitches += running;
    return budget;
  }

  get idle(): boolean {
    for (const p of this.table.values()) if (p.state === 'ready' || p.state === 'running') return false;
    return true;
  }
}
