// The byte form of a process image: a self-contained, versioned, checksummed bundle of a manifest
// plus pages keyed by their SHA-256 (the layout the cluster's content-addressed checkpoint store
// keeps, DESIGN.md §5).
//
//   magic "PKYIMAGE" | u32 version | u32 manifest length | manifest (MessagePack)
//   | u32 page count | count x (32-byte SHA-256, 4096 bytes) | 32-byte SHA-256 of all that precedes
//
// decodeImage checks every length against image-limits.ts and the node's own process limits, the
// trailing checksum, every page's hash, the manifest's structure (image-prescan.ts: depth, counts,
// lengths, before it is decoded) and every manifest field before anything is rebuilt: a truncated,
// corrupted or crafted image is an ImageError in time linear in its size, never a crash or a hang.
import { createHash } from 'node:crypto';
import { Decoder, encode } from '@msgpack/msgpack';
import { IMAGE_VERSION, ImageError, type ProcessImage } from './image.js';
import {
  GROUP_IMAGE_BIN_MAX,
  IMAGE_ARRAY_MAX,
  IMAGE_MANIFEST_MAX,
  IMAGE_MAP_KEYS_MAX,
  IMAGE_PAGES_MAX,
  IMAGE_STRING_MAX,
} from './image-limits.js';
import { type ManifestShape, PROCESS_MANIFEST, prescanManifest } from './image-prescan.js';
import { validateManifest } from './image-schema.js';
import type { ProcessLimits } from './proc.js';

const MAGIC = new TextEncoder().encode('PKYIMAGE');
const HASH = 32;
const PAGE = 4096;
/** Bytes before the manifest: magic, version, manifest length. */
export const IMAGE_HEADER_BYTES = MAGIC.length + 8;

/** The decoder's own bounds, behind the pre-scan's (which checks the same before decode runs). */
const manifestDecoder = new Decoder({
  maxStrLength: IMAGE_STRING_MAX,
  maxBinLength: 0,
  maxExtLength: 0,
  maxArrayLength: IMAGE_ARRAY_MAX,
  maxMapLength: IMAGE_MAP_KEYS_MAX,
});
/** The decoder for manifests that may hold byte strings (group images: queued message bytes). */
const binManifestDecoder = new Decoder({
  maxStrLength: IMAGE_STRING_MAX,
  maxBinLength: GROUP_IMAGE_BIN_MAX,
  maxExtLength: 0,
  maxArrayLength: IMAGE_ARRAY_MAX,
  maxMapLength: IMAGE_MAP_KEYS_MAX,
});

/**
 * Checks an image's header (magic, version, manifest length) and returns the largest file size it
 * allows, so a reader can refuse a file before reading it whole. Throws ImageError.
 */
/**
 * Checks a bundle's header (magic, version, manifest length) and returns the largest size a bundle
 * with this header can have, so a reader can refuse a larger file before reading all of it.
 */
export function checkBundleHeader(
  header: Uint8Array,
  magic: Uint8Array,
  expectedVersion: number,
  what: string,
  pagesMax = IMAGE_PAGES_MAX,
): { maxBytes: number } {
  if (header.length < magic.length + 8)
    throw new ImageError(`image truncated: header missing (${header.length} bytes)`);
  if (!hasMagic(header, magic)) throw new ImageError(`not a Pakaya ${what} (bad magic)`);
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  const version = view.getUint32(magic.length, true);
  if (version !== expectedVersion)
    throw new ImageError(
      `image version ${version} is not supported (this node reads version ${expectedVersion})`,
    );
  const manifestLength = view.getUint32(magic.length + 4, true);
  if (manifestLength > IMAGE_MANIFEST_MAX)
    throw new ImageError(`image manifest too large (${manifestLength} bytes, limit ${IMAGE_MANIFEST_MAX})`);
  const pages = Math.min(pagesMax, IMAGE_PAGES_MAX);
  return { maxBytes: magic.length + 8 + manifestLength + 4 + pages * (HASH + PAGE) + HASH };
}

/** checkBundleHeader for a single-process image. */
export function checkImageHeader(header: Uint8Array, pagesMax = IMAGE_PAGES_MAX): { maxBytes: number } {
  return checkBundleHeader(header, MAGIC, IMAGE_VERSION, 'process image', pagesMax);
}

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

/**
 * Decodes and validates an image for a node whose processes may have at most `nodeLimits` (an image
 * may not raise its own limits above them). Throws ImageError.
 */
export function decodeImage(bytes: Uint8Array, nodeLimits?: ProcessLimits): ProcessImage {
  const pagesMax = Math.min(nodeLimits?.pages ?? IMAGE_PAGES_MAX, IMAGE_PAGES_MAX);
  const { manifest, contents } = decodeBundle(bytes, MAGIC, IMAGE_VERSION, 'process image', pagesMax);
  return { manifest: validateManifest(manifest, contents.length, nodeLimits), contents };
}

/** True when `bytes` start with `magic`. */
export function hasMagic(bytes: Uint8Array, magic: Uint8Array): boolean {
  return bytes.length >= magic.length && equal(bytes.subarray(0, magic.length), magic);
}

/**
 * Checks and splits a bundle (see encodeBundle): the header, every length against image-limits.ts,
 * the checksum, each page's hash and the manifest's structure (prescan) before it is decoded. The
 * manifest comes back decoded but not validated.
 */
export function decodeBundle(
  bytes: Uint8Array,
  magic: Uint8Array,
  expectedVersion: number,
  what: string,
  pagesMax = IMAGE_PAGES_MAX,
  shape: ManifestShape = PROCESS_MANIFEST,
): { manifest: unknown; contents: Uint8Array[] } {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number, part: string): void => {
    if (bytes.length < n) throw new ImageError(`image truncated: ${part} missing (${bytes.length} bytes)`);
  };
  checkBundleHeader(bytes.subarray(0, magic.length + 8), magic, expectedVersion, what, pagesMax);
  const manifestLength = view.getUint32(magic.length + 4, true);
  let at = magic.length + 8;
  need(at + manifestLength + 4, 'manifest');
  const manifestBytes = bytes.subarray(at, at + manifestLength);
  at += manifestLength;
  const count = view.getUint32(at, true);
  at += 4;
  if (count > pagesMax) throw new ImageError(`image holds too many pages (${count}, limit ${pagesMax})`);
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
  prescanManifest(manifestBytes, shape);
  let manifest: unknown;
  try {
    manifest = (shape.binMax > 0 ? binManifestDecoder : manifestDecoder).decode(manifestBytes);
  } catch (err) {
    throw new ImageError(`image manifest is not valid MessagePack: ${(err as Error).message}`);
  }
  return { manifest, contents };
}
