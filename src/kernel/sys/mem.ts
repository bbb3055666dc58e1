// Memory system calls: brk, with Linux semantics — brk(0) or a bad request returns the current
// break; a good one moves the break and returns it. The heap is a demand-zero region; shrinking
// it releases the pages above the new break.

import { HEAP_STACK_GAP, STACK_MAX, STACK_TOP } from '../limits.js';
import type { Thread } from '../proc.js';
import type { SyscallContext } from '../syscall-context.js';
import { PROT_READ, PROT_WRITE, pageUp } from '../vm.js';

export function sysBrk(k: SyscallContext, t: Thread, args: Int32Array): number {
  const p = t.process;
  const want = args[0]! >>> 0;
  if (want < p.brkStart || want > STACK_TOP - STACK_MAX - HEAP_STACK_GAP) return p.brk;
  const end = pageUp(want);
  const as = p.addressSpace;
  if (end === p.brkStart) {
    if (p.heap !== undefined) {
      as.unmapRange(p.heap.start, p.heap.end);
      as.regions.splice(as.regions.indexOf(p.heap), 1);
      p.heap = undefined;
      k.flushTranslations();
    }
  } else if (p.heap === undefined) {
    if (!as.addRegion(p.brkStart, end, PROT_READ | PROT_WRITE, 'heap')) return p.brk;
    p.heap = as.findRegion(p.brkStart);
  } else if (end !== p.heap.end) {
    const shrinking = end < p.heap.end;
    if (!as.resizeRegion(p.heap, end)) return p.brk;
    if (shrinking) k.flushTranslations();
  }
  p.brk = want;
  return want;
}
