// The probe's folder runs inside the learner's process: its files import Node
// built-ins and each other only (never the rest of httpdojo, which would load
// the engine into someone else's program), and each stays a file with one job.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const DIR = join(import.meta.dirname, '..', '..', 'src', 'engine', 'probe');
const files = readdirSync(DIR).filter((name) => name.endsWith('.ts'));
const BUILT = join(import.meta.dirname, '..', '..', 'dist', 'engine', 'probe', 'probe.js');

/** Every module specifier of a source: static imports and exports, and dynamic import(). */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const match of source.matchAll(/^\s*(?:import|export)\b[^'"`;]*?\bfrom\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)|\brequire\(\s*['"]([^'"]+)['"]\s*\)/gm)) {
    found.push(match[1] ?? match[2] ?? match[3] ?? match[4]);
  }
  return found;
}

describe('the probe folder', () => {
  it('has its entry and more than one file', () => {
    expect(files).toContain('probe.ts');
    expect(files.length).toBeGreaterThan(1);
  });

  it.each(files)('%s imports Node built-ins and files of the folder only', (name) => {
    const source = readFileSync(join(DIR, name), 'utf8');
    for (const specifier of specifiers(source)) {
      if (specifier.startsWith('node:')) {
        expect(builtinModules, `${name}: ${specifier}`).toContain(specifier.slice('node:'.length));
        continue;
      }
      expect(specifier, `${name} imports ${specifier}`).toMatch(/^\.\/[\w-]+\.js$/);
      expect(existsSync(join(DIR, specifier.replace(/\.js$/, '.ts'))), `${name}: ${specifier} exists`).toBe(true);
    }
  });

  // The build bundles the folder into dist/engine/probe/probe.js (scripts/bundle-probe.js):
  // what the learner's process loads must still need nothing but Node.
  it.skipIf(!existsSync(BUILT))('the built probe imports Node built-ins and files next to it only', () => {
    for (const specifier of specifiers(readFileSync(BUILT, 'utf8'))) {
      if (specifier.startsWith('node:')) continue;
      expect(specifier, `dist probe imports ${specifier}`).toMatch(/^\.\/[\w-]+\.js$/);
      expect(existsSync(join(BUILT, '..', specifier)), `${specifier} exists`).toBe(true);
    }
  });

  it.each(files)('%s is under 300 lines', (name) => {
    expect(readFileSync(join(DIR, name), 'utf8').split('\n').length).toBeLessThan(300);
  });
});
