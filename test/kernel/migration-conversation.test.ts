// Migrating processes in the middle of a conversation (issue 13: no message lost or doubled).
// Pre-copy: a page the kernel writes for the process (a received message, a futex word) after
// markClean is dirty, so the next round sends it again. Post-copy (the bug the whole-node
// simulator found in migrate-ports seeds 6 and 8): a thread blocked in port_reply_recv after it
// answered is woken on the new node by the next call, but the page its receive buffer is on has
// not arrived, so the message is not handed to it: it runs its call again, and that faults on a
// page not here yet (the page of its ecall). The page wait must keep the call's wait record, so the
// call runs again as the same call once the page is here — not as a new reply_recv that answers
// again with a reply capability it used up (EBADF), nor a port_call that sends again. A call that
// touches a page not here yet waits for it and runs again, as if the page had been there.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PageSource } from '../../src/kernel/hooks.js';
import type { Npid } from '../../src/kernel/npid.js';
import { newKernel, program, runFor, uninterruptedRun } from './helpers.js';

const ROUNDS = 40;
const ARGS = ['ipc_pingpong', String(ROUNDS)];

interface Restored {
  out: string;
  code: number | undefined;
  /** A thread was woken from an IPC wait and then waited for a page (the case of the bug). */
  wokenThenPage: boolean;
}

/**
 * Captures ipc_pingpong at `at` instructions, restores it post-copy on another kernel and runs it
 * to its end, answering one page request whenever nothing can run (the latest first when `lifo`):
 * pages come late, so threads meet absent pages in their calls and when their calls run again.
 */
function postCopy(at: number, lifo: boolean): Restored | undefined {
  const a = newKernel(32);
  const p = a.kernel.spawn({ file: program('ipc_pingpong'), argv: ARGS, envp: [] });
  runFor(a.kernel, at);
  if (!p.alive) return undefined;
  const before = a.host.stdout(p.pid);
  const image = a.kernel.captureGroup(p.pid);
  const pages = image.manifest.members.map(
    (m) => new Map(m.pages.map((pg) => [pg.vaddr, image.contents[pg.content]!])),
  );

  const b = newKernel(32, 2);
  const asked: [Npid, number][] = [];
  const source: PageSource = { request: (npid, vaddr) => asked.push([npid, vaddr]) };
  const restored = b.kernel.restoreGroup(image, { pageSource: source });
  const root = restored[0]!;
  const byNpid = new Map(restored.map((q, i) => [q.npid, { q, pages: pages[i]! }]));
  let wokenThenPage = false;
  for (let guard = 0; b.kernel.liveProcesses() > 0 && guard < 200_000; guard++) {
    wokenThenPage ||= restored.some((q) => q.threads.some((t) => t.wait?.kind === 'page' && t.callWait));
    if (!b.kernel.idle) {
      b.kernel.step(20_000);
      continue;
    }
    const next = lifo ? asked.pop() : asked.shift();
    if (next !== undefined) {
      const m = byNpid.get(next[0]);
      assert.ok(m !== undefined, `a page asked for an unknown process ${next[0]}`);
      if (m.q.alive) assert.ok(b.kernel.pageArrived(m.q.pid, next[1], m.pages.get(next[1])!));
      continue;
    }
    const deadline = b.kernel.nextDeadline();
    assert.ok(
      deadline >= 0,
      `restore at ${at} (lifo ${lifo}): blocked with nothing to wake it; output: ${JSON.stringify(before + b.host.stdout(root.pid))}`,
    );
    b.kernel.advanceIdle(deadline);
  }
  return { out: before + b.host.stdout(root.pid), code: root.exitCode, wokenThenPage };
}

test('pre-copy: pages the kernel writes for a process after markClean are reported dirty', () => {
  const { kernel } = newKernel(32);
  const root = kernel.spawn({ file: program('prodcons'), argv: ['prodcons'], envp: [] });
  runFor(kernel, 100_000);
  let checked = 0;
  for (let round = 0; round < 12; round++) {
    const procs = [...kernel.processes.values()].filter((q) => q.alive && q.pid >= root.pid);
    const before = new Map<number, Map<number, Uint8Array>>();
    for (const q of procs) {
      kernel.markClean(q.pid);
      const pages = new Map<number, Uint8Array>();
      q.addressSpace.forEachPage((v, _pte, off) => pages.set(v, kernel.memory.u8.slice(off, off + 4096)));
      before.set(q.pid, pages);
    }
    runFor(kernel, 3_000 + round * 500);
    for (const q of procs) {
      if (!q.alive) continue;
      const dirty = new Set(kernel.dirtyPages(q.pid));
      q.addressSpace.forEachPage((v, _pte, off) => {
        const old = before.get(q.pid)?.get(v);
        if (old === undefined || kernel.isSharedPage(q.pid, v)) return;
        checked++;
        const now = kernel.memory.u8.subarray(off, off + 4096);
        if (!old.every((x, i) => x === now[i]))
          assert.ok(
            dirty.has(v),
            `page 0x${v.toString(16)} of ${q.name} changed but is not dirty (round ${round})`,
          );
      });
    }
  }
  assert.ok(checked > 0);
});

test('post-copy mid-conversation: woken calls that wait for pages run again as the same call', () => {
  const whole = uninterruptedRun('ipc_pingpong', [String(ROUNDS)]);
  assert.equal(whole.code, 0);
  assert.match(whole.out, new RegExp(`${ROUNDS} round trips, counter ${ROUNDS}`));
  let runs = 0;
  let woken = 0;
  // Points spread over the conversation (both processes up, calls in flight), pages both ways.
  for (let i = 1; i <= 12; i++) {
    const at = Math.floor((whole.instructions * i) / 14);
    for (const lifo of [false, true]) {
      const r = postCopy(at, lifo);
      if (r === undefined) continue;
      runs++;
      if (r.wokenThenPage) woken++;
      assert.equal(r.out, whole.out, `output after a post-copy restore at ${at} (lifo ${lifo})`);
      assert.equal(r.code, 0, `exit code after a post-copy restore at ${at} (lifo ${lifo})`);
    }
  }
  assert.ok(runs >= 12, `${runs} restores ran`);
  assert.ok(woken > 0, 'some restore had a woken call wait for a page (the case under test)');
});
