// The console server owns terminal output for IPC clients: a WRITE request (protocol.ts: op, then
// the bytes) goes to the node's console as the calling process's stdout, tagged by its NPID as
// all console output is; the reply's status is the number of bytes written. The caller is known
// by the badge the kernel stamped on its send right (its pid).

import type { TaskApi } from '../kernel/ipc/task-api.js';
import type { Task } from '../kernel/kernel.js';
import { CONSOLE_WRITE, opOf, status } from './protocol.js';

const EINVAL = 22;
const ESRCH = 3;
const BATCH = 64;

export class ConsoleServer implements Task {
  readonly port: number;

  constructor(private readonly api: TaskApi) {
    const port = api.createPort();
    if (port < 0) throw new Error(`console server: cannot create its port (${port})`);
    this.port = port;
  }

  get process() {
    return this.api.process;
  }

  run(): void {
    for (let i = 0; i < BATCH; i++) {
      const r = this.api.receive(this.port);
      if (r === undefined || typeof r === 'number') return;
      const { message, capSlots, replySlot } = r;
      for (const slot of capSlots) if (slot > 0) this.api.delete(slot); // nothing to keep
      let code: number;
      if (opOf(message.data) !== CONSOLE_WRITE) code = -EINVAL;
      else {
        const bytes = message.data.subarray(4);
        code = this.api.consoleWrite(1, bytes, message.badge) ? bytes.length : -ESRCH;
      }
      if (replySlot > 0) this.api.reply(replySlot, status(code));
    }
  }
}
