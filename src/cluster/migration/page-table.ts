// A member's page table as a migration's freeze sends it: apart from the group image (whose members
// list no pages), as two packed arrays — addresses (little-endian uint32) and PTE bits (uint16).
// Thousands of pages then cost a few bytes each instead of one encoded object each, which keeps
// the freeze short. The target checks a table as the kernel's image schema checks page entries.
import type { ImagePage, ImageRegion } from '../../kernel/image.js';
import { USER_BASE, USER_TOP } from '../../kernel/limits.js';
import { MIGRATION_PAGES_MAX } from './limits.js';

const PAGE = 4096;

export interface PageTable {
  vaddrs: Uint8Array;
  bits: Uint8Array;
}

/** Packs `pages` (vaddr and bits; contents travel as MigrationPages). */
export function packPages(pages: readonly ImagePage[]): PageTable {
  const vaddrs = new Uint8Array(pages.length * 4);
  const bits = new Uint8Array(pages.length * 2);
  const v = new DataView(vaddrs.buffer);
  const b = new DataView(bits.buffer);
  for (const [i, p] of pages.entries()) {
    v.setUint32(i * 4, p.vaddr, true);
    b.setUint16(i * 2, p.bits, true);
  }
  return { vaddrs, bits };
}

/**
 * The page entries of a packed table, each naming content `content(vaddr)`; checked against the
 * member's regions (aligned, user addresses, valid user PTE bits, inside a region, none twice).
 * A string saying what is wrong when the table is bad.
 */
export function unpackPages(
  t: PageTable,
  regions: readonly ImageRegion[],
  content: (vaddr: number) => number,
): ImagePage[] | string {
  const count = t.vaddrs.length / 4;
  if (!Number.isInteger(count) || t.bits.length !== count * 2)
    return `a page table of ${t.vaddrs.length} address bytes and ${t.bits.length} bit bytes`;
  if (count > MIGRATION_PAGES_MAX) return `${count} pages (limit ${MIGRATION_PAGES_MAX})`;
  const v = new DataView(t.vaddrs.buffer, t.vaddrs.byteOffset, t.vaddrs.byteLength);
  const b = new DataView(t.bits.buffer, t.bits.byteOffset, t.bits.byteLength);
  // A capture lists pages in ascending order: then one walk of the sorted regions checks them and
  // none can be listed twice; any other order is checked page by page with a set.
  const sorted = [...regions].sort((x, y) => x.start - y.start);
  let seen: Set<number> | undefined;
  let prev = -1;
  let r = 0;
  const pages: ImagePage[] = new Array(count);
  for (let i = 0; i < count; i++) {
    const vaddr = v.getUint32(i * 4, true);
    const bits = b.getUint16(i * 2, true);
    if (vaddr % PAGE !== 0 || vaddr < USER_BASE || vaddr > USER_TOP - PAGE)
      return `page ${i}: address ${vaddr.toString(16)} is not a user page address`;
    if (bits > 0x3ff || (bits & 0x11) !== 0x11)
      return `page ${i}: bits ${bits.toString(16)} are not a user PTE`;
    if (seen === undefined && vaddr <= prev) {
      seen = new Set();
      for (let j = 0; j < i; j++) seen.add(pages[j]!.vaddr);
    }
    if (seen === undefined) {
      while (r < sorted.length && sorted[r]!.end <= vaddr) r++;
      const region = sorted[r];
      if (region === undefined || vaddr < region.start) return `page ${i} lies outside every region`;
      prev = vaddr;
    } else {
      if (!regions.some((x) => vaddr >= x.start && vaddr < x.end))
        return `page ${i} lies outside every region`;
      if (seen.has(vaddr)) return `page ${vaddr.toString(16)} is listed twice`;
      seen.add(vaddr);
    }
    const c = content(vaddr);
    if (c < 0) return `page ${vaddr.toString(16)} never arrived`;
    pages[i] = { vaddr, bits, content: c };
  }
  return pages;
}
