// The app types of process control on node links (APP_TYPES.procs, 32..47) and safe decoding of
// the messages in proto/pakaya/cluster/v1/procs.proto (docs/protocol.md, "Process control").
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';

export const ProcsType = {
  REQUEST: 32,
  REPLY: 33,
  PROGRAM: 34,
} as const;

/** Decodes `bytes` as `schema`, or undefined when malformed (the frame is dropped). */
export function decodeOrUndefined<D extends DescMessage>(
  schema: D,
  bytes: Uint8Array,
): MessageShape<D> | undefined {
  try {
    return fromBinary(schema, bytes);
  } catch {
    return undefined;
  }
}

export function encodeMessage<D extends DescMessage>(
  schema: D,
  init: Parameters<typeof create<D>>[1],
): Uint8Array {
  return toBinary(schema, create(schema, init));
}
