// HTIF, the host-target interface of spike and the riscv-tests: the guest writes a 64-bit command
// into its `tohost` word. Device 0 command 0 with bit 0 set ends the run (value >> 1 is the exit
// code: 0 pass, N failing test); with bit 0 clear it points at a "magic memory" system call block
// (only write is served). Device 1 command 1 prints a character. The host acknowledges by clearing
// tohost and writing fromhost.
import type { PhysicalMemory } from './memory.js';

const TWO32 = 4294967296;
const SYS_WRITE = 64;
const ENOSYS = 38;
/** A low-word-only write is acted on after this many more instructions, unless the high word comes first. */
export const HTIF_GRACE_INSTRUCTIONS = 8;

export interface HtifHost {
  /** Bytes the guest printed (console device or write(1|2, ...) through magic memory). */
  output(bytes: Uint8Array, fd: number): void;
}

export class Htif {
  /** Exit code once the guest has asked to stop, else undefined. */
  exitCode: number | undefined = undefined;
  /** True when tohost was written and the command is not processed yet. */
  pending = false;
  /** True when the pending write was to the high word: process without grace. */
  pendingHigh = false;

  constructor(
    private readonly memory: PhysicalMemory,
    private readonly tohostOff: number,
    private readonly fromhostOff: number,
    private readonly host: HtifHost,
  ) {
    memory.hookFrames(tohostOff, 8);
  }

  /** Called from the memory write hook: notes a write overlapping tohost. Returns true if it did. */
  noteWrite(off: number, size: number): boolean {
    if (off + size <= this.tohostOff || off >= this.tohostOff + 8) return false;
    this.pending = true;
    if (off + size > this.tohostOff + 4) this.pendingHigh = true;
    return true;
  }

  /** Processes a pending tohost command. */
  process(): void {
    this.pending = false;
    this.pendingHigh = false;
    const mem = this.memory;
    const lo = mem.read32(this.tohostOff) >>> 0;
    const hi = mem.read32(this.tohostOff + 4) >>> 0;
    if (lo === 0 && hi === 0) return;
    const device = hi >>> 24;
    const command = (hi >>> 16) & 0xff;
    const payload = (hi & 0xffff) * TWO32 + lo;
    let reply = 0;
    if (device === 0 && command === 0) {
      if (payload % 2 === 1) {
        this.exitCode = Math.floor(payload / 2);
        return;
      }
      reply = 1;
      this.systemCall(payload);
    } else if (device === 1 && command === 1) {
      this.host.output(Uint8Array.of(lo & 0xff), 1);
      reply = (hi & 0xffff0000) >>> 0;
    }
    mem.view.setInt32(this.tohostOff, 0, true);
    mem.view.setInt32(this.tohostOff + 4, 0, true);
    if (this.fromhostOff >= 0) {
      mem.view.setInt32(this.fromhostOff, device === 0 ? reply : 0, true);
      mem.view.setInt32(this.fromhostOff + 4, device === 0 ? 0 : reply, true);
    }
  }

  /** Serves a magic-memory system call block of eight 64-bit words at physical `addr`. */
  private systemCall(addr: number): void {
    const mem = this.memory;
    const off = mem.offsetOf(addr, 64);
    if (off < 0) return;
    const word = (i: number): number =>
      (mem.read32(off + 8 * i) >>> 0) + (mem.read32(off + 8 * i + 4) >>> 0) * TWO32;
    const which = word(0);
    let result = -ENOSYS;
    if (which === SYS_WRITE) {
      const fd = word(1);
      const buf = mem.offsetOf(word(2), Math.max(word(3), 1));
      const len = word(3);
      if (buf >= 0 && (fd === 1 || fd === 2)) {
        this.host.output(mem.readBytes(buf, len), fd);
        result = len;
      } else result = -9; // EBADF / bad buffer
    }
    mem.write32(off, result);
    mem.write32(off + 4, result < 0 ? -1 : 0);
  }
}
