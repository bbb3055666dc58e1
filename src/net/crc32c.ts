// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), the frame checksum (docs/protocol.md). Node 20
// has no crc32c. Long inputs go through a WebAssembly slicing-by-16 loop (wasm/crc32c.wat, assembled
// into gen/crc32c-wasm.ts), about twice the speed of the JS loop; short ones (headers, small frames)
// stay in JS, where the call and the copy into wasm memory would cost more than they save.
import { CRC32C_WASM_BASE64 } from './gen/crc32c-wasm.js';

/** 16 tables of 256 entries: table k advances a byte through k more zero bytes (slicing-by-16). */
const TABLES = (() => {
  const t = new Int32Array(16 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n] as number;
    for (let k = 1; k < 16; k++) {
      c = (t[c & 0xff] as number) ^ (c >>> 8);
      t[k * 256 + n] = c;
    }
  }
  return t;
})();
const T = TABLES;
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Inputs shorter than this are summed in JS. */
const WASM_MIN_BYTES = 256;
/** Where the data goes in wasm memory (after the tables), and how much at a time (memory is 256 KiB). */
const WASM_DATA = 16 * 1024;
const WASM_BLOCK = 128 * 1024;

/** The slice of the WebAssembly API used here (the project's TS lib has no DOM types). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => { buffer: ArrayBuffer };
}

interface WasmCrc {
  mem: Uint8Array;
  crc: (c: number, p: number, len: number) => number;
}

const WASM: WasmCrc | undefined = (() => {
  // The wasm loop reads words in the host's order; it is only right on little-endian hosts.
  const wa = (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
  if (!LITTLE_ENDIAN || wa === undefined) return undefined;
  const instance = new wa.Instance(new wa.Module(Buffer.from(CRC32C_WASM_BASE64, 'base64')));
  const memory = instance.exports.memory;
  if (!(memory instanceof wa.Memory)) return undefined;
  const crc = instance.exports.crc as (c: number, p: number, len: number) => number;
  if (memory.buffer.byteLength < WASM_DATA + WASM_BLOCK) return undefined;
  new Int32Array(memory.buffer, 0, TABLES.length).set(TABLES);
  return { mem: new Uint8Array(memory.buffer), crc };
})();

/** Which loop sums long inputs (for tests and diagnostics). */
export const crc32cBackend: 'wasm' | 'js' = WASM ? 'wasm' : 'js';

/** Continues a CRC32C over `data[start, end)`; start a fresh one with crc = 0. */
export function crc32c(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  if (WASM === undefined || end - start < WASM_MIN_BYTES) return crc32cJs(data, crc, start, end);
  let c = ~crc;
  while (start < end) {
    const n = Math.min(WASM_BLOCK, end - start);
    WASM.mem.set(data.subarray(start, start + n), WASM_DATA);
    c = WASM.crc(c, WASM_DATA, n);
    start += n;
  }
  return ~c >>> 0;
}

/** The same CRC in plain JS (slicing-by-8 over aligned 32-bit reads): short inputs, and the reference. */
export function crc32cJs(data: Uint8Array, crc = 0, start = 0, end = data.length): number {
  let c = ~crc;
  let i = start;
  // Bytes up to a 4-byte boundary of the underlying buffer, then 8 bytes per step as two words.
  while (i < end && ((data.byteOffset + i) & 3) !== 0)
    c = (T[(c ^ (data[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  const words = (end - i) >>> 3;
  if (words > 0 && LITTLE_ENDIAN) {
    const w = new Int32Array(data.buffer, data.byteOffset + i, words * 2);
    for (let k = 0; k < w.length; k += 2) {
      const lo = c ^ (w[k] as number);
      const hi = w[k + 1] as number;
      c =
        (T[1792 + (lo & 0xff)] as number) ^
        (T[1536 + ((lo >>> 8) & 0xff)] as number) ^
        (T[1280 + ((lo >>> 16) & 0xff)] as number) ^
        (T[1024 + (lo >>> 24)] as number) ^
        (T[768 + (hi & 0xff)] as number) ^
        (T[512 + ((hi >>> 8) & 0xff)] as number) ^
        (T[256 + ((hi >>> 16) & 0xff)] as number) ^
        (T[hi >>> 24] as number);
    }
    i += words * 8;
  }
  while (i < end) c = (T[(c ^ (data[i++] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}
