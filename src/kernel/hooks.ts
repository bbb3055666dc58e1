// The interfaces the cluster plugs into (DESIGN.md §6). The kernel imports nothing from net/ or
// cluster/: it defines what it needs here and the cluster implements it.
// - PageSource (post-copy): a restored process's pages that have not arrived yet are fetched on
//   fault; the faulting thread waits (wait kind 'page') until Kernel.pageArrived maps the page.
// - PortRouter (remote IPC): a port whose receiver lives on another node. Messages sent on it,
//   and the capabilities they carry, leave through the router; messages for a local port exported
//   to other nodes arrive through Kernel.deliverRemote.
// - RemoteSpawner (spawn_on): a program starts a process on another node; the calling thread waits
//   (wait kind 'spawn') until Kernel.remoteSpawnDone answers.
// Dirty-page marks (Kernel.markClean / dirtyPages) and the migrating thread state
// (Kernel.setMigrating) need no interface: the cluster calls the kernel.
import type { Capability } from './ipc/cspace.js';
import type { Npid } from './npid.js';

/** Where the pages of a post-copy restore come from. */
export interface PageSource {
  /**
   * Asks for the page at `vaddr` of process `npid` (asked once per page). The answer comes through
   * Kernel.pageArrived — at once (inside this call) or later.
   */
  request(npid: Npid, vaddr: number): void;
}

/** A message leaving this node through a remote port. */
export interface OutboundMessage {
  data: Uint8Array;
  /**
   * The carried capabilities, out of the sender's space (moved ones) or derived copies: the router
   * owns them now and gives each back with Kernel.dropCapability once it has carried it.
   */
  caps: Capability[];
  /** The badge of the send right used (0: none). */
  badge: number;
  sender: Npid;
  /**
   * A call: the id of its reply object on this node (0: a plain send). The answer comes back
   * through Kernel.deliverRemoteReply, or Kernel.failRemoteReply when none will come.
   */
  reply: number;
}

/** The answer to a call that came from another node (see PortRouter.reply). */
export interface OutboundReply {
  data: Uint8Array;
  /** As OutboundMessage.caps: the router owns them and gives each back with dropCapability. */
  caps: Capability[];
}

/** A message arriving from another node for a local exported port. */
export interface InboundMessage {
  data: Uint8Array;
  /** Capabilities made for it on this node (e.g. Kernel.remoteCapability), in no space yet. */
  caps: Capability[];
  badge: number;
  sender: Npid;
  /**
   * A call: the router's token for the way back (0: a plain send). The server's answer (or the
   * news that none will come) leaves through PortRouter.reply with this token.
   */
  reply?: number;
}

/** Carries messages to ports whose receiver lives on another node. */
export interface PortRouter {
  /** True when the route has room for one more message from `sender` (else the sender waits). */
  hasRoom(route: number, sender: Npid): boolean;
  /** Takes a message for `route`; the router delivers it (a lost one is the router's to report). */
  send(route: number, message: OutboundMessage): void;
  /**
   * The answer to the call that arrived with reply token `token`: a message, or (undefined) the
   * errno its caller's call ends with (EPIPE: the server dropped it or its port died).
   */
  reply(token: number, answer: OutboundReply | undefined, errno: number): void;
  /**
   * A dead-port watch (port_notify_dead) was set on a remote port of `route`: the router asks the
   * port's node to say when it dies, and then fails the route (kernel.failRoute fires the watch).
   */
  watch?(route: number): void;
  /**
   * Exported port `portId` died here: the router tells the nodes that watch it. `holderGone`: it
   * died with its holder leaving this node (an exit, or a migration away: the registry knows which).
   */
  portDied?(portId: number, holderGone: boolean): void;
}

/** What a program asked spawn_on to start (the program's bytes come from this node's store). */
export interface RemoteSpawnRequest {
  /** The node to run it on, or REMOTE_SPAWN_ANY for wherever placement puts it. */
  node: number;
  file: Uint8Array;
  argv: string[];
  envp: string[];
  /** The caller. */
  parent: Npid;
}

/** spawn_on's `node` meaning "wherever the cluster's placement puts it". */
export const REMOTE_SPAWN_ANY = 0xffffffff;

/**
 * Starts processes on other nodes for spawn_on (remote-spawn.ts). The answer — the child's NPID or
 * a negative errno — goes to Kernel.remoteSpawnDone(ticket, ...), at once or later.
 */
export interface RemoteSpawner {
  spawn(ticket: number, request: RemoteSpawnRequest): void;
}
