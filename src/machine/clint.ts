// The core-local interruptor (CLINT) at spike's addresses: msip, mtimecmp and mtime. mtime is
// guest time, which advances by one tick per retired instruction (see HartState.mtime).
import type { Device } from './device.js';
import type { HartState } from './hart-state.js';

export const CLINT_BASE = 0x02000000;
export const CLINT_SIZE = 0x10000;
const MSIP = 0x0;
const MTIMECMP = 0x4000;
const MTIME = 0xbff8;
const TWO32 = 4294967296;

function word(value: number, upper: boolean): number {
  return upper ? Math.floor(value / TWO32) | 0 : (value % TWO32) | 0;
}

function setWord(value: number, upper: boolean, part: number): number {
  const hi = upper ? part >>> 0 : Math.floor(value / TWO32);
  const lo = upper ? value % TWO32 : part >>> 0;
  return hi * TWO32 + lo;
}

export class Clint implements Device {
  readonly name = 'clint';
  readonly base = CLINT_BASE;
  readonly size = CLINT_SIZE;
  constructor(private readonly hart: HartState) {}

  read(offset: number, size: number): number | undefined {
    if (size !== 4 || (offset & 3) !== 0) return undefined;
    const h = this.hart;
    if (offset === MSIP) return h.msip;
    if (offset === MTIMECMP || offset === MTIMECMP + 4) return word(h.mtimecmp, offset !== MTIMECMP);
    if (offset === MTIME || offset === MTIME + 4) return word(h.mtime, offset !== MTIME);
    return 0;
  }

  write(offset: number, size: number, value: number): boolean {
    if (size !== 4 || (offset & 3) !== 0) return false;
    const h = this.hart;
    if (offset === MSIP) h.msip = value & 1;
    else if (offset === MTIMECMP || offset === MTIMECMP + 4) {
      h.mtimecmp = setWord(h.mtimecmp, offset !== MTIMECMP, value);
    } else if (offset === MTIME || offset === MTIME + 4) {
      h.timeOffset = setWord(h.mtime, offset !== MTIME, value) - h.instret;
    }
    h.stopSlice = true; // interrupt state may have changed
    return true;
  }
}
