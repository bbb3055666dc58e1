// Named limits of the membership layer: every decoded count, queue and table is bounded here, and
// checked where the input arrives (messages.ts validate*, membership.ts tables).

/** Updates piggybacked on (or accepted from) one ping, ack, ping-req or gossip message. */
export const MAX_UPDATES_PER_MESSAGE = 64;
/** Bytes of piggybacked updates per message (estimated; a sealed UDP datagram stays under 1,400). */
export const MAX_PIGGYBACK_BYTES = 1_200;
/** Member entries in one push-pull (full state) message. */
export const MAX_PUSH_PULL_MEMBERS = 8_192;
/** Addresses per member, and characters per address (opaque strings such as `host:port`). */
export const MAX_ADDRESSES = 8;
export const MAX_ADDRESS_LENGTH = 256;
/** Metadata labels per member, and characters per label key and value. */
export const MAX_LABELS = 32;
export const MAX_LABEL_KEY_LENGTH = 64;
export const MAX_LABEL_VALUE_LENGTH = 256;
/** Characters in a cluster id (discovery beacon). */
export const MAX_CLUSTER_ID_LENGTH = 64;
/** Members (any state, self included) one node tracks; alive updates for more are dropped. */
export const MAX_MEMBERS = 16_384;
/** Dead or left members kept as tombstones; past this the oldest are reaped early. */
export const MAX_TOMBSTONES = 4_096;
/** Pending updates in the dissemination queue; past this the most-sent ones are dropped. */
export const MAX_BROADCAST_QUEUE = 4_096;
/** Indirect probes this node relays for others at once (ping-req helpers); more are refused. */
export const MAX_PENDING_RELAYS = 256;
/** Seed addresses remembered for periodic re-contact. */
export const MAX_SEEDS = 64;
/** Outputs (messages and events) waiting for the host to drain; past this new ones are dropped. */
export const MAX_OUTPUT_QUEUE = 65_536;
/** Local Health Multiplier ceiling (Lifeguard's S = 8): probe interval and timeout scale by LHM+1. */
export const MAX_LOCAL_HEALTH = 8;
/** Helpers asked per indirect probe (SWIM's k). */
export const MAX_INDIRECT_CHECKS = 16;
/** Members one gossip round sends to. */
export const MAX_GOSSIP_FANOUT = 16;
/** A sequence number or incarnation never exceeds this (fits a protobuf uint32/uint53 alike). */
export const MAX_COUNTER = 2 ** 32 - 1;
