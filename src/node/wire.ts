// The daemon's application message types on node links (the APP frame's type field) and the codec
// helpers for the messages in proto/pakaya/node/v1/node.proto. Decoding never throws.
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';

/** Application types of daemon messages (docs/protocol.md, "Daemon messages"). */
export const AppType = {
  JOIN_REQUEST: 1,
  JOIN_RESPONSE: 2,
  MEMBERSHIP: 10,
  ADMIN_FORWARD: 20,
  ADMIN_FORWARD_REPLY: 21,
  REVOCATION: 30,
} as const;

export class WireError extends Error {
  override readonly name = 'WireError';
}

/** Decodes `bytes` as a `schema` message, or returns a WireError naming it. */
export function decode<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> | WireError {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    return new WireError(`malformed ${schema.name}: ${(e as Error).message}`);
  }
}

export function encode<D extends DescMessage>(schema: D, init: Parameters<typeof create<D>>[1]): Uint8Array {
  return toBinary(schema, create(schema, init));
}
