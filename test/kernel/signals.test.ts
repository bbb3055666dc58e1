// User signal handlers beyond the golden programs: the frame layout against Linux riscv32's
// struct rt_sigframe, exec's reset of dispositions, sa_mask (which qemu-riscv32 7.2 misreads, so the
// goldens cannot cover it), a node kill reaching a handler, and checkpoint/restore of a process
// that waits in rt_sigsuspend with a handler, a blocked pending signal and an alternate stack, and
// what survives execve.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeImage, encodeImage } from '../../src/kernel/image-codec.js';
import {
  buildFrame,
  FRAME_SIZE,
  MCONTEXT_OFFSET,
  parseFrame,
  SIGTRAMP_ADDR,
  UC_SIGMASK,
} from '../../src/kernel/signal-frame.js';
import {
  SA_RESTART,
  SA_SIGINFO,
  SIG_DFL,
  SIG_IGN,
  SIGTERM,
  SIGUSR1,
  SignalActions,
  sigBit,
  sigInfo,
} from '../../src/kernel/signals.js';
import { newKernel, program, runFor, runToEnd } from './helpers.js';

const EXPECTED =
  'waiting\nSIGTERM caught: code 0, on the alternate stack yes, USR2 blocked inside yes, USR1 still pending yes\n';

test('the signal frame has Linux riscv32 rt_sigframe offsets and round-trips', () => {
  assert.equal(FRAME_SIZE, 944); // 128 siginfo + 160 ucontext head + 128 sc_regs + 528 fp state
  assert.equal(FRAME_SIZE % 16, 0);
  assert.equal(UC_SIGMASK, 148);
  assert.equal(MCONTEXT_OFFSET, 288);
  const regs = new Int32Array(32).map((_, i) => i * 0x01010101);
  const bytes = buildFrame({
    info: sigInfo(11, 1, 0, 0xdead0),
    mask: sigBit(10) | sigBit(64),
    stack: { sp: 0x1000, size: 8192, flags: 0 },
    regs,
    pc: 0x10074,
  });
  const v = new DataView(bytes.buffer);
  assert.equal(v.getInt32(0, true), 11, 'si_signo');
  assert.equal(v.getInt32(8, true), 1, 'si_code');
  assert.equal(v.getUint32(12, true), 0xdead0, 'si_addr');
  assert.equal(v.getUint32(MCONTEXT_OFFSET, true), 0x10074, 'sc_regs.pc');
  assert.equal(v.getInt32(MCONTEXT_OFFSET + 4 * 2, true), regs[2], 'sc_regs.sp');
  const back = parseFrame(bytes);
  assert.equal(back.pc, 0x10074);
  assert.deepEqual(Array.from(back.regs.subarray(1)), Array.from(regs.subarray(1)));
  assert.equal(back.mask, sigBit(10) | sigBit(64));
  assert.deepEqual(back.stack, { sp: 0x1000, size: 8192, flags: 0 });
});

test('exec puts caught signals back to SIG_DFL and keeps ignored ones ignored', () => {
  const actions = new SignalActions();
  actions.actions[SIGUSR1] = { handler: 0x10000, flags: SA_SIGINFO | SA_RESTART, mask: sigBit(2) };
  actions.actions[SIGTERM] = { handler: SIG_IGN, flags: SA_RESTART, mask: 0n };
  const forked = actions.copy();
  actions.resetForExec();
  assert.deepEqual(actions.get(SIGUSR1), { handler: SIG_DFL, flags: 0, mask: 0n });
  assert.equal(actions.get(SIGTERM).handler, SIG_IGN);
  assert.equal(forked.get(SIGUSR1).handler, 0x10000, 'a fork copy is its own');
});

test('every address space maps the signal trampoline: li a7,139; ecall', () => {
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('true'), argv: ['true'], envp: [] });
  const code = p.addressSpace.copyIn(SIGTRAMP_ADDR, 8);
  assert.ok(code !== undefined);
  const v = new DataView(code.buffer);
  assert.equal(v.getUint32(0, true), 0x08b00893);
  assert.equal(v.getUint32(4, true), 0x00000073);
  assert.equal(p.addressSpace.copyOut(SIGTRAMP_ADDR, new Uint8Array(4)), false, 'read-only');
});

/** Runs sig_wait until it waits in rt_sigsuspend. */
function waitingSigWait(nodeId = 1): ReturnType<typeof newKernel> & { pid: number } {
  const k = newKernel(32, nodeId);
  const p = k.kernel.spawn({ file: program('sig_wait'), argv: ['sig_wait'], envp: [] });
  runFor(k.kernel, 2_000_000);
  assert.ok(k.kernel.idle, 'sig_wait waits');
  assert.equal(p.threads[0]?.wait?.kind, 'sigsuspend');
  return { ...k, pid: p.pid };
}

test('a SIGTERM from the node runs the handler (with its sa_mask) and the program exits 0', () => {
  const { kernel, host, pid } = waitingSigWait();
  assert.equal(kernel.kill(pid, SIGTERM), 0);
  runToEnd(kernel);
  assert.equal(host.stdout(pid), EXPECTED);
  assert.equal(kernel.findProcess(pid)?.exitCode ?? 0, 0);
});

test('checkpoint/restore keeps handlers, masks, pending signals and the alternate stack', () => {
  const a = waitingSigWait();
  const image = decodeImage(a.kernel.checkpoint(a.pid));
  const t0 = image.manifest.threads[0]!;
  assert.equal(t0.wait?.kind, 'sigsuspend');
  assert.deepEqual(
    t0.signals?.pending.map((s) => s.signo),
    [SIGUSR1],
  );
  assert.equal(t0.signals?.savedMask?.[0], Number(sigBit(SIGUSR1)));
  assert.deepEqual(
    image.manifest.signals?.actions.map((x) => x.signo),
    [SIGTERM],
    'only the installed handler is recorded',
  );

  const b = newKernel(32, 2);
  const pid = b.kernel.restore(encodeImage(image));
  runFor(b.kernel, 100_000);
  assert.ok(b.kernel.findProcess(pid)?.alive, 'still waiting after restore');
  assert.equal(b.host.stdout(pid), '', 'nothing more printed until the signal');
  b.kernel.kill(pid, SIGTERM);
  runToEnd(b.kernel);
  assert.equal(a.host.stdout(a.pid) + b.host.stdout(pid), EXPECTED);
  assert.equal(b.kernel.findProcess(pid)?.exitCode ?? 0, 0);
});

test('an image from before signal handlers restores with default dispositions and a trampoline', () => {
  const a = waitingSigWait();
  const image = decodeImage(a.kernel.checkpoint(a.pid));
  delete image.manifest.signals;
  for (const t of image.manifest.threads) delete t.signals;
  image.manifest.regions = image.manifest.regions.filter((r) => r.start !== SIGTRAMP_ADDR);
  image.manifest.pages = image.manifest.pages.filter((p) => p.vaddr !== SIGTRAMP_ADDR);
  const b = newKernel(32, 2);
  const pid = b.kernel.restore(encodeImage(image));
  const p = b.kernel.findProcess(pid)!;
  assert.equal(p.sigactions.get(SIGTERM).handler, SIG_DFL);
  assert.ok(p.addressSpace.copyIn(SIGTRAMP_ADDR, 8) !== undefined, 'trampoline mapped again');
  b.kernel.kill(pid, SIGTERM);
  assert.equal(p.exitCode, 128 + SIGTERM, 'the default action ends it');
});

test('an image with a bad signal record is refused and names the field', () => {
  const a = waitingSigWait();
  const image = decodeImage(a.kernel.checkpoint(a.pid));
  const cases: [string, (m: typeof image.manifest) => void, RegExp][] = [
    ['signo', (m) => (m.signals!.actions[0]!.signo = 65), /signals\.actions\[0\]\.signo/],
    ['mask', (m) => (m.threads[0]!.signals!.blocked = [1] as never), /threads\[0\]\.signals\.blocked/],
    [
      'duplicate',
      (m) => m.threads[0]!.signals!.pending.push({ ...m.threads[0]!.signals!.pending[0]! }),
      /holds a signal twice/,
    ],
  ];
  for (const [what, mutate, message] of cases) {
    const manifest = structuredClone(image.manifest);
    mutate(manifest);
    const { kernel } = newKernel(32);
    assert.throws(() => kernel.restore(encodeImage({ manifest, contents: image.contents })), message, what);
    assert.equal(kernel.processes.size, 0, what);
  }
});

test('execve resets handlers, keeps SIG_IGN, the mask and pending signals, drops the altstack', () => {
  const { kernel, host } = newKernel(32);
  const p = kernel.spawn({ file: program('sig_exec'), argv: ['sig_exec'], envp: [] });
  runToEnd(kernel);
  assert.equal(
    host.stdout(p.pid),
    'after exec: USR1 default, USR2 ignored, TERM blocked yes, TERM pending yes, altstack disabled\n',
  );
  assert.equal(p.exitCode, 0);
});
