// Waiting on a condition in the daemon tests: polled every `every` ms until it holds, failing the
// test with what was awaited once the deadline has passed (never a bare sleep).
import assert from 'node:assert/strict';

export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 30_000,
  every = 100,
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}
