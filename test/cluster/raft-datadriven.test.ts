// Data-driven Raft scenarios: every test/cluster/raft-testdata/*.txt is run by the script
// interpreter and its output must equal the expected blocks. REWRITE=1 rewrites the files with the
// actual output (review the diff before committing it).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ScriptRunner } from './raft-script.js';

// The compiled test runs from dist/test/cluster; the scripts stay in the source tree.
const DIR = fileURLToPath(new URL('../../../test/cluster/raft-testdata/', import.meta.url));

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();

test('there are raft scenario scripts', () => {
  assert.ok(files.length >= 8, `found ${files.length} scripts in ${DIR}`);
});

for (const file of files) {
  test(`raft scenario ${file}`, () => {
    const path = `${DIR}${file}`;
    const script = readFileSync(path, 'utf8');
    const actual = new ScriptRunner().run(script);
    if (process.env.REWRITE === '1') {
      writeFileSync(path, actual);
      return;
    }
    assert.equal(actual, script);
  });
}
