// Restoring a group image (group-image.ts) on a node: shared memory objects first (their pages
// written once, then mapped by every member that maps them), then each member's process
// (checkpoint.ts rebuild), then ports, port sets, notifications and replies with their ids, then
// every capability at its slot or in its message with its derivation links, then queued messages,
// (objects get new ids on this node; wait records are pointed at them),
// parent links and ended-but-unreaped members. The caller (Kernel.restoreGroup) puts restored
// waiters back on their queues before anything runs. The image was validated (group-schema.ts).
import { assert } from './assert.js';
import { type CheckpointKernel, rebuild } from './checkpoint.js';
import type { GroupImage, ImageMessage } from './group-image.js';
import { Capability, type CapObject, CapSpace } from './ipc/cspace.js';
import { RIGHT_RECEIVE } from './ipc/limits.js';
import { type Message, Notification, Port, PortSet, Reply } from './ipc/objects.js';
import type { ReplyTable } from './ipc/reply-table.js';
import { type Npid, npidLocal, parseNpid } from './npid.js';
import { Process } from './proc.js';
import { SharedMemory } from './shm.js';
import { AddressSpace } from './vm.js';

/** What a group restore needs from the kernel. */
export interface GroupRestoreKernel extends CheckpointKernel {
  /** The kernel's reply table (a client collects its answer through it). */
  readonly replies: ReplyTable;
  /** A new object id on this node. */
  newObjectId(): number;
  /** This node's capability for a bootstrap server, if it runs one. */
  bootstrapCap(which: 'nameServer' | 'console'): Capability | undefined;
}

export interface RestoredGroup {
  /** Live members in image order (the root first). */
  processes: Process[];
  /** Ended members (zombies), for their parents to reap. */
  zombies: Process[];
}

/**
 * Rebuilds a group. When memory runs out it stops: `built` lists the members already made, for the
 * kernel to end (their shared objects are freed with their last mapping).
 */
export function rebuildGroup(
  k: GroupRestoreKernel,
  image: GroupImage,
  npids: Npid[],
  lazyPages = false,
  remoteToken?: (token: number) => number,
): ({ ok: true } & RestoredGroup) | { ok: false; built: Process[] } {
  const m = image.manifest;
  // Every object gets a new id on this node (ids are unique per node; the image's ids only link the
  // image's parts): wait records and the reply table name the new ones.
  const ids = new Map<number, number>();
  for (const o of m.objects) {
    if (o.kind !== 'bootstrap') ids.set(o.id, k.newObjectId());
    else {
      const server = k.bootstrapCap(o.which)?.object.id;
      if (server !== undefined) ids.set(o.id, server);
    }
  }
  const fresh = (id: number): number => ids.get(id)!;
  const objects = new Map<number, CapObject>();
  const shms: SharedMemory[] = [];
  for (const o of m.objects) {
    if (o.kind !== 'shm') continue;
    const shm = new SharedMemory(fresh(o.id), o.pages, k.frames);
    shms.push(shm);
    objects.set(o.id, shm);
    for (let i = 0; i < o.pages; i++) {
      const content = o.frames[i]!;
      if (content < 0) continue;
      const frame = k.frames.alloc();
      if (frame < 0) {
        for (const s of shms) {
          s.hold();
          s.release(); // frees the frames written so far
        }
        return { ok: false, built: [] };
      }
      shm.pageFrames[i] = frame;
      k.memory.writeBytes(frame * 4096, image.contents[content]!);
    }
  }
  // Hold the objects while members are rebuilt (a failed member must not free them early).
  for (const s of shms) s.hold();
  const pidMap = new Map<number, Process>();
  const tidMap = new Map<number, number>();
  const processes: Process[] = [];
  const cowFrames = new Map<number, number>();
  for (const [i, member] of m.members.entries()) {
    const shared = (id: number): SharedMemory | undefined => {
      const o = objects.get(id);
      return o instanceof SharedMemory ? o : undefined;
    };
    const p = rebuild(
      k,
      { manifest: member, contents: image.contents },
      npids[i]!,
      shared,
      lazyPages,
      cowFrames,
      (id) => ids.get(id),
    );
    if (p === undefined) {
      for (const s of shms) s.release(); // the members built so far hold what they map
      return { ok: false, built: processes };
    }
    processes.push(p);
    pidMap.set(member.pid, p);
    for (const [at, t] of member.threads.entries()) tidMap.set(t.tid, p.threads[at]!.tid);
  }

  const dead = new CapSpace(0, 0);
  for (const o of m.objects) {
    if (o.kind === 'port') {
      const port = new Port(fresh(o.id), pidMap.get(o.receiver)?.caps ?? dead);
      port.alive = o.alive;
      objects.set(o.id, port);
    } else if (o.kind === 'portset') {
      const set = new PortSet(fresh(o.id));
      set.alive = o.alive;
      objects.set(o.id, set);
    } else if (o.kind === 'notification') {
      const n = new Notification(fresh(o.id));
      n.alive = o.alive;
      n.word = o.word;
      objects.set(o.id, n);
    } else if (o.kind === 'reply') {
      const r = new Reply(fresh(o.id), tidMap.get(o.clientTid) ?? 0);
      r.state = o.state;
      if (o.remote !== undefined) {
        // A remote caller's reply: answered through the token the restoring node's router gave the
        // call (none: the answer has no way back, and the caller's node times the call out).
        const token = remoteToken?.(o.remote) ?? 0;
        if (token > 0) {
          r.remote = token;
          r.reusable = false;
        } else if (r.state === 'waiting') r.state = 'abandoned';
      }
      objects.set(o.id, r);
      if (o.registered) k.replies.set(r.id, r);
    } else if (o.kind === 'bootstrap') {
      const cap = k.bootstrapCap(o.which);
      if (cap !== undefined) objects.set(o.id, cap.object);
    }
  }

  // Capabilities: a bootstrap one on a node without that server is dropped (in a message, it
  // travels deleted, so it takes no slot when received).
  const caps = m.caps.map((c) => {
    const object = objects.get(c.object);
    const cap = new Capability(object ?? new Port(0, dead), c.rights, c.badge);
    cap.deleted = c.deleted || object === undefined;
    if (!cap.deleted) cap.object.hold?.();
    return cap;
  });
  m.caps.forEach((c, i) => {
    const cap = caps[i]!;
    if (cap.deleted) return;
    const parent = c.parent >= 0 ? caps[c.parent] : undefined;
    const bootstrap = m.objects.find((o) => o.id === c.object && o.kind === 'bootstrap');
    const root = parent ?? (bootstrap?.kind === 'bootstrap' ? k.bootstrapCap(bootstrap.which) : undefined);
    if (root !== undefined && !root.deleted) {
      cap.parent = root;
      root.children.add(cap);
    }
    if (c.place.kind === 'slot') {
      const p = pidMap.get(c.place.pid);
      assert(p !== undefined, 'validated capability names no member');
      p.caps.place(cap, c.place.slot);
    }
  });

  const senderPid = (text: string): number => {
    const id = parseNpid(text);
    if (id === undefined) return 0;
    for (const [old, p] of pidMap) if (p.npid === id) return old === p.pid ? old : p.pid;
    return npidLocal(id);
  };
  const message = (im: ImageMessage): Message => ({
    data: im.data.slice(),
    caps: im.caps.map((at) => caps[at]!),
    badge: im.badge,
    reply: im.reply >= 0 ? (objects.get(im.reply) as Reply) : undefined,
    senderPid: senderPid(im.sender),
  });
  for (const o of m.objects) {
    if (o.kind === 'port') {
      const port = objects.get(o.id) as Port;
      for (const im of o.queue) port.push(message(im));
      if (o.set >= 0) {
        const set = objects.get(o.set) as PortSet;
        port.set = set;
        set.ports.add(port);
      }
      for (const w of o.deathWatch)
        port.deathWatch.push({ notification: objects.get(w.notification) as Notification, bits: w.bits });
      // The receive right's holder is the receiver (or it travels in a message, received later).
      assert(
        !o.alive || caps.some((c) => c.object === port && c.has(RIGHT_RECEIVE)),
        `restored port ${o.id} has no receive right`,
      );
    } else if (o.kind === 'reply' && o.message !== undefined) {
      (objects.get(o.id) as Reply).message = message(o.message);
    }
  }
  for (const s of shms) s.release(); // the members' mappings and capabilities hold them now

  for (const [child, parent] of m.parents) {
    const c = pidMap.get(child);
    const p = pidMap.get(parent);
    if (c === undefined || p === undefined) continue;
    c.parent = p;
    c.pgid = p.pgid;
    c.sid = p.sid;
    p.children.add(c);
  }
  const zombies = m.zombies.map((z, i) => {
    const as = AddressSpace.create(k.memory, k.frames);
    assert(as !== undefined, 'no frame for an ended process');
    const pid = k.idFree(z.pid) ? z.pid : k.newPid();
    const p = new Process(
      pid,
      npids[m.members.length + i]!,
      z.name,
      as,
      { list: [], symbolize: () => undefined },
      {
        pages: 1,
        threads: 1,
        handles: 0,
      },
    );
    k.adopt(p, as);
    as.destroy();
    p.termination = { ...z.termination };
    p.exitedInstructions = z.instructions;
    pidMap.set(z.pid, p);
    return p;
  });
  for (const [child, parent] of m.parents) {
    const c = pidMap.get(child);
    const p = pidMap.get(parent);
    if (c === undefined || p === undefined || c.alive) continue;
    c.parent = p;
    p.children.add(c);
  }
  return { ok: true, processes, zombies };
}
