// The wire format of the system servers' requests (docs/syscalls.md, "System servers"): every
// request is a call whose bytes start with a little-endian u32 operation code; every reply starts
// with an i32 status (0 or -errno). Shared by the servers and their tests.

export const NAME_REGISTER = 1;
export const NAME_LOOKUP = 2;
export const NAME_UNREGISTER = 3;
export const CONSOLE_WRITE = 1;

/** Longest name the name server keeps. */
export const NAME_MAX = 64;

export function status(code: number, extra?: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + (extra?.length ?? 0));
  new DataView(out.buffer).setInt32(0, code, true);
  if (extra !== undefined) out.set(extra, 4);
  return out;
}

/** The operation code of a request, or -1 when it is shorter than one. */
export function opOf(data: Uint8Array): number {
  return data.length < 4 ? -1 : new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true);
}
