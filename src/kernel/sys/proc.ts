// Process and thread lifecycle calls: exit (this thread), exit_group, clone (fork with copy-on-write,
// or a thread in the same address space), execve, Pakaya's spawn, and waitid (rv32 has no wait4).
// Programs are found in the node's program store by path.
import { ElfError } from '../../machine/elf.js';
import { E2BIG, EAGAIN, EBADF, ECHILD, EFAULT, EINVAL, ENOENT, ENOEXEC, ENOMEM } from '../errno.js';
import { KernelError } from '../errors.js';
import { ExecError } from '../exec.js';
import type { Process, Thread } from '../proc.js';
import { SIGCHLD, SIGCONT, SIGSTOP } from '../signals.js';
import { type ExecRequest, GONE, type SyscallContext, type SyscallResult } from '../syscall-context.js';
import { readPath, readStringArray, writable, writeStruct } from './user-mem.js';

/** exit(status): ends the calling thread; the process ends with its last thread. */
export function sysExit(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  k.exitThread(t, args[0]!);
  return GONE;
}

export function sysExitGroup(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  k.exitProcess(t.process, { kind: 'exited', status: args[0]! & 0xff });
  return GONE;
}

const CSIGNAL = 0xff;
const CLONE_VM = 0x100;
const CLONE_FS = 0x200;
const CLONE_FILES = 0x400;
const CLONE_SIGHAND = 0x800;
const CLONE_VFORK = 0x4000;
const CLONE_THREAD = 0x10000;
const CLONE_SYSVSEM = 0x40000;
const CLONE_SETTLS = 0x80000;
const CLONE_PARENT_SETTID = 0x100000;
const CLONE_CHILD_CLEARTID = 0x200000;
const CLONE_DETACHED = 0x400000;
const CLONE_CHILD_SETTID = 0x1000000;
const CLONE_SUPPORTED =
  CSIGNAL |
  CLONE_VM |
  CLONE_FS |
  CLONE_FILES |
  CLONE_SIGHAND |
  CLONE_VFORK |
  CLONE_THREAD |
  CLONE_SYSVSEM |
  CLONE_SETTLS |
  CLONE_PARENT_SETTID |
  CLONE_CHILD_CLEARTID |
  CLONE_DETACHED |
  CLONE_CHILD_SETTID;

const tidBytes =
  (tid: number): ((v: DataView) => void) =>
  (v) =>
    v.setInt32(0, tid, true);

/** clone(flags, stack, parent_tid, tls, child_tid) — the riscv argument order. */
export function sysClone(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const flags = args[0]!;
  const stack = args[1]! >>> 0;
  const ptid = args[2]! >>> 0;
  const tls = args[3]!;
  const ctid = args[4]! >>> 0;
  if ((flags & ~CLONE_SUPPORTED) !== 0) return -EINVAL;
  if (flags & CLONE_THREAD && !(flags & CLONE_SIGHAND)) return -EINVAL;
  if (flags & CLONE_SIGHAND && !(flags & CLONE_VM)) return -EINVAL;
  if (flags & CLONE_PARENT_SETTID && !writable(t, ptid, 4)) return -EFAULT;
  if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID) && !writable(t, ctid, 4)) return -EFAULT;
  if (flags & CLONE_THREAD) {
    if (stack === 0) return -EINVAL;
    const child = k.createThread(
      t,
      stack,
      flags & CLONE_SETTLS ? tls : undefined,
      flags & CLONE_CHILD_CLEARTID ? ctid : 0,
    );
    if (typeof child === 'number') return child;
    if (flags & CLONE_PARENT_SETTID) writeStruct(t, ptid, 4, tidBytes(child.tid));
    if (flags & CLONE_CHILD_SETTID) writeStruct(t, ctid, 4, tidBytes(child.tid));
    return child.tid;
  }
  // A new process. CLONE_VM without CLONE_THREAD (vfork) gets a copy-on-write copy: a vfork child
  // may only exec or exit, which behaves the same either way.
  const child = k.fork(t);
  if (typeof child === 'number') return child;
  const main = child.threads[0]!;
  if (stack !== 0) main.regs[2] = stack;
  if (flags & CLONE_SETTLS) main.regs[4] = tls;
  if (flags & CLONE_CHILD_CLEARTID) main.clearChildTid = ctid;
  if (flags & CLONE_PARENT_SETTID) writeStruct(t, ptid, 4, tidBytes(child.pid));
  if (flags & CLONE_CHILD_SETTID) writeStruct(main, ctid, 4, tidBytes(child.pid));
  return child.pid;
}

/** Reads an exec request (path, argv, envp) from user memory and finds the program. */
export function execRequest(k: SyscallContext, t: Thread, args: Int32Array): ExecRequest | number {
  const path = readPath(t, args[0]!);
  if (typeof path === 'number') return path;
  const argv = readStringArray(t, args[1]!);
  if (typeof argv === 'number') return argv;
  const envp = readStringArray(t, args[2]!);
  if (typeof envp === 'number') return envp;
  const file = k.host.programs.load(path);
  if (file === undefined) return -ENOENT;
  return { file, argv, envp };
}

/** The errno for a failed program load. */
function loadErrno(err: unknown): number {
  if (err instanceof ElfError) return -ENOEXEC;
  if (err instanceof ExecError) return err.message.includes('argument list') ? -E2BIG : -ENOMEM;
  if (err instanceof KernelError) return -EAGAIN;
  throw err;
}

/** execve(path, argv, envp): replaces the program; returns only on failure. */
export function sysExecve(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const request = execRequest(k, t, args);
  if (typeof request === 'number') return request;
  try {
    k.exec(t, request);
  } catch (err) {
    return loadErrno(err);
  }
  return GONE;
}

/**
 * spawn(path, argv, envp, cap) (Pakaya 500): a new child process running the program; its pid.
 * `cap` (0: none) is a slot whose capability the child gets in its parent slot (3).
 */
export function sysSpawn(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const cap = args[3]!;
  if (cap !== 0 && t.process.caps.get(cap) === undefined) return -EBADF;
  const request = execRequest(k, t, args);
  if (typeof request === 'number') return request;
  try {
    return k.spawn({ ...request, parentCap: cap }, t.process).pid;
  } catch (err) {
    return loadErrno(err);
  }
}

const P_ALL = 0;
const P_PID = 1;
const P_PGID = 2;
const P_PIDFD = 3;
const WNOHANG = 1;
const WSTOPPED = 2;
const WEXITED = 4;
const WCONTINUED = 8;
const WNOWAIT = 0x01000000;
const WAIT_KNOWN = WNOHANG | WSTOPPED | WEXITED | WCONTINUED | WNOWAIT | 0x20000000 | 0x40000000 | 0x80000000;
const CLD_EXITED = 1;
const CLD_KILLED = 2;
const CLD_STOPPED = 5;
const CLD_CONTINUED = 6;

interface ChildReport {
  child: Process;
  code: number;
  status: number;
}

/** The first child with something to report for `options`, or undefined. */
function findReport(children: Process[], options: number): ChildReport | undefined {
  for (const child of children) {
    const term = child.termination;
    if (term !== undefined && options & WEXITED) {
      return term.kind === 'exited'
        ? { child, code: CLD_EXITED, status: term.status }
        : { child, code: CLD_KILLED, status: term.signal };
    }
    if (child.waitReport === 'stopped' && options & WSTOPPED)
      return { child, code: CLD_STOPPED, status: SIGSTOP };
    if (child.waitReport === 'continued' && options & WCONTINUED)
      return { child, code: CLD_CONTINUED, status: SIGCONT };
  }
  return undefined;
}

/** Which children a waitid(idtype, id) waits for, or -errno (Linux's checks; no pidfds here). */
function waitSelector(caller: Process, idtype: number, id: number): ((c: Process) => boolean) | number {
  switch (idtype) {
    case P_ALL:
      return () => true;
    case P_PID:
      return id <= 0 ? -EINVAL : (c) => c.pid === id;
    case P_PGID: {
      if (id < 0) return -EINVAL;
      const pgid = id === 0 ? caller.pgid : id;
      return (c) => c.pgid === pgid;
    }
    case P_PIDFD:
      return id < 0 ? -EINVAL : -EBADF;
    default:
      return -EINVAL;
  }
}

/** waitid(idtype, id, infop, options, rusage) */
export function sysWaitid(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const idtype = args[0]!;
  const id = args[1]!;
  const infop = args[2]! >>> 0;
  const options = args[3]!;
  const rusage = args[4]! >>> 0;
  if ((options & ~WAIT_KNOWN) !== 0 || (options & (WEXITED | WSTOPPED | WCONTINUED)) === 0) return -EINVAL;
  const selects = waitSelector(t.process, idtype, id);
  if (typeof selects === 'number') return selects;
  if (infop !== 0 && !writable(t, infop, 24)) return -EFAULT;
  const children = [...t.process.children].filter(selects);
  if (children.length === 0) {
    if (infop !== 0) writeStruct(t, infop, 24, () => {}); // Linux zeroes siginfo on ECHILD too
    return -ECHILD;
  }
  const report = findReport(children, options);
  if (report === undefined && !(options & WNOHANG)) {
    return k.block(t, { kind: 'child', deadline: -1, addr: 0, private: false, key: '', object: 0 });
  }
  // Linux fills in rusage only when there is a child to report on.
  if (rusage !== 0 && report !== undefined && !writable(t, rusage, 72)) return -EFAULT;
  if (infop !== 0) {
    writeStruct(t, infop, 24, (v) => {
      if (report === undefined) return; // WNOHANG with nothing to report: all zero
      v.setInt32(0, SIGCHLD, true);
      v.setInt32(8, report.code, true);
      v.setInt32(12, report.child.pid, true);
      v.setInt32(20, report.status, true);
    });
  }
  if (rusage !== 0 && report !== undefined) {
    writeStruct(t, rusage, 72, (v) => {
      const us = Math.floor(report.child.instructions / 1000); // 1 ns per instruction
      v.setInt32(0, Math.floor(us / 1e6), true);
      v.setInt32(4, us % 1e6, true);
    });
  }
  if (report !== undefined && !(options & WNOWAIT)) {
    if (report.code === CLD_EXITED || report.code === CLD_KILLED) k.reap(report.child);
    else report.child.waitReport = undefined;
  }
  return 0;
}
