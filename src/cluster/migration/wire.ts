// The migration wire codec: MigrationMessage (proto/pakaya/cluster/v1/migration.proto, generated
// into src/net/gen) to and from a plain tagged union. Decoding never throws: bad bytes, a missing
// body, an unknown mode, unsafe integers and counts past the limits give a MigrationWireError
// value, which the service counts and drops.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MigrationMessageSchema, MigrationMode } from '../../net/gen/pakaya/cluster/v1/migration_pb.js';
import {
  MEMBERS_MAX,
  MIGRATION_MESSAGE_MAX,
  PAGES_PER_MESSAGE,
  REASON_MAX,
  REPLY_ROUTES_MAX,
} from './limits.js';
import type { PageTable } from './page-table.js';

export type Mode = 'precopy' | 'postcopy';

/** A remote caller's pending answer in a frozen group (see MigrationReplyRoute). */
export interface ReplyRoute {
  token: number;
  node: number;
  call: number;
}

export type MigrationBody =
  | { kind: 'offer'; npid: string; mode: Mode; members: string[]; pages: number }
  | { kind: 'accept'; ok: boolean; error: string }
  | { kind: 'pages'; member: number; vaddrs: number[]; data: Uint8Array }
  | {
      kind: 'freeze';
      image: Uint8Array;
      entry: Uint8Array;
      revision: number;
      state: string;
      ports: { npid: string; state: Uint8Array }[];
      replies: ReplyRoute[];
      /** Per image member, its page table (see page-table.ts). */
      tables: PageTable[];
    }
  | { kind: 'committed'; term: number; index: number }
  | { kind: 'abort'; reason: string }
  | { kind: 'pageRequest'; member: number; vaddr: number }
  | { kind: 'done' };

export interface MigrationWire {
  id: number;
  /** Sent by the migration's source (else by its target). */
  fromSource: boolean;
  body: MigrationBody;
}

export class MigrationWireError {
  constructor(readonly message: string) {}
}

const num = (v: bigint, what: string): number => {
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MigrationWireError(`${what} ${v} is above 2^53`);
  return Number(v);
};

export function encodeMigration(m: MigrationWire): Uint8Array {
  const b = m.body;
  let body: ReturnType<typeof create<typeof MigrationMessageSchema>>['body'];
  switch (b.kind) {
    case 'offer':
      body = {
        case: 'offer',
        value: {
          $typeName: 'pakaya.cluster.v1.MigrationOffer',
          npid: b.npid,
          mode: b.mode === 'precopy' ? MigrationMode.PRECOPY : MigrationMode.POSTCOPY,
          members: b.members,
          pages: b.pages,
        },
      };
      break;
    case 'accept':
      body = {
        case: 'accept',
        value: { $typeName: 'pakaya.cluster.v1.MigrationAccept', ok: b.ok, error: b.error },
      };
      break;
    case 'pages':
      body = {
        case: 'pages',
        value: {
          $typeName: 'pakaya.cluster.v1.MigrationPages',
          member: b.member,
          vaddrs: b.vaddrs,
          data: b.data,
        },
      };
      break;
    case 'freeze':
      body = {
        case: 'freeze',
        value: {
          $typeName: 'pakaya.cluster.v1.MigrationFreeze',
          image: b.image,
          entry: b.entry,
          revision: BigInt(b.revision),
          state: b.state,
          ports: b.ports.map((p) => ({ $typeName: 'pakaya.cluster.v1.MigrationPortState', ...p })),
          tables: b.tables.map((t) => ({ $typeName: 'pakaya.cluster.v1.MigrationPageTable', ...t })),
          replies: b.replies.map((r) => ({
            $typeName: 'pakaya.cluster.v1.MigrationReplyRoute',
            token: BigInt(r.token),
            node: r.node,
            call: BigInt(r.call),
          })),
        },
      };
      break;
    case 'committed':
      body = {
        case: 'committed',
        value: {
          $typeName: 'pakaya.cluster.v1.MigrationCommitted',
          fenceTerm: BigInt(b.term),
          fenceIndex: BigInt(b.index),
        },
      };
      break;
    case 'abort':
      body = {
        case: 'abort',
        value: { $typeName: 'pakaya.cluster.v1.MigrationAbort', reason: b.reason.slice(0, REASON_MAX) },
      };
      break;
    case 'pageRequest':
      body = {
        case: 'pageRequest',
        value: { $typeName: 'pakaya.cluster.v1.MigrationPageRequest', member: b.member, vaddr: b.vaddr },
      };
      break;
    case 'done':
      body = { case: 'done', value: { $typeName: 'pakaya.cluster.v1.MigrationDone' } };
      break;
  }
  return toBinary(
    MigrationMessageSchema,
    create(MigrationMessageSchema, { id: BigInt(m.id), fromSource: m.fromSource, body }),
  );
}

export function decodeMigration(bytes: Uint8Array): MigrationWire | MigrationWireError {
  if (bytes.length > MIGRATION_MESSAGE_MAX)
    return new MigrationWireError(`message of ${bytes.length} bytes is over ${MIGRATION_MESSAGE_MAX}`);
  try {
    const m = fromBinary(MigrationMessageSchema, bytes);
    const id = num(m.id, 'id');
    const fromSource = m.fromSource;
    const b = m.body;
    switch (b.case) {
      case 'offer': {
        const v = b.value;
        if (v.mode !== MigrationMode.PRECOPY && v.mode !== MigrationMode.POSTCOPY)
          return new MigrationWireError(`offer: mode ${v.mode} is unknown`);
        if (v.members.length === 0 || v.members.length > MEMBERS_MAX)
          return new MigrationWireError(`offer: ${v.members.length} members (1..${MEMBERS_MAX})`);
        const mode: Mode = v.mode === MigrationMode.PRECOPY ? 'precopy' : 'postcopy';
        return {
          id,
          fromSource,
          body: { kind: 'offer', npid: v.npid, mode, members: v.members, pages: v.pages },
        };
      }
      case 'accept':
        return {
          id,
          fromSource,
          body: { kind: 'accept', ok: b.value.ok, error: b.value.error.slice(0, REASON_MAX) },
        };
      case 'pages': {
        const v = b.value;
        if (v.vaddrs.length > PAGES_PER_MESSAGE || v.data.length !== v.vaddrs.length * 4096)
          return new MigrationWireError(`pages: ${v.vaddrs.length} pages with ${v.data.length} bytes`);
        if (v.vaddrs.some((a) => a % 4096 !== 0))
          return new MigrationWireError('pages: an address is not page-aligned');
        return { id, fromSource, body: { kind: 'pages', member: v.member, vaddrs: v.vaddrs, data: v.data } };
      }
      case 'freeze': {
        const v = b.value;
        if (v.ports.length > MEMBERS_MAX)
          return new MigrationWireError(`freeze: ${v.ports.length} port states`);
        if (v.replies.length > REPLY_ROUTES_MAX)
          return new MigrationWireError(`freeze: ${v.replies.length} reply routes`);
        if (v.tables.length > MEMBERS_MAX)
          return new MigrationWireError(`freeze: ${v.tables.length} page tables`);
        return {
          id,
          fromSource,
          body: {
            kind: 'freeze',
            image: v.image,
            entry: v.entry,
            revision: num(v.revision, 'freeze.revision'),
            state: v.state,
            ports: v.ports.map((p) => ({ npid: p.npid, state: p.state })),
            tables: v.tables.map((t) => ({ vaddrs: t.vaddrs, bits: t.bits })),
            replies: v.replies.map((r) => ({
              token: num(r.token, 'freeze.replies.token'),
              node: r.node,
              call: num(r.call, 'freeze.replies.call'),
            })),
          },
        };
      }
      case 'committed':
        return {
          id,
          fromSource,
          body: {
            kind: 'committed',
            term: num(b.value.fenceTerm, 'committed.fence_term'),
            index: num(b.value.fenceIndex, 'committed.fence_index'),
          },
        };
      case 'abort':
        return { id, fromSource, body: { kind: 'abort', reason: b.value.reason.slice(0, REASON_MAX) } };
      case 'pageRequest':
        if (b.value.vaddr % 4096 !== 0)
          return new MigrationWireError('page request: address not page-aligned');
        return {
          id,
          fromSource,
          body: { kind: 'pageRequest', member: b.value.member, vaddr: b.value.vaddr },
        };
      case 'done':
        return { id, fromSource, body: { kind: 'done' } };
      default:
        return new MigrationWireError('message has no body');
    }
  } catch (err) {
    if (err instanceof MigrationWireError) return err;
    return new MigrationWireError(`undecodable message: ${(err as Error).message}`);
  }
}
