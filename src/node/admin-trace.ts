// GET /v1/net/trace: a streaming admin route. Every frame on every node link, one JSON object per
// line (NDJSON: time, peer, direction, type, lane, app_type, size), until the client disconnects.
// A slow reader never grows the node's memory: past TRACE_QUEUE_MAX unwritten events, events are
// dropped and counted (a {"dropped": n} line says how many when the stream catches up).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatNodeId } from '../net/node-id.js';
import type { AdminContext } from './admin-routes.js';
import { TRACE_QUEUE_MAX, TRACE_STREAMS_MAX } from './limits.js';

const FRAME_NAMES: Record<number, string> = {
  1: 'hello',
  2: 'hello-ack',
  3: 'ping',
  4: 'pong',
  5: 'goaway',
  6: 'app',
  7: 'fragment',
  8: 'credit',
};

export function frameTypeName(type: number): string {
  return FRAME_NAMES[type] ?? `type-${type}`;
}

function refuse(res: ServerResponse, status: number, code: string, message: string): void {
  const text = `${JSON.stringify({ error: { code, message } })}\n`;
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.end(text);
}

export function streamTrace(ctx: AdminContext, req: IncomingMessage, res: ServerResponse): void {
  const net = ctx.cluster;
  if (!net) return refuse(res, 409, 'not_networked', 'this node was started without --listen');
  if (net.traceCount >= TRACE_STREAMS_MAX)
    return refuse(res, 503, 'overload', `at most ${TRACE_STREAMS_MAX} trace streams at once`);
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/x-ndjson');
  res.flushHeaders();
  let dropped = 0;
  const stop = net.trace((e) => {
    if (res.writableLength > TRACE_QUEUE_MAX * 128) {
      dropped++;
      return;
    }
    if (dropped > 0) {
      res.write(`${JSON.stringify({ dropped })}\n`);
      dropped = 0;
    }
    res.write(
      `${JSON.stringify({
        time: e.time,
        peer: formatNodeId(e.peer),
        direction: e.direction,
        type: frameTypeName(e.type),
        lane: e.lane === 0 ? 'control' : 'bulk',
        app_type: e.appType,
        size: e.size,
      })}\n`,
    );
  });
  ctx.log.info('net trace stream opened');
  const close = (): void => {
    stop();
    ctx.log.info('net trace stream closed');
  };
  req.socket.once('close', close);
}
