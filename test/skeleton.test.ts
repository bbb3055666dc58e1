import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from '../src/cli/main.js';

test('cli version command exits 0', async () => {
  assert.equal(await main(['node', 'pakaya', 'version']), 0);
});
