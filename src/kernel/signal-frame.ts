// The signal frame a handler runs on, laid out as Linux riscv32's struct rt_sigframe
// (arch/riscv/kernel/signal.c; uapi asm/ucontext.h, asm/sigcontext.h):
//
//   struct rt_sigframe { siginfo_t info; struct ucontext uc; }          944 bytes, 16-aligned
//   siginfo_t (128):      si_signo @0, si_errno @4, si_code @8, then the union @12
//                         (kill: si_pid @12, si_uid @16; fault: si_addr @12;
//                          SIGCHLD: si_pid @12, si_uid @16, si_status @20)
//   struct ucontext @128: uc_flags @0, uc_link @4, uc_stack {ss_sp @8, ss_flags @12, ss_size @16},
//                         uc_sigmask @20 (8 bytes), padding to 1024 bits, then
//                         uc_mcontext @32+128 = @160 (aligned 16):
//   struct sigcontext:    sc_regs = user_regs_struct {pc, ra, sp, gp, tp, t0.., t6} (x1..x31 in
//                         order after pc, 128 bytes), sc_fpregs (union __riscv_fp_state, 528 bytes;
//                         zero here: the hart has no F/D)
//
// The handler's return address is the signal trampoline (SIGTRAMP_ADDR, `li a7,139; ecall`), the
// role Linux's vDSO __vdso_rt_sigreturn plays; riscv has no SA_RESTORER.
import type { AltStack, SigInfo, SigSet } from './signals.js';
import { SIGCHLD } from './signals.js';

export const SIGINFO_SIZE = 128;
export const UCONTEXT_OFFSET = SIGINFO_SIZE;
const UC_STACK = UCONTEXT_OFFSET + 8;
export const UC_SIGMASK = UCONTEXT_OFFSET + 20;
export const MCONTEXT_OFFSET = UCONTEXT_OFFSET + 160;
const FPREGS_SIZE = 528;
/** sizeof(struct rt_sigframe) on riscv32. */
export const FRAME_SIZE = MCONTEXT_OFFSET + 128 + FPREGS_SIZE;

/** The trampoline page every address space maps read+execute (like a vDSO), and its code. */
export const SIGTRAMP_ADDR = 0x7ffff000;
export const SIGTRAMP_CODE = new Uint8Array(new Uint32Array([0x08b00893, 0x00000073]).buffer); // li a7,139; ecall

/** What goes into a frame besides the registers. */
export interface FrameContents {
  info: SigInfo;
  /** The mask to restore on sigreturn (uc_sigmask). */
  mask: SigSet;
  /** The alternate stack as it stands, with SS_ONSTACK / SS_DISABLE as sigaltstack reports it. */
  stack: AltStack;
  /** x0..x31 and pc of the interrupted context. */
  regs: Int32Array;
  pc: number;
}

/** Fills siginfo_t at `at` (128 bytes, zeroed by the caller). */
export function writeSiginfo(v: DataView, at: number, info: SigInfo): void {
  v.setInt32(at, info.signo, true);
  v.setInt32(at + 8, info.code, true);
  if (info.addr !== 0) v.setUint32(at + 12, info.addr >>> 0, true);
  else {
    v.setInt32(at + 12, info.pid, true);
    if (info.signo === SIGCHLD) v.setInt32(at + 20, info.status, true);
  }
}

/** The frame's bytes. */
export function buildFrame(c: FrameContents): Uint8Array {
  const bytes = new Uint8Array(FRAME_SIZE);
  const v = new DataView(bytes.buffer);
  writeSiginfo(v, 0, c.info);
  v.setUint32(UC_STACK, c.stack.sp >>> 0, true);
  v.setInt32(UC_STACK + 4, c.stack.flags, true);
  v.setUint32(UC_STACK + 8, c.stack.size >>> 0, true);
  v.setBigUint64(UC_SIGMASK, BigInt.asUintN(64, c.mask), true);
  v.setInt32(MCONTEXT_OFFSET, c.pc, true);
  for (let i = 1; i < 32; i++) v.setInt32(MCONTEXT_OFFSET + 4 * i, c.regs[i]!, true);
  return bytes;
}

/** What sigreturn takes back from a frame. */
export interface RestoredContext {
  pc: number;
  /** x1..x31 at indexes 1..31 (index 0 unused). */
  regs: Int32Array;
  mask: SigSet;
  stack: AltStack;
}

export function parseFrame(bytes: Uint8Array): RestoredContext {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const regs = new Int32Array(32);
  for (let i = 1; i < 32; i++) regs[i] = v.getInt32(MCONTEXT_OFFSET + 4 * i, true);
  return {
    pc: v.getInt32(MCONTEXT_OFFSET, true),
    regs,
    mask: v.getBigUint64(UC_SIGMASK, true),
    stack: {
      sp: v.getUint32(UC_STACK, true),
      flags: v.getInt32(UC_STACK + 4, true),
      size: v.getUint32(UC_STACK + 8, true),
    },
  };
}
