// Limits of the process image format, in one place: every length, count and depth a crafted image
// could inflate is bounded here and checked before the part it bounds is decoded (image-codec.ts,
// image-prescan.ts, image-schema.ts). On top of these, an image may not ask for more than the node
// allows a process (its pages, threads and handles limits): see validateManifest.

import { MSG_BYTES_MAX } from './ipc/limits.js';

/** Largest manifest, in bytes (a real one is a few KiB plus 16 bytes per page). */
export const IMAGE_MANIFEST_MAX = 16 * 1024 * 1024;
/** Most page contents in one image (also bounded by the node's per-process page limit). */
export const IMAGE_PAGES_MAX = 1 << 20;
/** Deepest nesting of arrays and maps in a manifest (a real one nests 4 deep: manifest.threads[i].wait). */
export const IMAGE_DEPTH_MAX = 6;
/** Deepest nesting of a group image's manifest (members, their threads, wait records, objects). */
export const GROUP_IMAGE_DEPTH_MAX = 12;
/** Longest byte string in a group image's manifest: a queued message's bytes. */
export const GROUP_IMAGE_BIN_MAX = MSG_BYTES_MAX;
/** Most values (scalars, arrays, maps, keys) in a manifest: bounds the work of decoding it. */
export const IMAGE_VALUES_MAX = 4 * 1024 * 1024;
/** Most entries in one manifest array (pages, symbols, regions). */
export const IMAGE_ARRAY_MAX = 1 << 20;
/** Most keys in one manifest map (the largest real one, the manifest itself, has 17). */
export const IMAGE_MAP_KEYS_MAX = 32;
/** Longest string in a manifest, in bytes (symbol names are the longest). */
export const IMAGE_STRING_MAX = 4096;
/** Most symbols an image carries. */
export const IMAGE_SYMBOLS_MAX = 1 << 16;
/** Most regions in an image's address-space map. */
export const IMAGE_REGIONS_MAX = 1 << 16;
