// Which packages a learner's program imports, following its own local modules.
// Text-based on purpose: it must work on a file that does not even parse, and it
// only ever adds evidence (a framework import fails the lesson by contract:
// CURRICULUM.md, "Only node built-ins").

import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Location } from './probe-events.js';

export const FRAMEWORKS = ['express', 'koa', 'fastify', 'hono', 'undici', 'axios', 'got', 'node-fetch', '@hapi/hapi', 'restify', 'polka', 'superagent'];

const IMPORT_PATTERNS = [
  /\bimport\s+(?:[\w*{}\s,]+\s+from\s+)?['"]([^'"]+)['"]/g,
  /\bexport\s+[\w*{}\s,]+\s+from\s+['"]([^'"]+)['"]/g,
  /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
];

export interface ImportFound {
  specifier: string;
  file: string;
  location: Location;
}

export function findImports(entry: string, maxFiles = 50): ImportFound[] {
  const found: ImportFound[] = [];
  const seen = new Set<string>();
  const queue = [resolve(entry)];
  while (queue.length > 0 && seen.size < maxFiles) {
    const file = queue.shift()!;
    if (seen.has(file)) continue;
    seen.add(file);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const code = blankComments(text);
    for (const pattern of IMPORT_PATTERNS) {
      for (const match of code.matchAll(pattern)) {
        const specifier = match[1];
        // lastIndexOf: the specifier ends the match; `import express from 'express'`
        // has the same word earlier, as the binding.
        const index = (match.index ?? 0) + match[0].lastIndexOf(specifier);
        found.push({ specifier, file, location: locate(file, text, index) });
        if (specifier.startsWith('.')) {
          const local = resolveLocal(dirname(file), specifier);
          if (local) queue.push(local);
        }
      }
    }
  }
  return found;
}

export function findFrameworkImport(entry: string): ImportFound | null {
  return findImports(entry).find((found) => FRAMEWORKS.some((name) => found.specifier === name || found.specifier.startsWith(`${name}/`))) ?? null;
}

function resolveLocal(dir: string, specifier: string): string | null {
  const base = resolve(dir, specifier);
  const candidates = [base, ...['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => base + ext), base.replace(/\.js$/, '.ts'), resolve(base, 'index.js'), resolve(base, 'index.ts')];
  // Files only: `./lib` names a folder (which exists too) when it means lib/index.js.
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

/** Comments replaced by spaces (same length), so `// import express` is not an import. */
function blankComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

function locate(file: string, text: string, index: number): Location {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  return { file, line, column: index - before.lastIndexOf('\n') };
}
