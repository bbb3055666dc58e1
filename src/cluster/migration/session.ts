// What both ends of one migration share: sending over the PeerLinks with back-pressure, a mailbox
// of the peer's answers with deadlines on the Clock, and failure (link down, abort) that wakes
// every wait. A session never throws anything but MigrationError.

import type { NodeId } from '../../net/node-id.js';
import type { Lane } from '../../net/transport.js';
import { APP_TYPES } from '../links.js';
import type { MigrationDeps } from './types.js';
import { MigrationError } from './types.js';
import { encodeMigration, type MigrationBody } from './wire.js';

/** The app type every migration message travels under. */
export const MIGRATION_TYPE = APP_TYPES.migration.lo;

type Kind = MigrationBody['kind'];
interface Wait {
  kinds: readonly Kind[];
  resolve(b: MigrationBody): void;
  reject(e: MigrationError): void;
}

export class Session {
  private queue: MigrationBody[] = [];
  private waiting: Wait | undefined = undefined;
  private failedWith: MigrationError | undefined = undefined;
  private readonly broken: Promise<never>;
  private breakIt: (e: MigrationError) => void = () => {};
  bytesSent = 0;

  constructor(
    protected readonly deps: MigrationDeps,
    readonly id: number,
    readonly peer: NodeId,
    private readonly fromSource: boolean,
  ) {
    this.broken = new Promise<never>((_, reject) => {
      this.breakIt = reject;
    });
    this.broken.catch(() => {});
  }

  get failure(): MigrationError | undefined {
    return this.failedWith;
  }

  /** The session cannot go on (link down, peer abort): every wait rejects with `err`. */
  fail(err: MigrationError): void {
    if (this.failedWith !== undefined) return;
    this.failedWith = err;
    this.breakIt(err);
    const w = this.waiting;
    this.waiting = undefined;
    w?.reject(err);
  }

  /** A message from the peer for the mailbox. */
  deliver(body: MigrationBody): void {
    const w = this.waiting;
    if (w?.kinds.includes(body.kind)) {
      this.waiting = undefined;
      w.resolve(body);
      return;
    }
    this.queue.push(body);
  }

  /** The next message of one of `kinds` (others queued before it are dropped), within `ms`. */
  next(kinds: readonly Kind[], ms: number, what: string): Promise<MigrationBody> {
    if (this.failedWith !== undefined) return Promise.reject(this.failedWith);
    const at = this.queue.findIndex((b) => kinds.includes(b.kind));
    if (at >= 0) {
      const b = this.queue[at]!;
      this.queue = this.queue.slice(at + 1);
      return Promise.resolve(b);
    }
    this.queue = [];
    return new Promise((resolve, reject) => {
      const timer = this.deps.clock.setTimer(ms, () => {
        if (this.waiting !== wait) return;
        this.waiting = undefined;
        reject(new MigrationError('timeout', `no ${what} from node ${hex(this.peer)} within ${ms} ms`));
      });
      const wait: Wait = {
        kinds,
        resolve: (b) => {
          timer.cancel();
          resolve(b);
        },
        reject: (e) => {
          timer.cancel();
          reject(e);
        },
      };
      this.waiting = wait;
    });
  }

  /** Sends one message; waits while the lane is full. MigrationError('link_down') if it cannot. */
  async send(lane: Lane, body: MigrationBody): Promise<void> {
    if (this.failedWith !== undefined) throw this.failedWith;
    const bytes = encodeMigration({ id: this.id, fromSource: this.fromSource, body });
    for (let attempt = 0; ; attempt++) {
      const err = this.deps.links.send(this.peer, lane, MIGRATION_TYPE, bytes);
      if (err === undefined) break;
      if (err.kind !== 'overload' || attempt >= 3)
        throw new MigrationError('link_down', `cannot send to node ${hex(this.peer)}: ${err.message}`);
      await this.writable(lane);
    }
    this.bytesSent += bytes.length;
  }

  /** Sends without waiting (answers, aborts): false when the link refused it. */
  post(lane: Lane, body: MigrationBody): boolean {
    return (
      this.deps.links.send(
        this.peer,
        lane,
        MIGRATION_TYPE,
        encodeMigration({ id: this.id, fromSource: this.fromSource, body }),
      ) === undefined
    );
  }

  /** Resolves when `lane` has room; rejects when the session fails first. */
  writable(lane: Lane): Promise<void> {
    return Promise.race([this.deps.links.whenWritable(this.peer, lane), this.broken]);
  }

  /** Waits `ms` on the clock (registry retries). */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.deps.clock.setTimer(ms, resolve));
  }
}

export const hex = (id: NodeId): string => (id >>> 0).toString(16).padStart(8, '0');
