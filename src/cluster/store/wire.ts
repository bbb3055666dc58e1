// The store's wire codec: StoreRequest / StoreResponse (proto/pakaya/cluster/v1/store.proto) to and
// from plain values. Decoding never throws: bad bytes, missing bodies, hashes that are not 32 bytes,
// pages that are not 4096 bytes and counts past the limits give undefined, and the message is dropped.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  type StorePage,
  StorePageSchema,
  StoreRequestSchema,
  StoreResponseSchema,
} from '../../net/gen/pakaya/cluster/v1/store_pb.js';
import type { StoreErrorCode } from './errors.js';
import {
  STORE_HASH_BYTES,
  STORE_HASHES_PER_MESSAGE,
  STORE_MESSAGE_MAX,
  STORE_PAGE_BYTES,
  STORE_PAGES_PER_MESSAGE,
} from './limits.js';
import { toHex } from './manifest.js';

/** App types on node links (the store range, APP_TYPES.store). */
export const STORE_TYPE_REQUEST = 80;
export const STORE_TYPE_RESPONSE = 81;

export interface Page {
  readonly hash: string;
  readonly data: Uint8Array;
}

export type RequestBody =
  | { readonly kind: 'offer'; readonly npid: string; readonly manifest: string; readonly bytes: Uint8Array }
  | { readonly kind: 'put-pages'; readonly manifest: string; readonly pages: readonly Page[] }
  | { readonly kind: 'commit'; readonly npid: string; readonly manifest: string; readonly taken: number }
  | { readonly kind: 'fetch-manifest'; readonly manifest: string }
  | { readonly kind: 'fetch-pages'; readonly hashes: readonly string[] };

export interface Request {
  readonly id: number;
  readonly body: RequestBody;
}

export interface Response {
  readonly id: number;
  readonly error?: { readonly code: StoreErrorCode; readonly message: string };
  readonly need?: readonly string[];
  readonly manifest?: Uint8Array;
  readonly pages?: readonly Page[];
}

const ERROR_CODES: readonly StoreErrorCode[] = [
  'missing',
  'corrupt',
  'too-large',
  'unavailable',
  'not-replicated',
];
const ERROR_TEXT_MAX = 512;

const hashBytes = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));
const pbPage = (p: Page): StorePage => create(StorePageSchema, { hash: hashBytes(p.hash), data: p.data });

export function encodeRequest(r: Request): Uint8Array {
  const b = r.body;
  let body: ReturnType<typeof create<typeof StoreRequestSchema>>['body'];
  switch (b.kind) {
    case 'offer':
      body = {
        case: 'offer',
        value: {
          $typeName: 'pakaya.cluster.v1.StoreOffer',
          npid: b.npid,
          manifestHash: hashBytes(b.manifest),
          manifest: b.bytes,
        },
      };
      break;
    case 'put-pages':
      body = {
        case: 'putPages',
        value: {
          $typeName: 'pakaya.cluster.v1.StorePutPages',
          manifestHash: hashBytes(b.manifest),
          pages: b.pages.map(pbPage),
        },
      };
      break;
    case 'commit':
      body = {
        case: 'commit',
        value: {
          $typeName: 'pakaya.cluster.v1.StoreCommit',
          npid: b.npid,
          manifestHash: hashBytes(b.manifest),
          taken: BigInt(Math.max(0, Math.floor(b.taken))),
        },
      };
      break;
    case 'fetch-manifest':
      body = {
        case: 'fetchManifest',
        value: { $typeName: 'pakaya.cluster.v1.StoreFetchManifest', manifestHash: hashBytes(b.manifest) },
      };
      break;
    case 'fetch-pages':
      body = {
        case: 'fetchPages',
        value: { $typeName: 'pakaya.cluster.v1.StoreFetchPages', hashes: b.hashes.map(hashBytes) },
      };
      break;
  }
  return toBinary(StoreRequestSchema, create(StoreRequestSchema, { id: BigInt(r.id), body }));
}

export function encodeResponse(r: Response): Uint8Array {
  return toBinary(
    StoreResponseSchema,
    create(StoreResponseSchema, {
      id: BigInt(r.id),
      errorCode: r.error?.code ?? '',
      error: r.error?.message.slice(0, ERROR_TEXT_MAX) ?? '',
      need: (r.need ?? []).map(hashBytes),
      manifest: r.manifest ?? new Uint8Array(0),
      pages: (r.pages ?? []).map(pbPage),
    }),
  );
}

function hash(bytes: Uint8Array): string | undefined {
  return bytes.length === STORE_HASH_BYTES ? toHex(bytes) : undefined;
}

function id(v: bigint): number | undefined {
  return v > 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
}

function pages(list: readonly StorePage[]): Page[] | undefined {
  if (list.length > STORE_PAGES_PER_MESSAGE) return undefined;
  const out: Page[] = [];
  for (const p of list) {
    const h = hash(p.hash);
    if (h === undefined || p.data.length !== STORE_PAGE_BYTES) return undefined;
    out.push({ hash: h, data: p.data });
  }
  return out;
}

function hashes(list: readonly Uint8Array[]): string[] | undefined {
  if (list.length > STORE_HASHES_PER_MESSAGE) return undefined;
  const out: string[] = [];
  for (const b of list) {
    const h = hash(b);
    if (h === undefined) return undefined;
    out.push(h);
  }
  return out;
}

export function decodeRequest(bytes: Uint8Array): Request | undefined {
  if (bytes.length > STORE_MESSAGE_MAX) return undefined;
  let m: ReturnType<typeof fromBinary<typeof StoreRequestSchema>>;
  try {
    m = fromBinary(StoreRequestSchema, bytes);
  } catch {
    return undefined;
  }
  const rid = id(m.id);
  if (rid === undefined) return undefined;
  const b = m.body;
  let body: RequestBody | undefined;
  switch (b.case) {
    case 'offer': {
      const h = hash(b.value.manifestHash);
      if (h !== undefined) body = { kind: 'offer', npid: b.value.npid, manifest: h, bytes: b.value.manifest };
      break;
    }
    case 'putPages': {
      const h = hash(b.value.manifestHash);
      const ps = pages(b.value.pages);
      if (h !== undefined && ps !== undefined) body = { kind: 'put-pages', manifest: h, pages: ps };
      break;
    }
    case 'commit': {
      const h = hash(b.value.manifestHash);
      const taken = b.value.taken <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b.value.taken) : undefined;
      if (h !== undefined && taken !== undefined)
        body = { kind: 'commit', npid: b.value.npid, manifest: h, taken };
      break;
    }
    case 'fetchManifest': {
      const h = hash(b.value.manifestHash);
      if (h !== undefined) body = { kind: 'fetch-manifest', manifest: h };
      break;
    }
    case 'fetchPages': {
      const hs = hashes(b.value.hashes);
      if (hs !== undefined && hs.length <= STORE_PAGES_PER_MESSAGE)
        body = { kind: 'fetch-pages', hashes: hs };
      break;
    }
    default:
      break;
  }
  return body === undefined ? undefined : { id: rid, body };
}

export function decodeResponse(bytes: Uint8Array): Response | undefined {
  if (bytes.length > STORE_MESSAGE_MAX) return undefined;
  let m: ReturnType<typeof fromBinary<typeof StoreResponseSchema>>;
  try {
    m = fromBinary(StoreResponseSchema, bytes);
  } catch {
    return undefined;
  }
  const rid = id(m.id);
  if (rid === undefined) return undefined;
  const need = hashes(m.need);
  const ps = pages(m.pages);
  if (need === undefined || ps === undefined) return undefined;
  let error: Response['error'];
  if (m.errorCode !== '') {
    const code = ERROR_CODES.find((c) => c === m.errorCode) ?? 'unavailable';
    error = { code, message: m.error.slice(0, ERROR_TEXT_MAX) };
  }
  return {
    id: rid,
    ...(error !== undefined ? { error } : {}),
    need,
    manifest: m.manifest,
    pages: ps,
  };
}
