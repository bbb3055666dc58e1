// Group images (DESIGN.md §5): everything a set of processes holds together — each member's process
// image (image.ts) plus the kernel objects they reach through capabilities: ports with their queued
// messages (bytes, carried capabilities, reply objects), port sets, notifications, reply objects,
// dead-port watches and shared memory (its pages stored once for the whole group). Capabilities
// form one list with their derivation links and where each sits: a member's slot, a queued
// message, or nowhere (a derivation-tree node the kernel holds). Plain data. Objects are named by
// the ids they had on the capturing node (node-prefixed: Kernel.newObjectId); a restore gives each
// a new id on its node and points the wait records and the reply table at it.
import type { ImageManifest } from './image.js';

export const GROUP_IMAGE_VERSION = 1;

/** A message as it waits in a port's queue (or as a reply's answer). */
export interface ImageMessage {
  data: Uint8Array;
  /** Indices into the group's capability list. */
  caps: number[];
  badge: number;
  /** The id of the call's reply object, or -1 for a plain send. */
  reply: number;
  /** The NPID of the process that sent it. */
  sender: string;
}

export interface ImagePort {
  kind: 'port';
  id: number;
  alive: boolean;
  /** The pid (in the image) of the member whose space holds the receive right; 0 for none. */
  receiver: number;
  queue: ImageMessage[];
  /** The id of the port set it belongs to, or -1. */
  set: number;
  /** Notifications (by id) to signal when the port dies. */
  deathWatch: { notification: number; bits: number }[];
}

export interface ImagePortSet {
  kind: 'portset';
  id: number;
  alive: boolean;
}

export interface ImageNotification {
  kind: 'notification';
  id: number;
  alive: boolean;
  word: number;
}

export interface ImageReply {
  kind: 'reply';
  id: number;
  /** The tid (in the image) of the thread that called. */
  clientTid: number;
  state: 'waiting' | 'replied' | 'abandoned';
  message: ImageMessage | undefined;
  /** Listed in the kernel's reply table (a client will collect it). */
  registered: boolean;
  /**
   * A call from another node: the capturing node's router token for the way back. Meaningful only
   * to a restore that maps it (a migration carries the token's route; see restoreGroup's replyToken).
   */
  remote?: number | undefined;
}

export interface ImageShm {
  kind: 'shm';
  id: number;
  pages: number;
  /** Per page: an index into the group's page contents, or -1 for a page never touched. */
  frames: number[];
}

/** The node's own servers (name server, console): a restore names the new node's. */
export interface ImageBootstrap {
  kind: 'bootstrap';
  id: number;
  which: 'nameServer' | 'console';
}

export type ImageObject =
  | ImagePort
  | ImagePortSet
  | ImageNotification
  | ImageReply
  | ImageShm
  | ImageBootstrap;

/** Where a capability sits. */
export type ImageCapPlace =
  | { kind: 'slot'; pid: number; slot: number }
  | { kind: 'message' }
  | { kind: 'none' };

export interface ImageCap {
  /** The id of the object it names. */
  object: number;
  rights: number;
  badge: number;
  /** Index of the capability it was derived from, or -1. */
  parent: number;
  /** Revoked while travelling in a message: it takes no slot when received. */
  deleted: boolean;
  place: ImageCapPlace;
}

/** A member that has ended but is not yet reaped (its parent, in the group, will wait for it). */
export interface ImageZombie {
  npid: string;
  pid: number;
  name: string;
  termination: { kind: 'exited'; status: number } | { kind: 'signaled'; signal: number };
  instructions: number;
}

export interface GroupManifest {
  version: number;
  /** Live members; the first is the group's root. */
  members: ImageManifest[];
  zombies: ImageZombie[];
  /** Parent links inside the group: [child pid, parent pid] (pids as in the image). */
  parents: [number, number][];
  objects: ImageObject[];
  caps: ImageCap[];
}

export interface GroupImage {
  manifest: GroupManifest;
  /** Page contents for every member and shared object, each distinct, 4096 bytes. */
  contents: Uint8Array[];
}
