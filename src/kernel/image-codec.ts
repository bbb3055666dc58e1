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
  const manifest = encode(image.manifest, { ignoreUndefined: true });
  const size = MAGIC.length + 12 + manifest.length + image.contents.length * (HASH + PAGE) + HASH;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  let at = MAGIC.length;
  view.setUint32(at, IMAGE_VERSION, true);
  view.setUint32(at + 4, manifest.length, true);
  at += 8;
  out.set(manifest, at);
  at += manifest.length;
  view.setUint32(at, image.contents.length, true);
  at += 4;
  for (const page of image.contents) {
    out.set(sha256(page), at);
    out.set(page, at + HASH);
    at += HASH + PAGE;
  }
  out.set(sha256(out.subarray(0, at)), at);
  return out;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function decodeImage(bytes: Uint8Array): ProcessImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number, what: string): void => {
    if (bytes.length < n) throw new ImageError(`image truncated: ${what} missing (${bytes.length} bytes)`);
  };
  need(MAGIC.length + 8, 'header');
  if (!equal(bytes.subarray(0, MAGIC.length), MAGIC))
    throw new ImageError('not a Pakaya process image (bad magic)');
  let at = MAGIC.length;
  const version = view.getUint32(at, true);
  if (version !== IMAGE_VERSION)
    throw new ImageError(
      `image version ${version} is not supported (this node reads version ${IMAGE_VERSION})`,
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
  return { manifest: validateManifest(manifest, contents.length), contents };
}
