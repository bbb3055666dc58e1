// Where the daemon keeps the name server's GlobalNames hook for its kernel: the name server starts
// with the kernel, before the cluster side exists; the remote-ports service (ports-service.ts)
// points the slot at the cluster's names once the network is up.
import type { Kernel } from '../kernel/kernel.js';
import { GlobalNamesSlot } from '../servers/global-names.js';

const slots = new WeakMap<Kernel, GlobalNamesSlot>();

/** The slot of `kernel` (made on first use). */
export function globalNamesSlot(kernel: Kernel): GlobalNamesSlot {
  let slot = slots.get(kernel);
  if (slot === undefined) {
    slot = new GlobalNamesSlot();
    slots.set(kernel, slot);
  }
  return slot;
}
