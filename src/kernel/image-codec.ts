// The byte form of a process image: a self-contained, versioned, checksummed bundle of a manifest
// plus pages keyed by their SHA-256 (the layout the cluster's content-addressed checkpoint store
// keeps, DESIGN.md §5).
//
//   magic "PKYIMAGE" | u32 version | u32 manifest length | manifest (MessagePack)
//   | u32 page count | count x (32-byte SHA-256, 4096 bytes) | 32-byte SHA-256 of all that precedes
//
// decodeImage checks every length, the trailing checksum, every page's hash and every manifest
// field before anything is rebuilt: a truncated or corrupted image is an ImageError, never a crash.
import { createHash } from 'node:crypto';
import { decode, encode } from '@msgpack/msgpack';
import { IMAGE_VERSION, ImageError, type ProcessImage } from './image.js';
import { validateManifest } from './image-schema.js';

const MAGIC = new TextEncoder().encode('PKYIMAGE');
const HASH = 32;
const PAGE = 4096;
/** Largest manifest and page count accepted (bounds every allocation a bad file could cause). */
const MANIFEST_MAX = 64 * 1024 * 1024;
const PAGES_MAX = 1 << 20;

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

export function encodeImage(image: ProcessImage): Uint8Array {
  return encodeBundle(MAGIC, IMAGE_VERSION, image.manifest, image.contents);
}

/**
 * The byte form shared by process and group images: `magic`, `version`, the manifest in MessagePack
 * and each page with its SHA-256, then a checksum of it all.
 */
export function encodeBundle(
  magic: Uint8Array,
  version: number,
  manifestValue: unknown,
  contents: readonly Uint8Array[],
): Uint8Array {
  const manifest = encode(manifestValue, { ignoreUndefined: true });
  const size = magic.length + 12 + manifest.length + contents.length * (HASH + PAGE) + HASH;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(magic, 0);
  let at = magic.length;
  view.setUint32(at, version, true);
  view.setUint32(at + 4, manifest.length, true);
  at += 8;
  out.set(manifest, at);
  at += manifest.length;
  view.setUint32(at, contents.length, true);
  at += 4;
  for (const page of contents) {
    out.set(sha256(page), at);
    out.set(page, at + HASH);
    at += HASH + PAGE;
  }
  out.set(sha256(out.subarray(0, at)), at);
  return out;
}

/** The SHA-256 of a page, in hex (how manifests name pages). */
export function pageHash(page: Uint8Array): string {
  return createHash('sha256').update(page).digest('hex');
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decodeImage(bytes: Uint8Array): ProcessImage {
  const { manifest, contents } = decodeBundle(bytes, MAGIC, IMAGE_VERSION, 'process image');
  return { manifest: validateManifest(manifest, contents.length), contents };
}

/** True when `bytes` start with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && equal(bytes.subarray(0, magic.length), magic);
}

/**
 * Checks and splits a bundle (see encodeBundle): every length, the checksum and each page's hash.
 * The manifest comes back decoded but not validated.
 */
export function decodeBundle(
  bytes: Uint8Array,
  magic: Uint8Array,
  expectedVersion: number,
  what: string,
): { manifest: unknown; contents: Uint8Array[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number, part: string): void => {
    if (bytes.length < n) throw new ImageError(`image truncated: ${part} missing (${bytes.length} bytes)`);
  };
  need(magic.length + 8, 'header');
  if (!hasMagic(bytes, magic)) throw new ImageError(`not a Pakaya ${what} (bad magic)`);
  let at = magic.length;
  const version = view.getUint32(at, true);
  if (version !== expectedVersion)
    throw new ImageError(
      `image version ${version} is not supported (this node reads version ${expectedVersion})`,
    );
  const manifestLength = view.getUint32(at + 4, true);
  if (manifestLength > MANIFEST_MAX)
    throw new ImageError(`image manifest too large (${manifestLength} bytes)`);
  at += 8;
  need(at + manifestLength + 4, 'manifest');
  const manifestBytes = bytes.subarray(at, at + manifestLength);
  at += manifestLength;
  const count = view.getUint32(at, true);
  at += 4;
  if (count > PAGES_MAX) throw new ImageError(`image holds too many pages (${count})`);
  need(at + count * (HASH + PAGE) + HASH, 'pages or checksum');
  const end = at + count * (HASH + PAGE);
  if (bytes.length !== end + HASH)
    throw new ImageError(`image has ${bytes.length - end - HASH} trailing bytes`);
  if (!equal(sha256(bytes.subarray(0, end)), bytes.subarray(end, end + HASH)))
    throw new ImageError('image checksum does not match: the file is corrupted');
  const contents: Uint8Array[] = [];
  for (let i = 0; i < count; i++, at += HASH + PAGE) {
    const page = bytes.slice(at + HASH, at + HASH + PAGE);
    if (!equal(sha256(page), bytes.subarray(at, at + HASH)))
      throw new ImageError(`image page ${i} does not match its hash`);
    contents.push(page);
  }
  let manifest: unknown;
  try {
    manifest = decode(manifestBytes);
  } catch (err) {
    throw new ImageError(`image manifest is not valid MessagePack: ${(err as Error).message}`);
  }
  return { manifest, contents };
}
