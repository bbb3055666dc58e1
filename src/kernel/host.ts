// What the kernel needs from the world outside the machine, handed in by the node (DESIGN.md §3):
// where console output goes, a seeded source of randomness, and a sink for kernel reports.
import type { Process } from './proc.js';

export interface Console {
  /** Output a process wrote to fd 1 or 2. */
  write(fd: number, data: Uint8Array, process: Process): void;
}

export interface Random {
  /** Fills `bytes` with random bytes (seeded and reproducible under simulation). */
  fill(bytes: Uint8Array): void;
}

export interface KernelHost {
  console: Console;
  random: Random;
  /** A kernel report: crash reports, warnings. One message, possibly several lines. */
  report(message: string, process: Process | undefined): void;
  /** A process has ended. */
  exited?(process: Process): void;
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
