// Process system calls: exit, exit_group, getpid, gettid, set_tid_address.

import type { Thread } from '../proc.js';
import type { SyscallContext } from '../syscall-context.js';
import { GONE } from '../syscall-context.js';

/** exit(status): with one thread per process, the same as exit_group. */
export function sysExit(k: SyscallContext, t: Thread, args: Int32Array): typeof GONE {
  k.exitProcess(t.process, { kind: 'exited', status: args[0]! & 0xff });
  return GONE;
}

export function sysExitGroup(k: SyscallContext, t: Thread, args: Int32Array): typeof GONE {
  k.exitProcess(t.process, { kind: 'exited', status: args[0]! & 0xff });
  return GONE;
}

export function sysGetpid(_k: SyscallContext, t: Thread): number {
  return t.process.pid;
}

export function sysGettid(_k: SyscallContext, t: Thread): number {
  return t.tid;
}

/** set_tid_address(ptr): remembered by Linux for thread exit; returns the caller's tid. */
export function sysSetTidAddress(_k: SyscallContext, t: Thread): number {
  return t.tid;
}
