// Frames holding a program's read-only pages, shared copy-on-write by every process running the
// same program file (DESIGN.md §5's "copy-on-write sharing of a program's read-only pages"). The
// cache keeps one reference per frame; pages no process maps any more are let go by prune().
import type { FrameAllocator } from './frames.js';

/** Most distinct program files whose pages are kept. */
const FILES_MAX = 64;

interface Entry {
  file: Uint8Array;
  /** Page virtual address -> frame. */
  pages: Map<number, number>;
}

/** FNV-1a over the file: a cheap key; entries still compare the bytes. */
function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class ImageCache {
  private readonly entries = new Map<string, Entry[]>();
  private count = 0;

  constructor(private readonly frames: FrameAllocator) {}

  /** The shared-page map for this program file (page address -> frame), created empty when new. */
  pagesFor(file: Uint8Array): Map<number, number> {
    const key = `${file.length}:${fnv1a(file)}`;
    let bucket = this.entries.get(key);
    if (bucket === undefined) {
      bucket = [];
      this.entries.set(key, bucket);
    }
    const found = bucket.find((e) => sameBytes(e.file, file));
    if (found !== undefined) return found.pages;
    if (this.count >= FILES_MAX) this.prune();
    const entry: Entry = { file: file.slice(), pages: new Map() };
    bucket.push(entry);
    this.count++;
    return entry.pages;
  }

  /** Calls `fn` for every frame the cache holds a reference on (for the invariant checker). */
  forEachFrame(fn: (frame: number) => void): void {
    for (const bucket of this.entries.values())
      for (const entry of bucket) for (const frame of entry.pages.values()) fn(frame);
  }

  /** Releases the pages only the cache still holds, and forgets programs left with none. */
  prune(): void {
    for (const [key, bucket] of this.entries) {
      for (const entry of bucket) {
        for (const [page, frame] of entry.pages) {
          if (this.frames.refCount(frame) === 1) {
            this.frames.release(frame);
            entry.pages.delete(page);
          }
        }
      }
      const kept = bucket.filter((e) => e.pages.size > 0);
      this.count -= bucket.length - kept.length;
      if (kept.length === 0) this.entries.delete(key);
      else this.entries.set(key, kept);
    }
  }
}
