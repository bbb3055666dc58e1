// The quota key of a sender on another node (Port.hasRoomFor counts queued messages per sender):
// negative, so it never meets a local pid, and reversible to an NPID for process images. Node ids
// that agree in their low 21 bits share keys (they only share a quota; an image names the sender
// by the node id's low 21 bits, 0 written as 2^21).
import { type Npid, npid, npidLocal, npidNode } from '../npid.js';

const NODE_BITS = 2 ** 21;

export function remoteSenderKey(sender: Npid): number {
  return -1 - (npidNode(sender) % NODE_BITS) * 2 ** 31 - npidLocal(sender);
}

/** The NPID a remote sender key stands for (see above). */
export function remoteSenderNpid(key: number): Npid {
  const k = -1 - key;
  const node = Math.floor(k / 2 ** 31);
  return npid(node === 0 ? NODE_BITS : node, k - node * 2 ** 31);
}
