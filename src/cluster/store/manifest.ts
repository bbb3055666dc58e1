// Store manifests: how the store keeps a kernel image (a process or group bundle, kernel/
// image-codec.ts) without its pages. A bundle is split into its head (magic, version, the kernel's
// manifest) and its pages, each named by SHA-256; the store manifest is the head plus the ordered
// page hashes, and its own SHA-256 names it. Joining a manifest with its pages rebuilds the very
// bundle (checksum recomputed), which the kernel then checks again in full before restoring.
//
//   "PKYSTORE" | u32 version | u32 head length | head | u32 page count | count x 32-byte SHA-256
import { createHash } from 'node:crypto';
import { StoreError } from './errors.js';
import { STORE_HASH_BYTES, STORE_HEAD_MAX, STORE_MANIFEST_PAGES_MAX, STORE_PAGE_BYTES } from './limits.js';

const MAGIC = new TextEncoder().encode('PKYSTORE');
export const STORE_MANIFEST_VERSION = 1;
/** Kernel bundles start with an 8-byte magic, a u32 version and a u32 manifest length. */
const BUNDLE_MAGIC_BYTES = 8;
const BUNDLE_PREFIX = BUNDLE_MAGIC_BYTES + 8;

export interface StoreManifest {
  /** The bundle's bytes before its page count: magic, version, manifest length, kernel manifest. */
  readonly head: Uint8Array;
  /** The bundle's pages in order, as SHA-256 hex. */
  readonly pages: readonly string[];
}

export interface SplitBundle {
  readonly manifest: StoreManifest;
  /** The page contents, in the order of manifest.pages. */
  readonly contents: readonly Uint8Array[];
}

export function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

const HEX64 = /^[0-9a-f]{64}$/;
export function isHash(text: string): boolean {
  return HEX64.test(text);
}

function fromHex(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}

/**
 * Splits a kernel bundle (Kernel.checkpoint / checkpointGroup output) into a store manifest and its
 * pages. The page hashes are the bundle's own (the kernel computed them); the bundle's layout and
 * lengths are checked, so a truncated one is a StoreError('corrupt').
 */
export function splitBundle(bundle: Uint8Array): SplitBundle {
  const view = new DataView(bundle.buffer, bundle.byteOffset, bundle.byteLength);
  if (bundle.length < BUNDLE_PREFIX + 4 + STORE_HASH_BYTES)
    throw new StoreError('corrupt', `image too short (${bundle.length} bytes)`);
  const manifestLength = view.getUint32(BUNDLE_MAGIC_BYTES + 4, true);
  const headLength = BUNDLE_PREFIX + manifestLength;
  if (headLength > STORE_HEAD_MAX)
    throw new StoreError('too-large', `image manifest too large (${manifestLength} bytes)`);
  if (bundle.length < headLength + 4 + STORE_HASH_BYTES)
    throw new StoreError('corrupt', 'image truncated in its manifest');
  const count = view.getUint32(headLength, true);
  if (count > STORE_MANIFEST_PAGES_MAX) throw new StoreError('too-large', `image holds ${count} pages`);
  const expected = headLength + 4 + count * (STORE_HASH_BYTES + STORE_PAGE_BYTES) + STORE_HASH_BYTES;
  if (bundle.length !== expected)
    throw new StoreError('corrupt', `image is ${bundle.length} bytes, its header says ${expected}`);
  const pages: string[] = [];
  const contents: Uint8Array[] = [];
  let at = headLength + 4;
  for (let i = 0; i < count; i++, at += STORE_HASH_BYTES + STORE_PAGE_BYTES) {
    pages.push(toHex(bundle.subarray(at, at + STORE_HASH_BYTES)));
    contents.push(bundle.subarray(at + STORE_HASH_BYTES, at + STORE_HASH_BYTES + STORE_PAGE_BYTES));
  }
  return { manifest: { head: bundle.slice(0, headLength), pages }, contents };
}

/** Rebuilds the kernel bundle from a manifest and its pages (in manifest order). */
export function joinBundle(manifest: StoreManifest, contents: readonly Uint8Array[]): Uint8Array {
  if (contents.length !== manifest.pages.length)
    throw new StoreError(
      'corrupt',
      `manifest names ${manifest.pages.length} pages, ${contents.length} given`,
    );
  const head = manifest.head;
  const body = head.length + 4 + contents.length * (STORE_HASH_BYTES + STORE_PAGE_BYTES);
  const out = new Uint8Array(body + STORE_HASH_BYTES);
  out.set(head, 0);
  new DataView(out.buffer).setUint32(head.length, contents.length, true);
  let at = head.length + 4;
  for (let i = 0; i < contents.length; i++, at += STORE_HASH_BYTES + STORE_PAGE_BYTES) {
    out.set(fromHex(manifest.pages[i]!), at);
    out.set(contents[i]!, at + STORE_HASH_BYTES);
  }
  out.set(sha256(out.subarray(0, body)), body);
  return out;
}

export function encodeManifest(m: StoreManifest): Uint8Array {
  const size = MAGIC.length + 8 + m.head.length + 4 + m.pages.length * STORE_HASH_BYTES;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = MAGIC.length;
  view.setUint32(at, STORE_MANIFEST_VERSION, true);
  view.setUint32(at + 4, m.head.length, true);
  at += 8;
  out.set(m.head, at);
  at += m.head.length;
  view.setUint32(at, m.pages.length, true);
  at += 4;
  for (const h of m.pages) {
    out.set(fromHex(h), at);
    at += STORE_HASH_BYTES;
  }
  return out;
}

/** Parses a store manifest; StoreError('corrupt' | 'too-large') for anything malformed. */
export function decodeManifest(bytes: Uint8Array): StoreManifest {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const bad = (why: string): never => {
    throw new StoreError('corrupt', `store manifest: ${why}`);
  };
  if (bytes.length < MAGIC.length + 12) bad(`too short (${bytes.length} bytes)`);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) bad('bad magic');
  const version = view.getUint32(MAGIC.length, true);
  if (version !== STORE_MANIFEST_VERSION) bad(`version ${version} is not supported`);
  const headLength = view.getUint32(MAGIC.length + 4, true);
  if (headLength > STORE_HEAD_MAX)
    throw new StoreError('too-large', `store manifest head of ${headLength} bytes`);
  if (headLength < BUNDLE_PREFIX) bad('head shorter than an image header');
  let at = MAGIC.length + 8;
  if (bytes.length < at + headLength + 4) bad('truncated head');
  const head = bytes.slice(at, at + headLength);
  at += headLength;
  const count = view.getUint32(at, true);
  at += 4;
  if (count > STORE_MANIFEST_PAGES_MAX)
    throw new StoreError('too-large', `store manifest names ${count} pages`);
  if (bytes.length !== at + count * STORE_HASH_BYTES) bad('length does not match its page count');
  const pages: string[] = [];
  for (let i = 0; i < count; i++, at += STORE_HASH_BYTES)
    pages.push(toHex(bytes.subarray(at, at + STORE_HASH_BYTES)));
  return { head, pages };
}
