// Signal state in process images: a process's dispositions and pending signals, each thread's
// mask, pending signals, alternate stack and sigsuspend mask, to and from the image's plain data.
import type { ImageProcessSignals, ImageSigInfo, ImageSigSet, ImageThreadSignals } from './image.js';
import type { PendingSignals, SigSet } from './signals.js';
import { SIG_DFL, type SignalActions, UNBLOCKABLE } from './signals.js';

const toImageSet = (set: SigSet): ImageSigSet => [
  Number(set & 0xffffffffn),
  Number((set >> 32n) & 0xffffffffn),
];

const fromImageSet = ([lo, hi]: ImageSigSet): SigSet => BigInt(lo) | (BigInt(hi) << 32n);

const pendingToImage = (pending: PendingSignals): ImageSigInfo[] =>
  [...pending.values()].map((i) => ({ ...i }));

function pendingFromImage(list: ImageSigInfo[], into: PendingSignals): void {
  into.clear();
  for (const i of list) into.set(i.signo, { ...i });
}

export function captureProcessSignals(actions: SignalActions, pending: PendingSignals): ImageProcessSignals {
  const list: ImageProcessSignals['actions'] = [];
  actions.actions.forEach((a, signo) => {
    if (signo > 0 && (a.handler !== SIG_DFL || a.flags !== 0 || a.mask !== 0n))
      list.push({ signo, handler: a.handler, flags: a.flags, mask: toImageSet(a.mask) });
  });
  return { actions: list, pending: pendingToImage(pending) };
}

export function restoreProcessSignals(
  image: ImageProcessSignals | undefined,
  actions: SignalActions,
  pending: PendingSignals,
): void {
  if (image === undefined) return;
  for (const a of image.actions) {
    actions.actions[a.signo] = {
      handler: a.handler,
      flags: a.flags,
      mask: fromImageSet(a.mask) & ~UNBLOCKABLE,
    };
  }
  pendingFromImage(image.pending, pending);
}

interface ThreadSignalState {
  blocked: SigSet;
  readonly pending: PendingSignals;
  altStack: { sp: number; size: number; flags: number };
  savedMask: SigSet | undefined;
}

export function captureThreadSignals(t: ThreadSignalState): ImageThreadSignals {
  return {
    blocked: toImageSet(t.blocked),
    pending: pendingToImage(t.pending),
    altStack: { ...t.altStack },
    savedMask: t.savedMask === undefined ? undefined : toImageSet(t.savedMask),
  };
}

export function restoreThreadSignals(image: ImageThreadSignals | undefined, t: ThreadSignalState): void {
  if (image === undefined) return;
  t.blocked = fromImageSet(image.blocked) & ~UNBLOCKABLE;
  pendingFromImage(image.pending, t.pending);
  t.altStack = { ...image.altStack };
  t.savedMask = image.savedMask === undefined ? undefined : fromImageSet(image.savedMask);
}
