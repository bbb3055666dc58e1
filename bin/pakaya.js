#!/usr/bin/env node
// The `pakaya` command: runs the compiled CLI (npm install builds dist/ through `prepare`).
import { main } from '../dist/src/cli/main.js';

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`pakaya: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
