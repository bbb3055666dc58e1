// A structural pre-scan of an image manifest's MessagePack bytes, before anything is decoded: one
// linear pass with no allocation per value that checks the nesting depth, the number of values,
// every array, map and string length, and that nothing follows the manifest, against the limits of
// image-limits.ts. A crafted manifest (millions of keys, deep nesting, a length that points past
// the end) is an ImageError here in time linear in its size; only one that passes is decoded.
import { ImageError } from './image.js';
import {
  IMAGE_ARRAY_MAX,
  IMAGE_DEPTH_MAX,
  IMAGE_MAP_KEYS_MAX,
  IMAGE_STRING_MAX,
  IMAGE_VALUES_MAX,
} from './image-limits.js';

const fail = (at: number, what: string): never => {
  throw new ImageError(`image manifest: ${what} (at byte ${at})`);
};

/** What a manifest may hold beyond the common limits: nesting depth, and byte strings (bin). */
export interface ManifestShape {
  depthMax: number;
  /** Longest byte string; 0: none allowed. */
  binMax: number;
}

export const PROCESS_MANIFEST: ManifestShape = { depthMax: IMAGE_DEPTH_MAX, binMax: 0 };

/**
 * Checks `bytes` holds exactly one MessagePack value within the image limits and `shape`; throws
 * ImageError.
 */
export function prescanManifest(bytes: Uint8Array, shape: ManifestShape = PROCESS_MANIFEST): void {
  const { depthMax, binMax } = shape;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length;
  // remaining[d]: values still to read in the container open at depth d (depth 0: the root).
  const remaining = new Float64Array(depthMax + 1);
  let depth = 0;
  remaining[0] = 1;
  let at = 0;
  let values = 0;
  const need = (n: number): void => {
    if (at + n > end) fail(at, 'is truncated');
  };
  const open = (children: number, what: string, max: number): void => {
    if (children > max) fail(at, `${what} of ${children} entries exceeds the limit of ${max}`);
    if (children > end - at) fail(at, `${what} of ${children} entries is longer than the manifest`);
    if (children === 0) return;
    if (depth + 1 > depthMax) fail(at, `nests deeper than ${depthMax} levels`);
    depth++;
    remaining[depth] = children;
  };
  const bin = (length: number): void => {
    if (length > binMax) fail(at, `byte string of ${length} bytes exceeds the limit of ${binMax}`);
    need(length);
    at += length;
  };
  const string = (length: number): void => {
    if (length > IMAGE_STRING_MAX)
      fail(at, `string of ${length} bytes exceeds the limit of ${IMAGE_STRING_MAX}`);
    need(length);
    at += length;
  };
  while (depth >= 0) {
    if (remaining[depth] === 0) {
      depth--;
      continue;
    }
    remaining[depth]!--;
    if (++values > IMAGE_VALUES_MAX) fail(at, `holds more than ${IMAGE_VALUES_MAX} values`);
    need(1);
    const b = bytes[at++]!;
    if (b <= 0x7f || b >= 0xe0) continue; // fixint
    if (b <= 0x8f) {
      open((b & 0x0f) * 2, 'map (keys and values)', IMAGE_MAP_KEYS_MAX * 2);
      continue;
    }
    if (b <= 0x9f) {
      open(b & 0x0f, 'array', IMAGE_ARRAY_MAX);
      continue;
    }
    if (b <= 0xbf) {
      string(b & 0x1f);
      continue;
    }
    switch (b) {
      case 0xc0: // nil
      case 0xc2: // false
      case 0xc3: // true
        break;
      case 0xca:
        need(4);
        at += 4;
        break;
      case 0xcb:
        need(8);
        at += 8;
        break;
      case 0xcc:
      case 0xd0:
        need(1);
        at += 1;
        break;
      case 0xcd:
      case 0xd1:
        need(2);
        at += 2;
        break;
      case 0xce:
      case 0xd2:
        need(4);
        at += 4;
        break;
      case 0xcf:
      case 0xd3:
        need(8);
        at += 8;
        break;
      case 0xd9:
        need(1);
        at += 1;
        string(bytes[at - 1]!);
        break;
      case 0xda:
        need(2);
        at += 2;
        string(view.getUint16(at - 2));
        break;
      case 0xdb:
        need(4);
        at += 4;
        string(view.getUint32(at - 4));
        break;
      case 0xc4:
        need(1);
        at += 1;
        bin(bytes[at - 1]!);
        break;
      case 0xc5:
        need(2);
        at += 2;
        bin(view.getUint16(at - 2));
        break;
      case 0xc6:
        need(4);
        at += 4;
        bin(view.getUint32(at - 4));
        break;
      case 0xdc:
        need(2);
        at += 2;
        open(view.getUint16(at - 2), 'array', IMAGE_ARRAY_MAX);
        break;
      case 0xdd:
        need(4);
        at += 4;
        open(view.getUint32(at - 4), 'array', IMAGE_ARRAY_MAX);
        break;
      case 0xde:
        need(2);
        at += 2;
        open(view.getUint16(at - 2) * 2, 'map (keys and values)', IMAGE_MAP_KEYS_MAX * 2);
        break;
      case 0xdf:
        need(4);
        at += 4;
        open(view.getUint32(at - 4) * 2, 'map (keys and values)', IMAGE_MAP_KEYS_MAX * 2);
        break;
      default:
        // 0xc1 (never used), ext 0xc7-0xc9 and 0xd4-0xd8: a manifest holds none.
        fail(at - 1, `holds a value of type 0x${b.toString(16)}, which a manifest never has`);
    }
  }
  if (at !== end) fail(at, `is followed by ${end - at} stray bytes`);
}
