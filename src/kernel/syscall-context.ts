// What a system call handler may use of the kernel. Handlers see this interface, not the Kernel
// class, so the syscall table does not depend on the kernel that dispatches to it.
import type { Hart } from '../machine/hart.js';
import type { KernelHost } from './host.js';
import type { Process, Termination, Thread } from './proc.js';

export interface SyscallContext {
  readonly hart: Hart;
  readonly host: KernelHost;
  /** Ends a process (its threads stop at once). */
  exitProcess(process: Process, termination: Termination): void;
  /** Drops cached translations after page-table entries were removed or narrowed. */
  flushTranslations(): void;
}

/** Returned by a handler whose thread no longer runs (it exited): leave its registers alone. */
export const GONE = Symbol('gone');

/** A handler gets the kernel, the calling thread and a0..a5; it returns the value for a0, or GONE. */
export type SyscallHandler = (k: SyscallContext, t: Thread, args: Int32Array) => number | typeof GONE;
