// The registry's keys in sorted order (JavaScript string order: UTF-16 code units), so a prefix
// list costs a binary search plus the keys it returns, not a scan and sort of every key.

export class KeyOrder {
  private keys: string[] = [];

  get size(): number {
    return this.keys.length;
  }

  /** Index of the first key >= `key`. */
  private lowerBound(key: string): number {
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.keys[mid] as string) < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Adds a key that is not present. */
  insert(key: string): void {
    this.keys.splice(this.lowerBound(key), 0, key);
  }

  /** Removes a key that is present. */
  remove(key: string): void {
    const at = this.lowerBound(key);
    if (this.keys[at] === key) this.keys.splice(at, 1);
  }

  /** Replaces the contents with `keys`, which must be in strictly increasing order. */
  reset(keys: string[]): void {
    this.keys = keys;
  }

  /** Up to `limit` keys starting with `prefix`, in order. */
  withPrefix(prefix: string, limit: number): string[] {
    const out: string[] = [];
    for (let i = this.lowerBound(prefix); i < this.keys.length && out.length < limit; i++) {
      const key = this.keys[i] as string;
      if (!key.startsWith(prefix)) break;
      out.push(key);
    }
    return out;
  }
}
