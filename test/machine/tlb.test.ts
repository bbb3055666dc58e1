// TLB snapshots (the hosted kernel's ASID-like switch): the outgoing space's entries are saved and
// cleared, the incoming space's are put back; a snapshot invalidated by its owner, one saved
// before a frame became a code frame, or one that overflowed the install list is not put back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Tlb, TlbSnapshot } from '../../src/machine/tlb.js';

const slot = (vpn: number): number => vpn & 0x3fff;

test('switchSpace saves one space and restores the other', () => {
  const tlb = new Tlb();
  const a = new TlbSnapshot();
  const b = new TlbSnapshot();
  tlb.install(0x10, 0x5000, true, true, false);
  tlb.install(0x11, 0x6000, true, false, true);
  tlb.switchSpace(a, b); // b was never saved: nothing comes back
  assert.equal(tlb.tagR[slot(0x10)], -1);
  assert.equal(tlb.tagX[slot(0x11)], -1);
  tlb.install(0x10, 0x9000, true, false, false); // the same page in space b
  tlb.switchSpace(b, a);
  assert.equal(tlb.tagR[slot(0x10)], 0x10);
  assert.equal(tlb.tagW[slot(0x10)], 0x10);
  assert.equal(tlb.off[slot(0x10)], 0x5000, "a's frame, not b's");
  assert.equal(tlb.tagX[slot(0x11)], 0x11);
  assert.equal(tlb.tagW[slot(0x11)], -1);
  tlb.switchSpace(a, b);
  assert.equal(tlb.off[slot(0x10)], 0x9000);
  assert.equal(tlb.tagW[slot(0x10)], -1);
  assert.equal(tlb.tagX[slot(0x11)], -1, "a's entry is not left behind");
  tlb.flush();
  assert.equal(tlb.tagR[slot(0x10)], -1, 'restored entries are listed, so a flush clears them');
});

test('an invalidated or stale snapshot is not restored', () => {
  const tlb = new Tlb();
  const a = new TlbSnapshot();
  const b = new TlbSnapshot();
  tlb.install(0x20, 0x7000, true, true, false);
  tlb.switchSpace(a, b);
  a.invalidate(); // a's page tables changed while it was away
  tlb.switchSpace(b, a);
  assert.equal(tlb.tagR[slot(0x20)], -1);

  tlb.install(0x20, 0x7000, true, true, false);
  tlb.switchSpace(a, b);
  tlb.dropStoresToFrame(7); // frame 7 now holds code: no saved store entry may survive
  tlb.switchSpace(b, a);
  assert.equal(tlb.tagW[slot(0x20)], -1);
  assert.equal(tlb.tagR[slot(0x20)], -1);
});

test('a space that overflowed the install list is flushed whole and not restored', () => {
  const tlb = new Tlb();
  const a = new TlbSnapshot();
  const b = new TlbSnapshot();
  for (let vpn = 0; vpn < 300; vpn++) tlb.install(vpn, vpn << 12, true, false, false);
  tlb.switchSpace(a, b);
  assert.equal(a.valid, false);
  for (let vpn = 0; vpn < 300; vpn++) assert.equal(tlb.tagR[slot(vpn)], -1);
  tlb.switchSpace(b, a);
  assert.equal(tlb.tagR[slot(5)], -1);
});
