// The probe is one compiled file per job in dist/engine/probe/ (tsc), and the
// learner's process loads it with --import before its first line, at every
// program start, on verify's critical path. Each ES module costs Node's loader
// about half a millisecond of CPU (resolve, read, compile, link): seventeen
// files cost ~10 ms more than one (measured: `node --import <probe>` with the
// channel open, median CPU of 31 runs). So the entry is bundled in place into
// one file (esbuild, which tsx already depends on; node: built-ins stay
// imports) and the per-file outputs are removed. The behaviour is the same
// code: tests run the per-file sources (tsx, or transpiled one by one).
// Should esbuild be missing, the per-file probe stays: it works, only slower.
//
//   node scripts/bundle-probe.js        (part of `npm run build`, after tsc)

import { readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../dist/engine/probe/', import.meta.url));
const entry = join(dir, 'probe.js');

let esbuild;
try {
  esbuild = createRequire(import.meta.resolve('tsx/package.json'))('esbuild');
} catch (error) {
  process.stderr.write(`bundle-probe: esbuild not found (${error.message.split('\n')[0]}); the probe stays one file per module\n`);
  process.exit(0);
}

try {
  await esbuild.build({
    entryPoints: [entry],
    outfile: entry,
    allowOverwrite: true,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'silent',
  });
} catch (error) {
  process.stderr.write(`bundle-probe: ${error.message.split('\n')[0]}; the probe stays one file per module\n`);
  process.exit(0);
}
for (const name of readdirSync(dir)) {
  if (name !== 'probe.js' && name !== 'probe.d.ts') rmSync(join(dir, name));
}
