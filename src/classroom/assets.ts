// The board's page: plain files in src/classroom/assets/, served as they are (no
// build step). The same relative path works from src/classroom and dist/classroom.

import { readFileSync } from 'node:fs';
import type http from 'node:http';

const DIR = new URL('../../src/classroom/assets/', import.meta.url);

// Learner strings only ever reach the page as text (textContent), and the policy
// forbids inline scripts and any other origin: a name like <img onerror=...> stays inert.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const FILES: Record<string, { file: string; type: string }> = {
  '/board.html': { file: 'board.html', type: 'text/html; charset=utf-8' },
  '/board.css': { file: 'board.css', type: 'text/css; charset=utf-8' },
  '/board.js': { file: 'board.js', type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

export interface Asset {
  type: string;
  body: Buffer;
  headers: http.OutgoingHttpHeaders;
}

/** The asset at `path` (public: no data in it), or null. board.html is served only at /board, with the token. */
export function boardAsset(path: string): Asset | null {
  const entry = FILES[path];
  if (!entry) return null;
  let body = cache.get(entry.file);
  if (!body) {
    body = readFileSync(new URL(entry.file, DIR));
    cache.set(entry.file, body);
  }
  return { type: entry.type, body, headers: { 'Content-Security-Policy': CSP, 'X-Frame-Options': 'DENY' } };
}
