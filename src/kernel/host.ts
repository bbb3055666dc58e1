// What the kernel needs from the world outside the machine, handed in by the node (DESIGN.md §3):
// where console output goes, a seeded source of randomness, the host clock, the program store that
// spawn and execve load from, the source of never-reused process ids, and a sink for reports.
import type { Process } from './proc.js';

export interface Console {
  /** Output a process wrote to fd 1 or 2. */
  write(fd: number, data: Uint8Array, process: Process): void;
  /** True when fd 1 or 2 has no reader any more (a closed pipe): writes fail with EPIPE and raise SIGPIPE. */
  closed?(fd: number, process: Process): boolean;
}

export interface Random {
  /** Fills `bytes` with random bytes (seeded and reproducible under simulation). */
  fill(bytes: Uint8Array): void;
}

export interface Clock {
  /** CLOCK_REALTIME in ns since the epoch: a host reading (a logged input under replay). */
  realtimeNs(): number;
}

export interface ProgramStore {
  /** The ELF file a spawn/execve path names ("hello", "/bin/hello"), or undefined. */
  load(path: string): Uint8Array | undefined;
}

export interface PidSource {
  /** This node's id: the node part of every NPID it hands out. */
  readonly nodeId: number;
  /** The next never-used local id (1 .. 2^31-1). */
  next(): number;
}

export interface KernelHost {
  console: Console;
  random: Random;
  clock: Clock;
  programs: ProgramStore;
  pids: PidSource;
  /** A kernel report: crash reports, warnings. One message, possibly several lines. */
  report(message: string, process: Process | undefined): void;
  /** A process has ended. */
  exited?(process: Process): void;
  /** A thread is waiting for console input on fd 0: start delivering it with Kernel.input(). */
  wantInput?(): void;
}

/** A deterministic Random from a 32-bit seed (xorshift32); for tests and simulation. */
export class SeededRandom implements Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed | 0 || 0x2545f491;
  }
  fill(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) {
      let s = this.state;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      this.state = s;
      bytes[i] = s & 0xff;
    }
  }
}

/** Local ids counted up from 1 in memory: for tests and simulation (a node persists its counter). */
export class CountingPids implements PidSource {
  private last = 0;
  constructor(readonly nodeId = 1) {}
  next(): number {
    return ++this.last;
  }
}

/** A program store with nothing in it. */
export const NO_PROGRAMS: ProgramStore = { load: () => undefined };
