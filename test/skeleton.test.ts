import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';

test('cli --version exits 0', async () => {
  assert.equal(await main(['node', 'pakaya', '--version']), 0);
});

test('cli rejects an unknown command with a non-zero exit', async () => {
  assert.notEqual(await main(['node', 'pakaya', 'no-such-command']), 0);
});
