#!/usr/bin/env node
// A clone has no dist/ until `npm start` (or any npm install, through `prepare`)
// builds it: say so in one line instead of an ERR_MODULE_NOT_FOUND stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/cli/index.js', import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  process.stderr.write(`httpdojo is not built yet: run \`npm start\` (or \`npm install\`) in ${fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '')} first\n`);
  process.exitCode = 2;
}
