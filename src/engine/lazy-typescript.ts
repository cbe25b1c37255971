// The TypeScript compiler, loaded only by the code paths that need it (stripping
// types from a starter, locating a syntax error), never on start-up.

import { createRequire } from 'node:module';
import type * as TS from 'typescript';

let loaded: typeof TS | null = null;

export function loadTypeScript(): typeof TS {
  // require, not import(): the compiler is one 9 MB CommonJS file, and import()
  // first scans it for named exports (about 2 s here, against 0.5 s for require).
  loaded ??= createRequire(import.meta.url)('typescript') as typeof TS;
  return loaded;
}
