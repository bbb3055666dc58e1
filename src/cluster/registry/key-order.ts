// The registry's keys in sorted order (JavaScript string order: UTF-16 code units), so a prefix
// list costs a binary search plus the keys it returns, not a scan and sort of every key. Keys are
// kept in sorted chunks of at most CHUNK_MAX (a one-level B-tree): an insert or remove moves at most
// one chunk's worth of entries, however many keys there are.

const CHUNK_MAX = 1024;

/** Index of the first element of sorted `keys` that is >= `key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if ((keys[mid] as string) < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class KeyOrder {
  /** Non-empty sorted chunks; every key of chunk i is below every key of chunk i + 1. */
  private chunks: string[][] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The chunk that holds `key` or would hold it: the first whose last key is >= key (or the last). */
  private chunkFor(key: string): number {
    let lo = 0;
    let hi = this.chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid] as string[];
      if ((chunk[chunk.length - 1] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a key that is not present. */
  insert(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      this.count = 1;
      return;
    }
    const c = this.chunkFor(key);
    const chunk = this.chunks[c] as string[];
    chunk.splice(lowerBound(chunk, key), 0, key);
    this.count++;
    if (chunk.length > CHUNK_MAX) this.chunks.splice(c + 1, 0, chunk.splice(chunk.length >>> 1));
  }

  /** Removes a key if present. */
  remove(key: string): void {
    if (this.chunks.length === 0) return;
    const c = this.chunkFor(key);
    const chunk = this.chunks[c] as string[];
    const at = lowerBound(chunk, key);
    if (chunk[at] !== key) return;
    chunk.splice(at, 1);
    this.count--;
    if (chunk.length === 0) this.chunks.splice(c, 1);
  }

  /** Replaces the contents with `keys`, which must be in strictly increasing order. */
  reset(keys: readonly string[]): void {
    this.chunks = [];
    for (let i = 0; i < keys.length; i += CHUNK_MAX / 2) this.chunks.push(keys.slice(i, i + CHUNK_MAX / 2));
    this.count = keys.length;
  }

  /** Up to `limit` keys starting with `prefix`, in order. */
  withPrefix(prefix: string, limit: number): string[] {
    const out: string[] = [];
    if (this.chunks.length === 0) return out;
    let c = this.chunkFor(prefix);
    let i = lowerBound(this.chunks[c] as string[], prefix);
    for (; c < this.chunks.length; c++, i = 0) {
      const chunk = this.chunks[c] as string[];
      for (; i < chunk.length; i++) {
        const key = chunk[i] as string;
        if (out.length >= limit || !key.startsWith(prefix)) return out;
        out.push(key);
      }
    }
    return out;
  }
}
