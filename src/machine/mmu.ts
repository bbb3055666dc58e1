// Address translation: bare mode and Sv32 page walks with permission checks (U, SUM, MXR),
// hardware A/D updates, superpage alignment, and TLB fills. A fault raises the access kind's
// page-fault or access-fault cause on the hart with the virtual address as tval.
import {
  ACCESS_FETCH,
  ACCESS_LOAD,
  ACCESS_STORE,
  CAUSE_FETCH_ACCESS,
  CAUSE_FETCH_PAGE_FAULT,
  CAUSE_LOAD_ACCESS,
  CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_ACCESS,
  CAUSE_STORE_PAGE_FAULT,
  MSTATUS_MPRV,
  MSTATUS_MXR,
  MSTATUS_SUM,
  PRIV_M,
  PRIV_S,
  PRIV_U,
  PTE_A,
  PTE_D,
  PTE_R,
  PTE_U,
  PTE_V,
  PTE_W,
  PTE_X,
} from './constants.js';
import type { HartState } from './hart-state.js';
import { FRAME_STORE_SLOW } from './memory.js';

const PAGE_FAULT = [CAUSE_FETCH_PAGE_FAULT, CAUSE_LOAD_PAGE_FAULT, CAUSE_STORE_PAGE_FAULT];
const ACCESS_FAULT = [CAUSE_FETCH_ACCESS, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS];

/** Privilege used for data accesses: MPP when M-mode has MPRV set. */
export function dataPrivilege(h: HartState): number {
  if (h.priv === PRIV_M && (h.mstatus & MSTATUS_MPRV) !== 0) return (h.mstatus >>> 11) & 3;
  return h.priv;
}

/** Raises the access fault matching `access`. */
export function raiseAccessFault(h: HartState, access: number, vaddr: number): void {
  h.raise(ACCESS_FAULT[access] ?? CAUSE_LOAD_ACCESS, vaddr);
}

/**
 * Translates `vaddr` for `access` at the current privilege. Returns the physical address
 * (a number up to 2^34), or -1 after raising a page fault or a page-table access fault.
 * Fills the TLB when the target is RAM.
 */
export function translate(h: HartState, vaddr: number, access: number): number {
  vaddr >>>= 0;
  const priv = access === ACCESS_FETCH ? h.priv : dataPrivilege(h);
  // Data and fetch agree on privilege unless MPRV redirects data accesses; only then must a TLB
  // fill be limited to the access kind that was checked.
  const shared = access === ACCESS_FETCH ? dataPrivilege(h) === priv : h.priv === priv;
  if (priv === PRIV_M || h.satp >>> 31 === 0) {
    fillBare(h, vaddr, access, shared);
    return vaddr;
  }
  return walk(h, vaddr, access, priv, shared);
}

function fillBare(h: HartState, vaddr: number, access: number, shared: boolean): void {
  const mem = h.memory;
  const off = mem.offsetOf(vaddr - (vaddr & 0xfff), 4096);
  if (off < 0) return;
  const writable = ((mem.frameFlags[off >>> 12] ?? 0) & FRAME_STORE_SLOW) === 0;
  const vpn = vaddr >>> 12;
  if (shared) h.tlb.install(vpn, off, true, writable, true);
  else
    h.tlb.install(
      vpn,
      off,
      access === ACCESS_LOAD,
      access === ACCESS_STORE && writable,
      access === ACCESS_FETCH,
    );
}

function walk(h: HartState, vaddr: number, access: number, priv: number, shared: boolean): number {
  const mem = h.memory;
  let table = (h.satp & 0x3fffff) * 4096;
  let level = 1;
  let pte = 0;
  let pteOff = -1;
  for (;;) {
    const index = level === 1 ? vaddr >>> 22 : (vaddr >>> 12) & 0x3ff;
    pteOff = mem.offsetOf(table + index * 4, 4);
    if (pteOff < 0) {
      raiseAccessFault(h, access, vaddr);
      return -1;
    }
    pte = mem.read32(pteOff);
    if ((pte & PTE_V) === 0 || ((pte & PTE_R) === 0 && (pte & PTE_W) !== 0))
      return pageFault(h, access, vaddr);
    if ((pte & (PTE_R | PTE_X)) !== 0) break;
    if (level === 0) return pageFault(h, access, vaddr);
    table = (pte >>> 10) * 4096;
    level = 0;
  }
  const ppn = pte >>> 10;
  if (level === 1 && (ppn & 0x3ff) !== 0) return pageFault(h, access, vaddr);
  const mxr = (h.mstatus & MSTATUS_MXR) !== 0;
  const canRead = allowed(h, pte, priv, ACCESS_LOAD) && ((pte & PTE_R) !== 0 || (mxr && (pte & PTE_X) !== 0));
  const canWrite = allowed(h, pte, priv, ACCESS_STORE) && (pte & PTE_W) !== 0;
  const canExec = allowed(h, pte, priv, ACCESS_FETCH) && (pte & PTE_X) !== 0;
  const ok = access === ACCESS_FETCH ? canExec : access === ACCESS_LOAD ? canRead : canWrite;
  if (!ok) return pageFault(h, access, vaddr);

  const update = PTE_A | (access === ACCESS_STORE ? PTE_D : 0);
  if ((pte & update) !== update) {
    pte |= update;
    mem.write32(pteOff, pte);
  }
  const paddr = level === 1 ? (ppn >>> 10) * 0x400000 + (vaddr & 0x3fffff) : ppn * 4096 + (vaddr & 0xfff);
  const frameOff = mem.offsetOf(paddr - (paddr % 4096), 4096);
  if (frameOff >= 0) {
    const fastStore =
      ((mem.frameFlags[frameOff >>> 12] ?? 0) & FRAME_STORE_SLOW) === 0 && (pte & PTE_D) !== 0;
    const vpn = vaddr >>> 12;
    if (shared) h.tlb.install(vpn, frameOff, canRead, canWrite && fastStore, canExec);
    else
      h.tlb.install(
        vpn,
        frameOff,
        access === ACCESS_LOAD,
        access === ACCESS_STORE && fastStore,
        access === ACCESS_FETCH,
      );
  }
  return paddr;
}

/** U-bit rules: U-mode needs U pages; S-mode may not execute U pages and reads/writes them only with SUM. */
function allowed(h: HartState, pte: number, priv: number, access: number): boolean {
  const userPage = (pte & PTE_U) !== 0;
  if (priv === PRIV_U) return userPage;
  if (priv === PRIV_S && userPage) return access !== ACCESS_FETCH && (h.mstatus & MSTATUS_SUM) !== 0;
  return true;
}

function pageFault(h: HartState, access: number, vaddr: number): number {
  h.raise(PAGE_FAULT[access] ?? CAUSE_LOAD_PAGE_FAULT, vaddr);
  return -1;
}
