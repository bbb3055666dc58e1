// The byte form of a group image: the same bundle as a process image (image-codec.ts) under the
// magic "PKYGROUP". In the encoded manifest every page — a member's present page or a shared
// memory object's page — is named by the hex SHA-256 of its contents (the cluster's
// content-addressed store keeps pages under that name, DESIGN.md §5); equal pages are stored once.
// decodeGroup checks the bundle, resolves every hash and validates the manifest (group-schema.ts).

import type { GroupImage, GroupManifest } from './group-image.js';
import { GROUP_IMAGE_VERSION } from './group-image.js';
import { validateGroup } from './group-schema.js';
import { ImageError } from './image.js';
import { checkBundleHeader, decodeBundle, encodeBundle, hasMagic, pageHash } from './image-codec.js';
import { GROUP_IMAGE_BIN_MAX, GROUP_IMAGE_DEPTH_MAX, IMAGE_PAGES_MAX } from './image-limits.js';

const GROUP_MAGIC = new TextEncoder().encode('PKYGROUP');

/** True when `bytes` look like a group image (rather than a single process image). */
export function isGroupImage(bytes: Uint8Array): boolean {
  return hasMagic(bytes, GROUP_MAGIC);
}

/** The largest group image file with this header (ImageError for a bad header). */
export function checkGroupHeader(header: Uint8Array): { maxBytes: number } {
  return checkBundleHeader(header, GROUP_MAGIC, GROUP_IMAGE_VERSION, 'group image');
}

export function encodeGroup(image: GroupImage): Uint8Array {
  const hashes = image.contents.map(pageHash);
  const m = image.manifest;
  const manifest = {
    ...m,
    members: m.members.map((member) => ({
      ...member,
      pages: member.pages.map((p) => ({ vaddr: p.vaddr, bits: p.bits, hash: hashes[p.content]! })),
    })),
    objects: m.objects.map((o) =>
      o.kind === 'shm' ? { ...o, frames: o.frames.map((at) => (at < 0 ? '' : hashes[at]!)) } : o,
    ),
  };
  return encodeBundle(GROUP_MAGIC, GROUP_IMAGE_VERSION, manifest, image.contents);
}

type Obj = Record<string, unknown>;

export function decodeGroup(bytes: Uint8Array): GroupImage {
  const { manifest, contents } = decodeBundle(
    bytes,
    GROUP_MAGIC,
    GROUP_IMAGE_VERSION,
    'group image',
    IMAGE_PAGES_MAX,
    { depthMax: GROUP_IMAGE_DEPTH_MAX, binMax: GROUP_IMAGE_BIN_MAX },
  );
  const index = new Map<string, number>();
  for (const [i, page] of contents.entries()) index.set(pageHash(page), i);
  const resolve = (hash: unknown, path: string): number => {
    const at = typeof hash === 'string' ? index.get(hash) : undefined;
    if (at === undefined) throw new ImageError(`group manifest: ${path} names no page in the image`);
    return at;
  };
  // Hashes back to content indices, then the full check.
  if (typeof manifest !== 'object' || manifest === null)
    throw new ImageError('group manifest is not an object');
  const m = manifest as Obj;
  if (Array.isArray(m.members))
    m.members = m.members.map((member: unknown, i) => {
      const mm = member as Obj;
      if (typeof mm !== 'object' || mm === null || !Array.isArray(mm.pages)) return mm;
      return {
        ...mm,
        pages: mm.pages.map((p: unknown, j) => {
          const page = (p ?? {}) as Obj;
          return {
            vaddr: page.vaddr,
            bits: page.bits,
            content: resolve(page.hash, `members[${i}].pages[${j}].hash`),
          };
        }),
      };
    });
  if (Array.isArray(m.objects))
    m.objects = m.objects.map((o: unknown, i) => {
      const oo = o as Obj;
      if (typeof oo !== 'object' || oo === null || oo.kind !== 'shm' || !Array.isArray(oo.frames)) return oo;
      return {
        ...oo,
        frames: oo.frames.map((h: unknown, j) => (h === '' ? -1 : resolve(h, `objects[${i}].frames[${j}]`))),
      };
    });
  const validated: GroupManifest = validateGroup(m, contents.length);
  return { manifest: validated, contents };
}
