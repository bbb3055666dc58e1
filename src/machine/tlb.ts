// The software TLB: direct-mapped, one entry per virtual page number slot, with separate tags for
// read, write and execute permission so each access kind checks one array. An entry maps a virtual
// page to the RAM offset of its frame. Only RAM is ever cached (devices always take the slow path),
// and a write tag is only installed for frames with no store hook (see memory.ts).

export const TLB_BITS = 10;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;

export class Tlb {
  /** Virtual page number allowed for loads in each slot, or -1. */
  readonly tagR = new Int32Array(TLB_SIZE).fill(-1);
  /** Virtual page number allowed for stores in each slot, or -1. */
  readonly tagW = new Int32Array(TLB_SIZE).fill(-1);
  /** Virtual page number allowed for instruction fetch in each slot, or -1. */
  readonly tagX = new Int32Array(TLB_SIZE).fill(-1);
  /** RAM offset of the frame the slot's page maps to. */
  readonly off = new Int32Array(TLB_SIZE);

  flush(): void {
    this.tagR.fill(-1);
    this.tagW.fill(-1);
    this.tagX.fill(-1);
  }

  /** Removes every store entry that points at `frame` (it just became a code frame). */
  dropStoresToFrame(frame: number): void {
    const base = frame << 12;
    for (let slot = 0; slot < TLB_SIZE; slot++) {
      if (this.tagW[slot] !== -1 && this.off[slot] === base) this.tagW[slot] = -1;
    }
  }

  /** Installs a mapping for `vpn` with the given permissions, evicting whatever held its slot. */
  install(vpn: number, ramOffset: number, read: boolean, write: boolean, exec: boolean): void {
    const slot = vpn & TLB_MASK;
    if (
      this.off[slot] !== ramOffset ||
      (this.tagR[slot] !== vpn && this.tagW[slot] !== vpn && this.tagX[slot] !== vpn)
    ) {
      this.tagR[slot] = -1;
      this.tagW[slot] = -1;
      this.tagX[slot] = -1;
      this.off[slot] = ramOffset;
    }
    if (read) this.tagR[slot] = vpn;
    if (write) this.tagW[slot] = vpn;
    if (exec) this.tagX[slot] = vpn;
  }
}
