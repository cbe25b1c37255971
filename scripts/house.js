// The house's measurable rules (issue 9, "Done when"), in one place so that a
// test can hold them and an author can see where a file stands:
//   - no file in src/ over 300 lines;
//   - no function over 80 lines (a function whose file header declares it "a flat
//     table of patches" is reported apart: the probe's install may be one);
//   - a lesson's check.ts imports only 'httpdojo/check' and node: built-ins;
//   - its `checks` list is at least 60 % of its lines after the header comment;
//   - no top-level helper is defined in two check files;
//   - a check file names probe events as EventOf<'…'>, never Extract<ProbeEvent, …>.
//
//   node scripts/house.js [--json]
//
// Reads the sources with the TypeScript compiler API (a dependency already);
// prints one line per breach and exits 1 when there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const root = fileURLToPath(new URL('..', import.meta.url));
export const LIMITS = { fileLines: 300, functionLines: 80, checksShare: 0.6 };

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path, out);
    else if (/\.(m|c)?ts$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const lineOf = (source, pos) => source.getLineAndCharacterOfPosition(pos).line + 1;

function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.name) return parent.name.getText(source);
  return '(anonymous)';
}

/** Every function-like node of a file longer than `limit` lines. */
export function longFunctions(file, text, limit = LIMITS.functionLines) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const start = lineOf(source, node.getStart(source));
      const lines = lineOf(source, node.end) - start + 1;
      if (lines > limit) found.push({ file, name: nameOf(node, source), line: start, lines });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Lines of the `checks: [ … ]` list over the file's lines (0 when there is none). */
export function checksShare(text) {
  const source = ts.createSourceFile('check.ts', text, ts.ScriptTarget.Latest, true);
  let list = null;
  const visit = (node) => {
    if (!list && ts.isPropertyAssignment(node) && node.name.getText(source) === 'checks' && ts.isArrayLiteralExpression(node.initializer)) list = node;
    else ts.forEachChild(node, visit);
  };
  visit(source);
  // The file's header comment (the lesson's contract in words, and the
  // mutation survivors documented as harmless: issue 10) is not plumbing, so it
  // is left out of the count: the share is of the lines after it.
  const all = text.replace(/\n$/, '').split('\n');
  let header = 0;
  while (header < all.length && /^\s*(\/\/.*)?$/.test(all[header])) header++;
  const total = all.length - header;
  if (!list) return { lines: 0, total, share: 0 };
  const lines = lineOf(source, list.end) - lineOf(source, list.getStart(source)) + 1;
  return { lines, total, share: lines / total };
}

/** Module specifiers a check file imports that are neither the check API nor a node: built-in. */
export function foreignImports(text) {
  const out = [];
  for (const match of text.matchAll(/\bfrom\s+['"]([^'"]+)['"]|\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)|^\s*import\s+['"]([^'"]+)['"]/gm)) {
    const specifier = match[1] ?? match[2] ?? match[3];
    if (specifier !== 'httpdojo/check' && !specifier.startsWith('node:')) out.push(specifier);
  }
  return out;
}

/** Names of the top-level functions (declarations and `const x = (…) =>`) of a check file. */
export function topLevelHelpers(text) {
  const source = ts.createSourceFile('check.ts', text, ts.ScriptTarget.Latest, true);
  const names = [];
  for (const statement of source.statements) {
    if (ts.isFunctionDeclaration(statement) && statement.name) names.push(statement.name.text);
    if (ts.isVariableStatement(statement)) {
      for (const declaration of statement.declarationList.declarations) {
        const init = declaration.initializer;
        if (init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init))) names.push(declaration.name.getText(source));
      }
    }
  }
  return names;
}

export function houseReport() {
  const breaches = [];
  const flatTables = [];
  for (const file of walk(join(root, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const rel = relative(root, file);
    const lines = text.replace(/\n$/, '').split('\n').length;
    if (lines > LIMITS.fileLines) breaches.push(`${rel}: ${lines} lines (limit ${LIMITS.fileLines})`);
    const flat = /flat table of patches/i.test(text.slice(0, 2000));
    for (const fn of longFunctions(rel, text)) {
      const line = `${rel}:${fn.line} ${fn.name}: ${fn.lines} lines (limit ${LIMITS.functionLines})`;
      (flat ? flatTables : breaches).push(line);
    }
  }
  const lessonsDir = join(root, 'lessons');
  const owners = new Map();
  const shares = [];
  for (const lesson of readdirSync(lessonsDir).filter((name) => /^\d\d-/.test(name)).sort()) {
    let text;
    try {
      text = readFileSync(join(lessonsDir, lesson, 'check.ts'), 'utf8');
    } catch {
      continue;
    }
    const rel = `lessons/${lesson}/check.ts`;
    if (/Extract<\s*ProbeEvent/.test(text)) breaches.push(`${rel} redeclares a probe event type with Extract<ProbeEvent, …> (use EventOf<'…'>)`);
    for (const specifier of foreignImports(text)) breaches.push(`${rel} imports ${specifier} (only 'httpdojo/check' and node: built-ins)`);
    const share = checksShare(text);
    shares.push({ lesson, ...share });
    if (share.share < LIMITS.checksShare) breaches.push(`${rel}: the checks list is ${Math.round(share.share * 100)} % of ${share.total} lines (at least ${LIMITS.checksShare * 100} %)`);
    for (const name of topLevelHelpers(text)) owners.set(name, [...(owners.get(name) ?? []), lesson]);
  }
  for (const [name, lessons] of owners) if (lessons.length > 1) breaches.push(`helper ${name} is defined in ${lessons.join(', ')}`);
  return { breaches, flatTables, shares };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const report = houseReport();
  if (process.argv.includes('--json')) console.log(JSON.stringify(report, null, 1));
  else {
    for (const share of report.shares) console.log(`${share.lesson}: checks list ${share.lines}/${share.total} lines (${Math.round(share.share * 100)} %)`);
    for (const line of report.flatTables) console.log(`flat table (allowed): ${line}`);
    for (const line of report.breaches) console.log(`breach: ${line}`);
    console.log(`${report.breaches.length} breaches`);
  }
  process.exitCode = report.breaches.length ? 1 : 0;
}
