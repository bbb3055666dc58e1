// Every limit of the network stack, named in one place (STYLE.md: a limit on everything). Transports
// take overrides in their options (tests shrink them); these are the defaults.

/** Largest frame payload accepted or produced; checked before anything is allocated. */
export const MAX_FRAME_PAYLOAD = 128 * 1024;
/** Application messages larger than this travel as fragments of at most this many bytes. */
export const FRAGMENT_SIZE = 64 * 1024;
/** Largest application message (reassembled). */
export const MAX_MESSAGE_BYTES = 80 * 1024 * 1024;
/** Largest FragmentHeader inside a FRAGMENT frame. */
export const MAX_FRAGMENT_HEADER = 64;
/** Largest application message type (u16 in the envelope). */
export const MAX_APP_TYPE = 0xffff;

/** Per link and lane: queued frames / bytes before send() returns an overload error. */
export const CONTROL_QUEUE_FRAMES = 4096;
export const CONTROL_QUEUE_BYTES = 4 * 1024 * 1024;
export const BULK_QUEUE_FRAMES = 65536;
export const BULK_QUEUE_BYTES = 96 * 1024 * 1024;
/** Per link: bytes held by partially reassembled messages. */
export const REASSEMBLY_BYTES = 96 * 1024 * 1024;
/** Per node: bytes queued on all links together. */
export const NODE_QUEUE_BYTES = 256 * 1024 * 1024;
/** Bytes we hand to a socket before waiting for 'drain' (bounds the delay of a control frame). */
export const SOCKET_HIGH_WATER = 128 * 1024;
/**
 * Bulk flow control (TLS links): bulk bytes sent but not yet credited back by the receiver. Bounds
 * what can sit in socket buffers ahead of a control frame; the receiver returns credit every
 * BULK_CREDIT_BYTES it has consumed.
 */
export const BULK_WINDOW_BYTES = 1024 * 1024;
export const BULK_CREDIT_BYTES = 256 * 1024;
/** Small frames are copied into one batch buffer of this size per write. */
export const WRITE_BATCH_BYTES = 64 * 1024;
/** Pooled buffers kept for reuse. */
export const POOL_MAX_FREE = 64;

/** Handshake must finish within this (ms) or the connection is closed (timeout). */
export const HANDSHAKE_TIMEOUT_MS = 5000;
/** A link idle this long (ms) sends a Ping; after KEEPALIVE_MISSES unanswered the link is dead. */
export const KEEPALIVE_INTERVAL_MS = 1000;
export const KEEPALIVE_MISSES = 3;
/** Largest Ping payload. */
export const MAX_PING_PAYLOAD = 64 * 1024;
/** Reconnect backoff: first delay, cap, and jitter fraction (ms). */
export const RECONNECT_BASE_MS = 50;
export const RECONNECT_MAX_MS = 5000;
export const RECONNECT_JITTER = 0.2;
/** Orderly close waits at most this long (ms) for queues to drain. */
export const CLOSE_DRAIN_MS = 2000;
/** Unauthenticated inbound connections held at once. */
export const MAX_PENDING_INBOUND = 64;

/** Datagrams: largest payload, and the replay window per sender (sequence numbers). */
export const MAX_DATAGRAM_BYTES = 1200;
export const REPLAY_WINDOW = 1024;
/** Senders whose replay windows are remembered (oldest forgotten first). */
export const MAX_DATAGRAM_SENDERS = 4096;
