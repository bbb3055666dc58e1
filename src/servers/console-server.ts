// The console server owns terminal output for IPC clients: a WRITE request (protocol.ts: op, then
// the bytes) goes to the node's console as the calling process's stdout, tagged by its NPID as
// all console output is; the reply's status is the number of bytes written. The caller is known
// by the badge the kernel stamped on its send right (its pid).
import type { Message } from '../kernel/ipc/objects.js';
import type { TaskApi } from '../kernel/ipc/task-api.js';
import { type Answer, CallServer } from './call-server.js';
import { CONSOLE_WRITE, opOf } from './protocol.js';

const EINVAL = 22;
const ESRCH = 3;

export class ConsoleServer extends CallServer {
  constructor(api: TaskApi) {
    super(api, 'console');
  }

  protected handle(message: Message): Answer {
    if (opOf(message.data) !== CONSOLE_WRITE) return { code: -EINVAL };
    const bytes = message.data.subarray(4);
    return { code: this.api.consoleWrite(1, bytes, message.badge) ? bytes.length : -ESRCH };
  }
}
