// The content-addressed checkpoint store of one node (issue 13 §4, docs/recovery.md): pages named by
// their SHA-256, stored once however many checkpoints and processes share them, so every checkpoint
// after a process's first writes only its new pages; store manifests (manifest.ts) name the pages of
// one kernel image; a per-process index keeps its last STORE_KEEP_CHECKPOINTS checkpoints, and gc()
// removes what no kept checkpoint (or transfer in progress) references. Every read checks the hash:
// a torn or corrupt page or manifest is a StoreError('corrupt') and is removed, never restored from.
//
// Layout in its Storage (the daemon roots it at <home>/store):
//   pages/<2 hex>/<sha256>     4096 bytes
//   manifests/<sha256>         a store manifest
//   procs/<npid as aaaaaaaa-N> JSON {v, checkpoints: [{manifest, taken}]}, oldest first
import type { Storage } from '../storage.js';
import { StoreError } from './errors.js';
import { STORE_INDEX_MAX, STORE_KEEP_CHECKPOINTS, STORE_PAGE_BYTES } from './limits.js';
import {
  decodeManifest,
  encodeManifest,
  isHash,
  joinBundle,
  type StoreManifest,
  sha256Hex,
  splitBundle,
} from './manifest.js';

export interface CheckpointRef {
  /** SHA-256 of the store manifest. */
  readonly manifest: string;
  /** When it was taken (the caller's clock, ms). */
  readonly taken: number;
}

export interface PutImageResult {
  readonly manifest: string;
  /** Pages the image names (distinct pages of the image). */
  readonly pages: number;
  /** Pages this call wrote (the others were in the store already). */
  readonly pagesWritten: number;
  /** Bytes this call wrote: new pages plus the manifest when it was new. */
  readonly bytesWritten: number;
}

export interface GcResult {
  readonly pagesRemoved: number;
  readonly manifestsRemoved: number;
}

export interface StoreStats {
  readonly pages: number;
  readonly manifests: number;
  readonly processes: number;
}

const NPID_TEXT = /^([0-9a-f]{8}):([1-9]\d{0,9})$/;
const NPID_FILE = /^([0-9a-f]{8})-([1-9]\d{0,9})$/;
const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function npidFile(npid: string): string {
  const m = NPID_TEXT.exec(npid);
  if (m === null) throw new StoreError('corrupt', `${JSON.stringify(npid)} is not an NPID`);
  return `procs/${m[1]}-${m[2]}`;
}

const pageName = (hash: string) => `pages/${hash.slice(0, 2)}/${hash}`;
const manifestName = (hash: string) => `manifests/${hash}`;

function checkHash(hash: string, what: string): void {
  if (!isHash(hash)) throw new StoreError('corrupt', `${what}: ${JSON.stringify(hash)} is not a SHA-256`);
}

export interface CheckpointStoreOptions {
  /** Checkpoints kept per process (default STORE_KEEP_CHECKPOINTS). */
  readonly keep?: number;
}

export class CheckpointStore {
  readonly keep: number;
  /** Manifests of transfers in progress: gc keeps them and their pages. */
  private readonly pins = new Map<string, number>();

  constructor(
    private readonly storage: Storage,
    options: CheckpointStoreOptions = {},
  ) {
    this.keep = Math.max(1, options.keep ?? STORE_KEEP_CHECKPOINTS);
  }

  // ---- pages ------------------------------------------------------------------------------------

  hasPage(hash: string): boolean {
    checkHash(hash, 'page');
    return this.storage.read(pageName(hash)) !== undefined;
  }

  /** Stores a page under its SHA-256 (checked when `hash` is given); true when it was new. */
  putPage(page: Uint8Array, hash?: string): { hash: string; written: boolean } {
    if (page.length !== STORE_PAGE_BYTES)
      throw new StoreError('corrupt', `a page is ${STORE_PAGE_BYTES} bytes, not ${page.length}`);
    const actual = sha256Hex(page);
    if (hash !== undefined && hash !== actual)
      throw new StoreError('corrupt', `page ${hash.slice(0, 12)} does not match its hash`);
    if (this.storage.read(pageName(actual)) !== undefined) return { hash: actual, written: false };
    this.storage.writeAtomic(pageName(actual), page);
    return { hash: actual, written: true };
  }

  /** Stores a page whose hash the kernel computed (a local image): written only when missing. */
  private putTrustedPage(hash: string, page: Uint8Array): boolean {
    if (this.storage.read(pageName(hash)) !== undefined) return false;
    this.storage.writeAtomic(pageName(hash), page);
    return true;
  }

  /** The page with this hash, checked; a corrupt page is removed and reported. */
  getPage(hash: string): Uint8Array {
    checkHash(hash, 'page');
    const bytes = this.storage.read(pageName(hash));
    if (bytes === undefined) throw new StoreError('missing', `page ${hash.slice(0, 12)} is not in the store`);
    if (bytes.length !== STORE_PAGE_BYTES || sha256Hex(bytes) !== hash) {
      this.storage.remove(pageName(hash));
      throw new StoreError('corrupt', `page ${hash.slice(0, 12)} is corrupt (removed)`);
    }
    return bytes;
  }

  // ---- manifests --------------------------------------------------------------------------------

  /** Stores encoded manifest bytes (checked as a manifest) and returns their hash. */
  putManifestBytes(bytes: Uint8Array, hash?: string): string {
    const actual = sha256Hex(bytes);
    if (hash !== undefined && hash !== actual)
      throw new StoreError('corrupt', `manifest ${hash.slice(0, 12)} does not match its hash`);
    decodeManifest(bytes);
    if (this.storage.read(manifestName(actual)) === undefined)
      this.storage.writeAtomic(manifestName(actual), bytes);
    return actual;
  }

  putManifest(m: StoreManifest): string {
    return this.putManifestBytes(encodeManifest(m));
  }

  hasManifest(hash: string): boolean {
    checkHash(hash, 'manifest');
    return this.storage.read(manifestName(hash)) !== undefined;
  }

  /** The manifest's bytes, hash-checked (a corrupt one is removed). */
  getManifestBytes(hash: string): Uint8Array {
    checkHash(hash, 'manifest');
    const bytes = this.storage.read(manifestName(hash));
    if (bytes === undefined)
      throw new StoreError('missing', `manifest ${hash.slice(0, 12)} is not in the store`);
    if (sha256Hex(bytes) !== hash) {
      this.storage.remove(manifestName(hash));
      throw new StoreError('corrupt', `manifest ${hash.slice(0, 12)} is corrupt (removed)`);
    }
    return bytes;
  }

  getManifest(hash: string): StoreManifest {
    return decodeManifest(this.getManifestBytes(hash));
  }

  /** The pages of manifest `hash` this store lacks (a corrupt page counts as missing and is removed). */
  missingPages(hash: string): string[] {
    const missing: string[] = [];
    for (const page of new Set(this.getManifest(hash).pages)) if (!this.hasPage(page)) missing.push(page);
    return missing;
  }

  // ---- images -----------------------------------------------------------------------------------

  /** Stores a kernel image (bundle): only pages the store lacks are written. */
  putImage(bundle: Uint8Array): PutImageResult {
    const { manifest, contents } = splitBundle(bundle);
    let pagesWritten = 0;
    const seen = new Set<string>();
    for (let i = 0; i < contents.length; i++) {
      const hash = manifest.pages[i]!;
      if (seen.has(hash)) continue;
      seen.add(hash);
      if (this.putTrustedPage(hash, contents[i]!)) pagesWritten++;
    }
    const bytes = encodeManifest(manifest);
    const hash = sha256Hex(bytes);
    const newManifest = this.storage.read(manifestName(hash)) === undefined;
    if (newManifest) this.storage.writeAtomic(manifestName(hash), bytes);
    return {
      manifest: hash,
      pages: seen.size,
      pagesWritten,
      bytesWritten: pagesWritten * STORE_PAGE_BYTES + (newManifest ? bytes.length : 0),
    };
  }

  /** The kernel image of manifest `hash`, every page hash-checked (StoreError otherwise). */
  getImage(hash: string): Uint8Array {
    const m = this.getManifest(hash);
    const cache = new Map<string, Uint8Array>();
    const contents = m.pages.map((h) => {
      let page = cache.get(h);
      if (page === undefined) {
        page = this.getPage(h);
        cache.set(h, page);
      }
      return page;
    });
    return joinBundle(m, contents);
  }

  // ---- per-process index ------------------------------------------------------------------------

  /** The process's kept checkpoints, oldest first (a damaged index reads as empty). */
  checkpoints(npid: string): CheckpointRef[] {
    const bytes = this.storage.read(npidFile(npid));
    if (bytes === undefined) return [];
    try {
      const parsed = JSON.parse(decoder.decode(bytes)) as { v?: unknown; checkpoints?: unknown };
      if (parsed.v !== 1 || !Array.isArray(parsed.checkpoints)) return [];
      const out: CheckpointRef[] = [];
      for (const c of parsed.checkpoints.slice(-STORE_INDEX_MAX) as unknown[]) {
        const r = c as { manifest?: unknown; taken?: unknown };
        if (
          typeof r.manifest === 'string' &&
          isHash(r.manifest) &&
          typeof r.taken === 'number' &&
          Number.isFinite(r.taken)
        )
          out.push({ manifest: r.manifest, taken: r.taken });
      }
      return out;
    } catch {
      return [];
    }
  }

  /** The process's newest kept checkpoint. */
  latest(npid: string): CheckpointRef | undefined {
    return this.checkpoints(npid).at(-1);
  }

  /**
   * Records checkpoint `manifest` of `npid` (the manifest must be stored); keeps the newest `keep`
   * and returns the ones dropped (their pages go at the next gc()).
   */
  record(npid: string, manifest: string, taken: number): CheckpointRef[] {
    if (!this.hasManifest(manifest))
      throw new StoreError('missing', `manifest ${manifest.slice(0, 12)} is not in the store`);
    const list = this.checkpoints(npid).filter((c) => c.manifest !== manifest);
    list.push({ manifest, taken });
    const dropped = list.splice(0, Math.max(0, list.length - this.keep));
    this.storage.writeAtomic(npidFile(npid), encoder.encode(JSON.stringify({ v: 1, checkpoints: list })));
    return dropped;
  }

  /** Forgets every checkpoint of `npid` (its pages go at the next gc()). */
  forget(npid: string): void {
    this.storage.remove(npidFile(npid));
  }

  /** Processes with kept checkpoints. */
  processes(): string[] {
    const out: string[] = [];
    for (const name of this.storage.list('procs/')) {
      const m = NPID_FILE.exec(name.slice('procs/'.length));
      if (m !== null) out.push(`${m[1]}:${m[2]}`);
    }
    return out;
  }

  // ---- garbage collection -----------------------------------------------------------------------

  /** Keeps manifest `hash` and its pages through gc() until unpin (a transfer in progress). */
  pin(hash: string): void {
    this.pins.set(hash, (this.pins.get(hash) ?? 0) + 1);
  }

  unpin(hash: string): void {
    const n = (this.pins.get(hash) ?? 0) - 1;
    if (n <= 0) this.pins.delete(hash);
    else this.pins.set(hash, n);
  }

  /** Removes manifests no kept checkpoint or pin names, and pages no kept manifest names. */
  gc(): GcResult {
    const liveManifests = new Set<string>(this.pins.keys());
    for (const npid of this.processes())
      for (const c of this.checkpoints(npid)) liveManifests.add(c.manifest);
    const livePages = new Set<string>();
    for (const hash of liveManifests) {
      let m: StoreManifest;
      try {
        m = this.getManifest(hash);
      } catch {
        continue; // missing or corrupt: it names nothing the store can keep
      }
      for (const p of m.pages) livePages.add(p);
    }
    let manifestsRemoved = 0;
    for (const name of this.storage.list('manifests/')) {
      if (liveManifests.has(name.slice('manifests/'.length))) continue;
      this.storage.remove(name);
      manifestsRemoved++;
    }
    let pagesRemoved = 0;
    for (const name of this.storage.list('pages/')) {
      if (livePages.has(name.slice(name.lastIndexOf('/') + 1))) continue;
      this.storage.remove(name);
      pagesRemoved++;
    }
    return { pagesRemoved, manifestsRemoved };
  }

  stats(): StoreStats {
    return {
      pages: this.storage.list('pages/').length,
      manifests: this.storage.list('manifests/').length,
      processes: this.processes().length,
    };
  }
}
