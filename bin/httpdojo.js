#!/usr/bin/env node
// A clone has no dist/ (nor node_modules) until `npm start` or any npm install
// (through `prepare`) builds it: say so in one line, not with a stack trace.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');
const entry = new URL('../dist/cli/index.js', import.meta.url);
const notReady = (what) => {
  process.stderr.write(`httpdojo ${what}: run \`npm start\` (or \`npm install\`) in ${root} first\n`);
  process.exitCode = 2;
};
if (!existsSync(entry)) notReady('is not built yet');
else {
  try {
    await import(entry.href);
  } catch (error) {
    // Only a package that dist/ itself imports (node_modules missing); anything else is not ours to reword.
    const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && /^Cannot find package '([^']+)' imported from (\S+)/.exec(error.message);
    if (!missing || !missing[2].startsWith(fileURLToPath(new URL('../dist/', import.meta.url)))) throw error;
    notReady(`cannot find its dependency ${missing[1]}`);
  }
}
