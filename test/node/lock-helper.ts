// Test helper, run as a child process: opens a node home (taking its lock), prints the NPIDs it
// hands out and "ready", then waits to be killed. Lets tests crash a real lock holder.
import { openHome } from '../../src/node/home.js';

const [dir, count] = process.argv.slice(2);
if (dir !== undefined) {
  const home = openHome(dir);
  const ids: number[] = [];
  for (let i = 0; i < Number(count ?? 0); i++) ids.push(home.pids.next());
  process.stdout.write(`${JSON.stringify({ id: home.identity.id, ids })}\nready\n`);
  setInterval(() => {}, 60_000);
}
