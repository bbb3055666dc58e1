// A simulated node's source of never-reused local process ids, kept on the node's durable storage
// as the daemon keeps its counter in its home: a block of ids is reserved by a durable write before
// any of them is handed out, so a node that crashes and restarts skips the rest of the block and
// never gives an NPID out twice.
import { type Storage, StorageError } from '../../cluster/storage.js';
import type { PidSource } from '../../kernel/host.js';
import { NPID_LOCAL_MAX } from '../../kernel/npid.js';
import { PID_RESERVE_BLOCK } from './limits.js';

const FILE = 'pids';

export class DurablePids implements PidSource {
  private last: number;
  private reserved: number;

  constructor(
    readonly nodeId: number,
    private readonly storage: Storage,
  ) {
    const bytes = storage.read(FILE);
    const high =
      bytes && bytes.length === 4 ? new DataView(bytes.buffer, bytes.byteOffset).getUint32(0, true) : 0;
    this.last = high;
    this.reserved = high;
  }

  next(): number {
    if (this.last >= this.reserved) {
      const high = Math.min(NPID_LOCAL_MAX, this.reserved + PID_RESERVE_BLOCK);
      if (high <= this.last) throw new Error(`node ${this.nodeId} has used every local process id`);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setUint32(0, high, true);
      try {
        this.storage.writeAtomic(FILE, bytes);
      } catch (e) {
        // A transient write error (the simulator's one-shot disk fault): retried once; a second
        // failure propagates.
        if (!(e instanceof StorageError)) throw e;
        this.storage.writeAtomic(FILE, bytes);
      }
      this.reserved = high;
    }
    return ++this.last;
  }
}
