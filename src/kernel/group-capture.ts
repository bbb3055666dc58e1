// Capturing a group of processes: groupOf() computes the closure of a root process — processes that
// share memory, hold capabilities to each other's objects (ports, notifications, replies) or wait
// in calls the others must answer, plus the children of members (their parent waits for them) —
// and captureGroup() turns it into a GroupImage between kernel steps. Nothing in the group is
// stopped or told: the capture only reads (a checkpoint is invisible to the processes and their
// parents). The node's own servers (name server, console) are not captured: capabilities to them
// are recorded as "bootstrap" objects that a restore points at the new node's servers.

import { type CheckpointKernel, capture } from './checkpoint.js';
import { KernelError } from './errors.js';
import type { FutexTable } from './futex.js';
import type { GroupImage, ImageCap, ImageMessage, ImageObject, ImageZombie } from './group-image.js';
import { GROUP_IMAGE_VERSION } from './group-image.js';
import { PageContents } from './image.js';
import type { Capability, CapObject } from './ipc/cspace.js';
import { type Message, Notification, Port, PortSet, Reply } from './ipc/objects.js';
import { remoteSenderNpid } from './ipc/remote-sender.js';
import { type Npid, npid } from './npid.js';
import { IPC_WAITS, type Process, type Thread } from './proc.js';
import { SharedMemory } from './shm.js';

/** What a group capture reads from the kernel. */
export interface GroupKernel extends CheckpointKernel {
  readonly processes: ReadonlyMap<number, Process>;
  readonly threads: ReadonlyMap<number, Thread>;
  isTask(pid: number): boolean;
  /** The objects of the node's own servers (not captured: restore names the new node's). */
  bootstrapObject(o: CapObject): 'nameServer' | 'console' | undefined;
  readonly replies: ReadonlyMap<number, Reply>;
  readonly futexes: FutexTable;
  readonly ipcWaits: FutexTable;
  readonly nodeId: number;
}

/** The id of the object an IPC wait record names (page waits name none). */
export function waitObjectId(t: Thread): number | undefined {
  const w = t.wait;
  if (w === undefined || w.kind === 'page' || !IPC_WAITS.has(w.kind)) return undefined;
  return w.object;
}

/** Union-find over pids. */
class Classes {
  private readonly up = new Map<number, number>();
  find(a: number): number {
    let r = a;
    while ((this.up.get(r) ?? r) !== r) r = this.up.get(r)!;
    this.up.set(a, r);
    return r;
  }
  join(a: number, b: number): void {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra !== rb) this.up.set(ra, rb);
  }
}

/** The objects a message reaches: its carried capabilities' objects and its reply. */
function messageObjects(m: Message): CapObject[] {
  const out: CapObject[] = m.caps.map((c) => c.object);
  if (m.reply !== undefined) out.push(m.reply);
  return out;
}

/**
 * The group of `root`: every process (live, or ended and not yet reaped) that must be captured with
 * it, root first, then by pid. Throws KernelError when a member reaches an object that only a
 * system server holds (the capture could not carry it).
 */
export function groupOf(k: GroupKernel, root: Process): Process[] {
  const classes = new Classes();
  const toucher = new Map<CapObject, number>();
  const pending: [CapObject, number][] = [];
  const touch = (o: CapObject, pid: number): void => {
    if (k.bootstrapObject(o) !== undefined) return;
    const first = toucher.get(o);
    if (first !== undefined) {
      classes.join(first, pid);
      return;
    }
    toucher.set(o, pid);
    pending.push([o, pid]);
  };
  const ownerOfTid = (tid: number): Process | undefined => k.threads.get(tid)?.process;
  for (const p of k.processes.values()) {
    if (!p.alive || k.isTask(p.pid)) continue;
    for (const cap of p.caps.values()) touch(cap.object, p.pid);
    for (const r of p.addressSpace.regions) if (r.shared !== undefined) touch(r.shared, p.pid);
    for (const t of p.threads) {
      const id = t.wait?.kind === 'reply' ? waitObjectId(t) : undefined;
      const reply = id !== undefined ? k.replies.get(id) : undefined;
      if (reply !== undefined) touch(reply, p.pid);
    }
  }
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const [o, pid] = next;
    if (o instanceof Port) {
      // A remote port joins nobody here (its receiver is on another node); capturing a group that
      // holds one fails below.
      if (o.remote !== undefined) continue;
      const holder = o.receiver.ownerPid;
      if (k.isTask(holder) && o.alive)
        throw new KernelError(
          `process ${pid} holds a capability to a port of system server ${holder}; it cannot be captured`,
        );
      const at = o.alive ? holder : pid;
      if (o.alive) classes.join(pid, holder);
      for (const m of o.queue) for (const x of messageObjects(m)) touch(x, at);
      for (const w of o.deathWatch) touch(w.notification, at);
      if (o.set !== undefined) touch(o.set, at);
    } else if (o instanceof Reply) {
      const client = ownerOfTid(o.clientTid);
      if (client?.alive && !k.isTask(client.pid)) classes.join(pid, client.pid);
      if (o.message !== undefined) for (const x of messageObjects(o.message)) touch(x, pid);
    }
  }
  const members = new Set<Process>();
  const work: Process[] = [root];
  const rootClass = classes.find(root.pid);
  for (const p of k.processes.values())
    if (p !== root && p.alive && !k.isTask(p.pid) && classes.find(p.pid) === rootClass) work.push(p);
  for (let p = work.pop(); p !== undefined; p = work.pop()) {
    if (members.has(p)) continue;
    members.add(p);
    for (const child of p.children) if (!child.reaped && !members.has(child)) work.push(child);
    if (!p.alive) continue;
    const c = classes.find(p.pid);
    for (const q of k.processes.values())
      if (!members.has(q) && q.alive && !k.isTask(q.pid) && classes.find(q.pid) === c) work.push(q);
  }
  const rest = [...members].filter((p) => p !== root).sort((a, b) => a.pid - b.pid);
  return [root, ...rest];
}

/**
 * Captures `members` (a group from groupOf) as one image. With `contents: false` the members' own
 * pages are listed (address and bits) but all name content 0, a zero page: a migration sends them
 * apart. Shared memory objects keep their contents.
 */
export function captureGroup(
  k: GroupKernel,
  members: Process[],
  options: { contents?: boolean } = {},
): GroupImage {
  const pages = new PageContents();
  // Without contents, every member page names content 0: one zero page, added first.
  const noContents = options.contents === false;
  if (noContents) pages.add(new Uint8Array(4096));
  const memberPages = noContents ? { add: (): number => 0 } : undefined;
  const order = new Map<Thread, number>();
  for (const table of [k.futexes, k.ipcWaits])
    for (const [, queue] of table.entries()) for (const t of queue) order.set(t, order.size);
  const memberPids = new Set(members.map((p) => p.pid));
  const npidOfPid = (pid: number): Npid =>
    pid < 0 ? remoteSenderNpid(pid) : (k.processes.get(pid)?.npid ?? npid(k.nodeId, pid));

  const objects: ImageObject[] = [];
  const objectIds = new Map<CapObject, number>();
  const caps: ImageCap[] = [];
  const capIndex = new Map<Capability, number>();
  const capList: Capability[] = [];
  /** Replies someone in the image can still answer (a reply capability or a queued call names them). */
  const answerable = new Set<Reply>();
  const work: CapObject[] = [];
  const objectId = (o: CapObject): number => {
    let id = objectIds.get(o);
    if (id !== undefined) return id;
    const which = k.bootstrapObject(o);
    id = which !== undefined ? -1 - objectIds.size : o.id;
    objectIds.set(o, id);
    if (which !== undefined) objects.push({ kind: 'bootstrap', id, which });
    else work.push(o);
    return id;
  };
  const capOf = (c: Capability, place: ImageCap['place']): number => {
    const known = capIndex.get(c);
    if (known !== undefined) return known;
    const at = caps.length;
    capIndex.set(c, at);
    capList.push(c);
    if (c.object instanceof Reply) answerable.add(c.object);
    caps.push({
      object: objectId(c.object),
      rights: c.rights,
      badge: c.badge,
      parent: -1,
      deleted: c.deleted,
      place,
    });
    return at;
  };
  const message = (m: Message): ImageMessage => {
    if (m.reply !== undefined) answerable.add(m.reply);
    return messageOf(m);
  };
  const messageOf = (m: Message): ImageMessage => ({
    data: m.data.slice(),
    caps: m.caps.map((c) => capOf(c, { kind: 'message' })),
    badge: m.badge,
    reply: m.reply !== undefined ? objectId(m.reply) : -1,
    sender: npidOfPid(m.senderPid),
  });

  const images = members
    .filter((p) => p.alive)
    .map((p) => {
      for (const c of [...p.caps.values()].sort((a, b) => a.slot - b.slot))
        capOf(c, { kind: 'slot', pid: p.pid, slot: c.slot });
      for (const r of p.addressSpace.regions) if (r.shared !== undefined) objectId(r.shared);
      for (const t of p.threads) {
        const id = t.wait?.kind === 'reply' ? waitObjectId(t) : undefined;
        const reply = id !== undefined ? k.replies.get(id) : undefined;
        if (reply !== undefined) objectId(reply);
      }
      return capture(k, p, {
        pages,
        ...(memberPages !== undefined ? { memberPages } : {}),
        waitObject: waitObjectId,
        queueOrder: (t) => order.get(t),
      }).manifest;
    });

  for (let o = work.shift(); o !== undefined; o = work.shift()) {
    if (o instanceof Port) {
      if (o.remote !== undefined)
        throw new KernelError(
          `the group holds a remote port (route ${o.remote}); images do not carry routes`,
        );
      const receiver = o.receiver.ownerPid;
      objects.push({
        kind: 'port',
        id: o.id,
        alive: o.alive,
        receiver: o.alive || memberPids.has(receiver) ? receiver : 0,
        queue: o.queue.map(message),
        set: o.set !== undefined ? objectId(o.set) : -1,
        deathWatch: o.deathWatch.map((w) => ({ notification: objectId(w.notification), bits: w.bits })),
      });
      if (o.alive && !memberPids.has(receiver))
        throw new KernelError(`port ${o.id} is received by process ${receiver}, outside the group`);
    } else if (o instanceof PortSet) {
      objects.push({ kind: 'portset', id: o.id, alive: o.alive });
      for (const p of o.ports) objectId(p);
    } else if (o instanceof Notification) {
      objects.push({ kind: 'notification', id: o.id, alive: o.alive, word: o.word });
    } else if (o instanceof Reply) {
      objects.push({
        kind: 'reply',
        id: o.id,
        clientTid: o.clientTid,
        state: o.state,
        message: o.message !== undefined ? message(o.message) : undefined,
        registered: k.replies.get(o.id) === o,
        ...(o.remote !== undefined ? { remote: o.remote } : {}),
      });
    } else if (o instanceof SharedMemory) {
      const frames: number[] = [];
      for (let i = 0; i < o.pages; i++) {
        const f = o.pageFrames[i]!;
        frames.push(f < 0 ? -1 : pages.add(k.memory.u8.subarray(f * 4096, f * 4096 + 4096)));
      }
      objects.push({ kind: 'shm', id: o.id, pages: o.pages, frames });
    }
  }

  for (const o of objectIds.keys())
    if (o instanceof Reply && o.state === 'waiting' && !answerable.has(o))
      throw new KernelError(
        `thread ${o.clientTid} waits for an answer from outside the group (a system server): try again`,
      );

  // Derivation links: a parent outside the captured capabilities is kept as a bare tree node,
  // unless it names a bootstrap object (the restore links it under the new node's servers).
  for (let i = 0; i < caps.length; i++) {
    const parent = capList[i]!.parent;
    if (parent === undefined) continue;
    if (k.bootstrapObject(parent.object) !== undefined && !capIndex.has(parent)) continue;
    if (parent.space !== undefined && !memberPids.has(parent.space.ownerPid))
      throw new KernelError(
        `a capability derives from one held by process ${parent.space.ownerPid}, outside the group`,
      );
    caps[i]!.parent = capOf(
      parent,
      parent.space !== undefined
        ? { kind: 'slot', pid: parent.space.ownerPid, slot: parent.slot }
        : { kind: 'none' },
    );
  }

  const zombies: ImageZombie[] = members
    .filter((p) => !p.alive)
    .map((p) => ({
      npid: p.npid,
      pid: p.pid,
      name: p.name,
      termination: { ...p.termination! },
      instructions: p.instructions,
    }));
  const parents: [number, number][] = members
    .filter((p) => p.parent !== undefined && memberPids.has(p.parent.pid))
    .map((p) => [p.pid, p.parent!.pid]);
  return {
    manifest: { version: GROUP_IMAGE_VERSION, members: images, zombies, parents, objects, caps },
    contents: pages.contents,
  };
}
