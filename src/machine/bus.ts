// The hart's slow data path: loads and stores that miss the TLB fast path — TLB misses,
// misaligned accesses (emulated, including those that cross a page), device (MMIO) accesses,
// and stores into frames that need a hook (decoded code, HTIF). Faults are raised on the hart.
import { ACCESS_LOAD, ACCESS_STORE } from './constants.js';
import { findDevice } from './device.js';
import type { HartState } from './hart-state.js';
import { raiseAccessFault, translate } from './mmu.js';

/** Loads `size` (1, 2, 4) bytes at `vaddr`, zero-extended; returns 0 with a trap pending on a fault. */
export function loadSlow(h: HartState, vaddr: number, size: number): number {
  vaddr >>>= 0;
  if ((vaddr & 0xfff) + size > 0x1000) return loadSplit(h, vaddr, size);
  const paddr = translate(h, vaddr, ACCESS_LOAD);
  if (paddr < 0) return 0;
  const mem = h.memory;
  const off = mem.offsetOf(paddr, size);
  if (off >= 0) {
    if (size === 4) return mem.view.getInt32(off, true);
    if (size === 2) return mem.view.getUint16(off, true);
    return mem.u8[off] ?? 0;
  }
  const device = findDevice(h.devices, paddr, size);
  const value = device?.read(paddr - device.base, size);
  if (value === undefined) {
    raiseAccessFault(h, ACCESS_LOAD, vaddr);
    return 0;
  }
  return value;
}

/** A misaligned load that crosses a page: byte by byte, each byte translated. */
function loadSplit(h: HartState, vaddr: number, size: number): number {
  let value = 0;
  for (let i = 0; i < size; i++) {
    const byte = loadSlow(h, (vaddr + i) >>> 0, 1);
    if (h.trapPending) {
      h.trapTval = vaddr | 0;
      return 0;
    }
    value |= byte << (8 * i);
  }
  return size === 4 ? value : value >>> 0;
}

/** Stores the low `size` bytes of `value` at `vaddr`; leaves a trap pending on a fault. */
export function storeSlow(h: HartState, vaddr: number, size: number, value: number): void {
  vaddr >>>= 0;
  if ((vaddr & 0xfff) + size > 0x1000) {
    storeSplit(h, vaddr, size, value);
    return;
  }
  const paddr = translate(h, vaddr, ACCESS_STORE);
  if (paddr < 0) return;
  const mem = h.memory;
  const off = mem.offsetOf(paddr, size);
  if (off >= 0) {
    if (size === 4) mem.view.setInt32(off, value, true);
    else if (size === 2) mem.view.setUint16(off, value & 0xffff, true);
    else mem.u8[off] = value;
    if (mem.noteWrite(off, size)) h.refetch = true;
    return;
  }
  const device = findDevice(h.devices, paddr, size);
  if (device === undefined || !device.write(paddr - device.base, size, value)) {
    raiseAccessFault(h, ACCESS_STORE, vaddr);
  }
}

/** A misaligned store that crosses a page: every byte is translated first, so a fault writes nothing. */
function storeSplit(h: HartState, vaddr: number, size: number, value: number): void {
  for (let i = 0; i < size; i++) {
    translate(h, (vaddr + i) >>> 0, ACCESS_STORE);
    if (h.trapPending) {
      h.trapTval = vaddr | 0;
      return;
    }
  }
  for (let i = 0; i < size; i++) storeSlow(h, (vaddr + i) >>> 0, 1, (value >>> (8 * i)) & 0xff);
}
