// The software TLB: direct-mapped, one entry per virtual page number slot, with separate tags for
// read, write and execute permission so each access kind checks one array. An entry maps a virtual
// page to the RAM offset of its frame. Only RAM is ever cached (devices always take the slow path),
// and a write tag is only installed for frames with no store hook (see memory.ts).
// The TLB is large (it covers 64 MiB, so big working sets do not walk page tables in JS), and a
// flush only clears the slots installed since the last one, unless there were too many to list.
// A hosted kernel switching address spaces uses `switchSpace` instead of a flush: the outgoing
// space's entries are saved in its TlbSnapshot and the incoming space's are put back — the effect
// of ASID-tagged entries (no refill walks after a switch) without a tag check on every access.

export const TLB_BITS = 14;
export const TLB_SIZE = 1 << TLB_BITS;
export const TLB_MASK = TLB_SIZE - 1;
/** Installs a flush clears one by one; past this many it clears the whole TLB. */
const LIST_MAX = 256;

/**
 * The TLB entries of one address space while another is on the hart. Valid only while nothing
 * changed: its owner invalidates it when a PTE of the space is narrowed, removed or repointed (as
 * sfence.vma with that ASID would), and a frame that became a code frame since it was saved
 * invalidates every snapshot (its store entries must go).
 */
export class TlbSnapshot {
  readonly slot = new Int32Array(LIST_MAX);
  readonly tagR = new Int32Array(LIST_MAX);
  readonly tagW = new Int32Array(LIST_MAX);
  readonly tagX = new Int32Array(LIST_MAX);
  readonly off = new Int32Array(LIST_MAX);
  count = 0;
  valid = false;
  /** The TLB's code-frame epoch when saved. */
  epoch = 0;

  /** Counts invalidations (a snapshot put back and then invalidated is never reused as it was). */
  invalidations = 0;

  invalidate(): void {
    this.valid = false;
    this.invalidations++;
  }
}

export class Tlb {
  /** Virtual page number allowed for loads in each slot, or -1. */
  readonly tagR = new Int32Array(TLB_SIZE).fill(-1);
  /** Virtual page number allowed for stores in each slot, or -1. */
  readonly tagW = new Int32Array(TLB_SIZE).fill(-1);
  /** Virtual page number allowed for instruction fetch in each slot, or -1. */
  readonly tagX = new Int32Array(TLB_SIZE).fill(-1);
  /** RAM offset of the frame the slot's page maps to. */
  readonly off = new Int32Array(TLB_SIZE);
  /** Slots installed since the last flush (the first `listed` of them), unless `overflowed`. */
  private readonly installed = new Int32Array(LIST_MAX);
  private listed = 0;
  private overflowed = false;
  /** Counts frames that became code frames: snapshots saved before one are stale. */
  private codeEpoch = 0;
  /**
   * The snapshot switchSpace last put back while the TLB still holds exactly its entries (nothing
   * installed, flushed or dropped since): switching its space out again only clears them.
   */
  private restored: TlbSnapshot | undefined = undefined;
  /** The restored snapshot's invalidation count when it was put back. */
  private restoredInvalidations = 0;

  flush(): void {
    this.restored = undefined;
    if (this.overflowed) {
      this.tagR.fill(-1);
      this.tagW.fill(-1);
      this.tagX.fill(-1);
    } else {
      for (let k = 0; k < this.listed; k++) {
        const slot = this.installed[k] ?? 0;
        this.tagR[slot] = -1;
        this.tagW[slot] = -1;
        this.tagX[slot] = -1;
      }
    }
    this.listed = 0;
    this.overflowed = false;
  }

  /**
   * Switches address spaces: saves the entries installed since the last flush in `out` (when they
   * could all be listed), clears them, and installs the entries `into` saved (when still valid).
   */
  switchSpace(out: TlbSnapshot | undefined, into: TlbSnapshot | undefined): void {
    if (
      out !== undefined &&
      out === this.restored &&
      out.epoch === this.codeEpoch &&
      out.invalidations === this.restoredInvalidations
    ) {
      // Unchanged since it was put back: the snapshot already holds these entries.
      const { tagR, tagW, tagX } = this;
      const slots = out.slot;
      for (let n = 0, count = out.count; n < count; n++) {
        const slot = slots[n]!;
        tagR[slot] = -1;
        tagW[slot] = -1;
        tagX[slot] = -1;
      }
      this.listed = 0;
      out.valid = true;
    } else if (out !== undefined) {
      out.valid = !this.overflowed;
      out.epoch = this.codeEpoch;
      out.count = 0;
      if (out.valid) {
        for (let k = 0; k < this.listed; k++) {
          const slot = this.installed[k] ?? 0;
          if (this.tagR[slot] === -1 && this.tagW[slot] === -1 && this.tagX[slot] === -1) continue;
          const n = out.count++;
          out.slot[n] = slot;
          out.tagR[n] = this.tagR[slot] ?? -1;
          out.tagW[n] = this.tagW[slot] ?? -1;
          out.tagX[n] = this.tagX[slot] ?? -1;
          out.off[n] = this.off[slot] ?? 0;
          this.tagR[slot] = -1;
          this.tagW[slot] = -1;
          this.tagX[slot] = -1;
        }
        this.listed = 0;
      } else this.flush();
    } else this.flush();
    this.restored = undefined;
    if (into === undefined || !into.valid || into.epoch !== this.codeEpoch) return;
    const { tagR, tagW, tagX, off, installed } = this;
    const count = into.count;
    for (let n = 0; n < count; n++) {
      const slot = into.slot[n]!;
      tagR[slot] = into.tagR[n]!;
      tagW[slot] = into.tagW[n]!;
      tagX[slot] = into.tagX[n]!;
      off[slot] = into.off[n]!;
      installed[n] = slot;
    }
    this.listed = count;
    into.valid = false; // its entries are live again: a later switch saves them anew (or reuses it)
    this.restored = into;
    this.restoredInvalidations = into.invalidations;
  }

  /** Removes every store entry that points at `frame` (it just became a code frame). */
  dropStoresToFrame(frame: number): void {
    this.codeEpoch++;
    this.restored = undefined;
    const base = frame << 12;
    if (this.overflowed) {
      for (let slot = 0; slot < TLB_SIZE; slot++) {
        if (this.tagW[slot] !== -1 && this.off[slot] === base) this.tagW[slot] = -1;
      }
      return;
    }
    for (let k = 0; k < this.listed; k++) {
      const slot = this.installed[k] ?? 0;
      if (this.tagW[slot] !== -1 && this.off[slot] === base) this.tagW[slot] = -1;
    }
  }

  /** Installs a mapping for `vpn` with the given permissions, evicting whatever held its slot. */
  install(vpn: number, ramOffset: number, read: boolean, write: boolean, exec: boolean): void {
    const slot = vpn & TLB_MASK;
    this.restored = undefined;
    if (!this.overflowed) {
      if (this.listed < LIST_MAX) this.installed[this.listed++] = slot;
      else this.overflowed = true;
    }
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
