import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** httpdojo's version, from the package.json two folders up (from dist/engine or src/engine). */
export function packageVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
