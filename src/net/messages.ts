// Encoding and decoding of the net layer's protobuf messages (proto/pakaya/net/v1/net.proto, code
// in gen/). Decoding never throws: a malformed message is a protocol NetError value.
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import { NetError } from './errors.js';
import {
  type AppEnvelope,
  AppEnvelopeSchema,
  type Credit,
  CreditSchema,
  type FragmentHeader,
  FragmentHeaderSchema,
  type Goaway,
  GoawaySchema,
  type Hello,
  type HelloAck,
  HelloAckSchema,
  HelloSchema,
  type Ping,
  PingSchema,
  type Pong,
  PongSchema,
} from './gen/pakaya/net/v1/net_pb.js';

export type { AppEnvelope, Credit, FragmentHeader, Goaway, Hello, HelloAck, Ping, Pong };
export {
  AppEnvelopeSchema,
  CreditSchema,
  FragmentHeaderSchema,
  GoawaySchema,
  HelloAckSchema,
  HelloSchema,
  PingSchema,
  PongSchema,
};

/** Decodes `bytes` as a `schema` message, or returns a protocol error naming it. */
export function decodeMessage<D extends DescMessage>(
  schema: D,
  bytes: Uint8Array,
): MessageShape<D> | NetError {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    return new NetError('protocol', `malformed ${schema.name}: ${(e as Error).message}`);
  }
}

export function encodeMessage<D extends DescMessage>(
  schema: D,
  init: Parameters<typeof create<D>>[1],
): Uint8Array {
  return toBinary(schema, create(schema, init));
}
