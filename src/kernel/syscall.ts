// The system call path: a7 selects the call, a0..a5 carry arguments, a0 receives the result
// (negative errno on failure). Numbers are the Linux riscv32 ones (DESIGN.md §5). The table maps
// each number to its handler in sys/*.ts; an unknown number returns -ENOSYS, as Linux does.
import { ENOSYS } from './errno.js';
import type { Thread } from './proc.js';
import { sysWrite, sysWritev } from './sys/io.js';
import { sysBrk } from './sys/mem.js';
import { sysExit, sysExitGroup, sysGetpid, sysGettid, sysSetTidAddress } from './sys/proc.js';
import { GONE, type SyscallContext, type SyscallHandler } from './syscall-context.js';

export const SYS_WRITE = 64;
export const SYS_WRITEV = 66;
export const SYS_EXIT = 93;
export const SYS_EXIT_GROUP = 94;
export const SYS_SET_TID_ADDRESS = 96;
export const SYS_GETPID = 172;
export const SYS_GETTID = 178;
export const SYS_BRK = 214;

const TABLE = new Map<number, SyscallHandler>([
  [SYS_WRITE, sysWrite],
  [SYS_WRITEV, sysWritev],
  [SYS_EXIT, sysExit],
  [SYS_EXIT_GROUP, sysExitGroup],
  [SYS_SET_TID_ADDRESS, sysSetTidAddress],
  [SYS_GETPID, sysGetpid],
  [SYS_GETTID, sysGettid],
  [SYS_BRK, sysBrk],
]);

const args = new Int32Array(6);

/** Runs the system call the thread on the hart asked for, and advances past its ecall. */
export function syscall(k: SyscallContext, t: Thread): void {
  const x = k.hart.x;
  const number = x[17]!;
  for (let i = 0; i < 6; i++) args[i] = x[10 + i]!;
  const handler = TABLE.get(number);
  const result = handler === undefined ? -ENOSYS : handler(k, t, args);
  if (result === GONE) return;
  x[10] = result;
  k.hart.pc = (k.hart.pc + 4) | 0;
}
