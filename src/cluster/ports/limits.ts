// Limits of the remote-port router (src/cluster/ports): windows, tables, timers and decoded counts.
// Documented in docs/syscalls.md ("Remote ports") and docs/protocol.md ("Remote ports").

/** Unacked messages one sender may have on one route (the credit window; as SENDER_QUOTA). */
export const STREAM_WINDOW = 16;
/** Sender-port streams one node keeps as a sender, and as a receiver. */
export const STREAMS_MAX = 4096;
/** Routes (remote port references) one node keeps. */
export const ROUTES_MAX = 1 << 16;
/** Calls from other nodes whose answer this node may still owe (reply tokens). */
export const REPLY_TOKENS_MAX = 4096;
/** Answers sent and not yet acknowledged by the caller's node. */
export const REPLIES_UNACKED_MAX = 4096;
/** Remote calls this node waits on. */
export const CALLS_MAX = 4096;
/** Exported port ids remembered as dead (their senders are told so). */
export const DEAD_PORTS_MAX = 4096;
/** Dead-port watches from other nodes on ports of this node (one per node, holder and port). */
export const PORT_WATCHERS_MAX = 4096;
/** Ports of restored holders known here under the id they had before (aliases). */
export const ALIASES_MAX = 4096;
/** Global names mirrored from the registry. */
export const NAMES_MAX = 4096;

/** A message or answer with no ack for this long is sent again (a link may have dropped it). */
export const RESEND_MS = 500;
/**
 * A route whose messages get no ack for this long fails: its senders get EHOSTUNREACH. Calls to a
 * node whose link stays down this long end with EHOSTUNREACH, and an unacked answer is dropped.
 */
export const DELIVERY_TIMEOUT_MS = 10_000;
/**
 * A call whose server's port is reported dead (a watch answer, the registry) still waits this long
 * for an answer already on its way (sent before the end, resent until acked), then ends with EPIPE.
 */
export const ANSWER_GRACE_MS = 2_000;
/**
 * An ack (and an answer's ack) waits this long for a frame going the same way to carry it (a
 * call's answer carries the ack of its call); then it goes alone. A stream with half its window
 * delivered and not acked is acked at once. The timer is not re-armed per message: under a stream
 * of calls it fires once per ACK_DELAY_MS, finding most acks already carried (a timer per call cost
 * more than the rest of the router's work on it).
 */
export const ACK_DELAY_MS = 20;
/** Acks one frame carries along (PortReply.acks, PortMessage.reply_acks). */
export const CARRIED_ACKS_MAX = 64;
/** A message the receiving port had no room for is offered again after this long. */
export const DELIVER_RETRY_MS = 2;
/** The router's housekeeping period while anything is in flight. */
export const TICK_MS = 100;
/** Registry look-ups of one holder's node per DELIVERY_TIMEOUT_MS before the route fails. */
export const RESOLVES_MAX = 32;
/** A holder found "moved" but still named by the registry is looked up again after this long. */
export const RESOLVE_BACKOFF_MS = 50;

/** Most bytes of a port message or answer frame (a 4 KiB message, 4 capabilities, headers). */
export const FRAME_BYTES_MAX = 8192;
