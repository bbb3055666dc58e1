// Validation of a decoded group manifest (group-image.ts): each member as a process manifest
// (image-schema.ts), then the objects, capabilities and messages, and every reference between
// them — object ids, capability indices, member pids and slots, shared mappings inside their
// objects, IPC waits naming objects of the right kind, queue and quota limits. A group that passes
// can be rebuilt (group-restore.ts) without further checks; one that fails names the field at fault.
import type {
  GroupManifest,
  ImageCap,
  ImageCapPlace,
  ImageMessage,
  ImageObject,
  ImageZombie,
} from './group-image.js';
import { GROUP_IMAGE_VERSION } from './group-image.js';
import { ImageError, type ImageManifest, type IpcWaitKind } from './image.js';
import { arr, bool, int, obj, oneOf, str, U32, validateManifest } from './image-schema.js';
import {
  DEATH_WATCH_MAX,
  MSG_BYTES_MAX,
  MSG_CAPS_MAX,
  PORT_QUEUE_MAX,
  RIGHTS_ALL,
  SENDER_QUOTA,
} from './ipc/limits.js';
import { MAP_MAX, PROCESS_MAX } from './limits.js';

const fail = (path: string, what: string): never => {
  throw new ImageError(`group manifest: ${path} ${what}`);
};
/** Most capabilities a group image may hold (every member's space plus those in messages). */
const GROUP_CAPS_MAX = 1 << 20;
const ID_MAX = Number.MAX_SAFE_INTEGER;

function message(v: unknown, path: string, capCount: number): ImageMessage {
  const o = obj(v, path);
  if (!(o.data instanceof Uint8Array) || o.data.length > MSG_BYTES_MAX)
    fail(`${path}.data`, `must be at most ${MSG_BYTES_MAX} bytes`);
  return {
    data: o.data as Uint8Array,
    caps: arr(o.caps, `${path}.caps`, MSG_CAPS_MAX).map((c, i) =>
      int(c, `${path}.caps[${i}]`, 0, capCount - 1),
    ),
    badge: int(o.badge, `${path}.badge`, 0, U32),
    reply: int(o.reply, `${path}.reply`, -1, ID_MAX),
    sender: str(o.sender, `${path}.sender`, 64),
  };
}

function object(v: unknown, path: string, capCount: number): ImageObject {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, [
    'port',
    'portset',
    'notification',
    'reply',
    'shm',
    'bootstrap',
  ] as const);
  if (kind === 'bootstrap')
    return {
      kind,
      id: int(o.id, `${path}.id`, -(2 ** 31), -1),
      which: oneOf(o.which, `${path}.which`, ['nameServer', 'console'] as const),
    };
  const id = int(o.id, `${path}.id`, 1, ID_MAX);
  switch (kind) {
    case 'port': {
      const queue = arr(o.queue, `${path}.queue`, PORT_QUEUE_MAX).map((m, i) =>
        message(m, `${path}.queue[${i}]`, capCount),
      );
      const bySender = new Map<string, number>();
      for (const m of queue) bySender.set(m.sender, (bySender.get(m.sender) ?? 0) + 1);
      for (const [sender, n] of bySender)
        if (n > SENDER_QUOTA)
          fail(`${path}.queue`, `holds ${n} messages from ${sender} (quota ${SENDER_QUOTA})`);
      return {
        kind,
        id,
        alive: bool(o.alive, `${path}.alive`),
        receiver: int(o.receiver, `${path}.receiver`, 0, 0x7fffffff),
        queue,
        set: int(o.set, `${path}.set`, -1, ID_MAX),
        deathWatch: arr(o.deathWatch, `${path}.deathWatch`, DEATH_WATCH_MAX).map((w, i) => {
          const x = obj(w, `${path}.deathWatch[${i}]`);
          return {
            notification: int(x.notification, `${path}.deathWatch[${i}].notification`, 1, ID_MAX),
            bits: int(x.bits, `${path}.deathWatch[${i}].bits`, 1, U32),
          };
        }),
      };
    }
    case 'portset':
      return { kind, id, alive: bool(o.alive, `${path}.alive`) };
    case 'notification':
      return { kind, id, alive: bool(o.alive, `${path}.alive`), word: int(o.word, `${path}.word`, 0, U32) };
    case 'reply':
      return {
        kind,
        id,
        clientTid: int(o.clientTid, `${path}.clientTid`, 0, 0x7fffffff),
        state: oneOf(o.state, `${path}.state`, ['waiting', 'replied', 'abandoned'] as const),
        message:
          o.message === undefined || o.message === null
            ? undefined
            : message(o.message, `${path}.message`, capCount),
        registered: bool(o.registered, `${path}.registered`),
        remote:
          o.remote === undefined || o.remote === null
            ? undefined
            : int(o.remote, `${path}.remote`, 1, Number.MAX_SAFE_INTEGER),
      };
    case 'shm': {
      const pages = int(o.pages, `${path}.pages`, 1, MAP_MAX / 4096);
      const frames = arr(o.frames, `${path}.frames`, pages).map((f, i) =>
        int(f, `${path}.frames[${i}]`, -1, ID_MAX),
      );
      if (frames.length !== pages) fail(`${path}.frames`, `must hold ${pages} entries`);
      return { kind, id, pages, frames };
    }
  }
}

function place(v: unknown, path: string): ImageCapPlace {
  const o = obj(v, path);
  const kind = oneOf(o.kind, `${path}.kind`, ['slot', 'message', 'none'] as const);
  if (kind !== 'slot') return { kind };
  return {
    kind,
    pid: int(o.pid, `${path}.pid`, 1, 0x7fffffff),
    slot: int(o.slot, `${path}.slot`, 1, 1 << 16),
  };
}

function cap(v: unknown, path: string, capCount: number): ImageCap {
  const o = obj(v, path);
  return {
    object: int(o.object, `${path}.object`, -(2 ** 31), ID_MAX),
    rights: int(o.rights, `${path}.rights`, 0, RIGHTS_ALL),
    badge: int(o.badge, `${path}.badge`, 0, U32),
    parent: int(o.parent, `${path}.parent`, -1, capCount - 1),
    deleted: bool(o.deleted, `${path}.deleted`),
    place: place(o.place, `${path}.place`),
  };
}

function zombie(v: unknown, path: string): ImageZombie {
  const o = obj(v, path);
  const t = obj(o.termination, `${path}.termination`);
  const kind = oneOf(t.kind, `${path}.termination.kind`, ['exited', 'signaled'] as const);
  return {
    npid: str(o.npid, `${path}.npid`, 64),
    pid: int(o.pid, `${path}.pid`, 1, 0x7fffffff),
    name: str(o.name, `${path}.name`, 256),
    termination:
      kind === 'exited'
        ? { kind, status: int(t.status, `${path}.termination.status`, 0, 255) }
        : { kind, signal: int(t.signal, `${path}.termination.signal`, 1, 64) },
    instructions: int(o.instructions, `${path}.instructions`, 0, Number.MAX_SAFE_INTEGER),
  };
}

/** Checks a decoded group manifest against an image holding `pageCount` page contents. */
export function validateGroup(value: unknown, pageCount: number): GroupManifest {
  const o = obj(value, 'group manifest');
  const version = int(o.version, 'version', 0, U32);
  if (version !== GROUP_IMAGE_VERSION) fail('version', `is ${version}, expected ${GROUP_IMAGE_VERSION}`);
  const members: ImageManifest[] = arr(o.members, 'members', PROCESS_MAX).map((m, i) => {
    try {
      return validateManifest(m, pageCount);
    } catch (err) {
      if (err instanceof ImageError) throw new ImageError(`members[${i}]: ${err.message}`);
      throw err;
    }
  });
  if (members.length === 0) fail('members', 'must hold at least one process');
  const zombies = arr(o.zombies, 'zombies', PROCESS_MAX).map((z, i) => zombie(z, `zombies[${i}]`));
  const pids = new Set<number>();
  for (const p of [...members, ...zombies]) {
    if (pids.has(p.pid)) fail('members', `hold pid ${p.pid} twice`);
    pids.add(p.pid);
  }
  const capsRaw = arr(o.caps, 'caps', GROUP_CAPS_MAX);
  const caps = capsRaw.map((c, i) => cap(c, `caps[${i}]`, capsRaw.length));
  const objects = arr(o.objects, 'objects', GROUP_CAPS_MAX).map((x, i) =>
    object(x, `objects[${i}]`, caps.length),
  );
  const byId = new Map<number, ImageObject>();
  for (const [i, x] of objects.entries()) {
    if (byId.has(x.id)) fail(`objects[${i}].id`, `${x.id} is used twice`);
    byId.set(x.id, x);
  }
  const kindOf = (id: number): string | undefined => byId.get(id)?.kind;
  const tids = new Set(members.flatMap((m) => m.threads.map((t) => t.tid)));
  const limitOf = new Map(members.map((m) => [m.pid, m.limits.handles]));
  // capabilities: objects exist, slots are members' and distinct, derivation has no cycle
  const slots = new Set<string>();
  const inMessages = new Set<number>();
  caps.forEach((c, i) => {
    if (!byId.has(c.object)) fail(`caps[${i}].object`, `names no object (${c.object})`);
    if (c.place.kind === 'slot') {
      const limit = limitOf.get(c.place.pid);
      if (limit === undefined) fail(`caps[${i}].place.pid`, 'names no live member');
      if (c.place.slot > limit!) fail(`caps[${i}].place.slot`, `exceeds the member's limit of ${limit}`);
      const key = `${c.place.pid}:${c.place.slot}`;
      if (slots.has(key)) fail(`caps[${i}].place`, 'fills a slot twice');
      slots.add(key);
    }
    let at = c.parent;
    for (let steps = 0; at >= 0; steps++) {
      if (steps > caps.length) fail(`caps[${i}].parent`, 'forms a cycle');
      at = caps[at]!.parent;
    }
  });
  const checkMessage = (m: ImageMessage, path: string): void => {
    for (const c of m.caps) {
      if (caps[c]!.place.kind !== 'message') fail(path, `carries capability ${c}, which is not in a message`);
      if (inMessages.has(c)) fail(path, `carries capability ${c}, already in another message`);
      inMessages.add(c);
    }
    if (m.reply >= 0 && kindOf(m.reply) !== 'reply') fail(`${path}.reply`, 'names no reply object');
  };
  objects.forEach((x, i) => {
    const path = `objects[${i}]`;
    if (x.kind === 'port') {
      if (x.alive && !limitOf.has(x.receiver)) fail(`${path}.receiver`, 'names no live member');
      if (x.set >= 0 && kindOf(x.set) !== 'portset') fail(`${path}.set`, 'names no port set');
      for (const [j, m] of x.queue.entries()) checkMessage(m, `${path}.queue[${j}]`);
      x.deathWatch.forEach((w, j) => {
        if (kindOf(w.notification) !== 'notification')
          fail(`${path}.deathWatch[${j}]`, 'names no notification');
      });
    } else if (x.kind === 'reply' && x.message !== undefined) checkMessage(x.message, `${path}.message`);
    else if (x.kind === 'reply' && x.registered && !tids.has(x.clientTid))
      fail(`${path}.clientTid`, 'names no thread of a member');
  });
  members.forEach((m, i) => {
    for (const [j, r] of m.regions.entries()) {
      if (r.kind !== 'shared') continue;
      const shm = byId.get(r.shm!);
      if (shm?.kind !== 'shm') fail(`members[${i}].regions[${j}].shm`, 'names no shared memory object');
      if (shm?.kind === 'shm' && (r.shmPage ?? 0) + (r.end - r.start) / 4096 > shm.pages)
        fail(`members[${i}].regions[${j}]`, 'maps past the end of its shared memory object');
    }
    const want: Record<IpcWaitKind, readonly string[]> = {
      send: ['port'],
      receive: ['port', 'portset'],
      reply: ['reply'],
      notify: ['notification'],
    };
    for (const [j, t] of m.threads.entries()) {
      const w = t.wait;
      if (w === undefined || !('object' in w)) continue;
      const found = kindOf(w.object);
      if (found === undefined || !want[w.kind].includes(found))
        fail(`members[${i}].threads[${j}].wait.object`, `names no object a ${w.kind} wait can wait on`);
    }
  });
  const parents = arr(o.parents, 'parents', PROCESS_MAX).map((v, i): [number, number] => {
    const pair = arr(v, `parents[${i}]`, 2);
    const child = int(pair[0], `parents[${i}][0]`, 1, 0x7fffffff);
    const parent = int(pair[1], `parents[${i}][1]`, 1, 0x7fffffff);
    if (!pids.has(child) || !limitOf.has(parent)) fail(`parents[${i}]`, 'names a pid outside the group');
    return [child, parent];
  });
  return { version, members, zombies, parents, objects, caps };
}
