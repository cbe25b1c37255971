// Compiles the built-in course's lessons/*/check.ts to dist/lessons/<id>/check.js
// at build time, so verify imports plain JavaScript instead of starting tsx's
// loader thread (~400 ms) on every run. Each file is transpiled on its own: a
// check module imports only types, which transpiling erases. Type errors are the
// type check's job (npm run typecheck), not this script's. Every run rebuilds
// every lesson's module, so none is left older than its sources; a check edited
// after the build is refused by loadChecks (src/engine/load-checks.ts), which
// then runs the sources through tsx. A lesson that re-runs earlier lessons'
// checks (front matter `reruns:`) does not import them: the loader loads each
// lesson's own compiled module, each compared with its own check.ts.
import { mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const lessonsDir = join(root, 'lessons');
let count = 0;
for (const entry of readdirSync(lessonsDir, { withFileTypes: true })) {
  const source = join(lessonsDir, entry.name, 'check.ts');
  if (!entry.isDirectory() || !existsSync(source)) continue;
  const output = ts.transpileModule(readFileSync(source, 'utf8'), {
    fileName: source,
    // A check importing another lesson's (`../10-http-get/check.ts`) gets `.js` here.
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, verbatimModuleSyntax: false, rewriteRelativeImportExtensions: true },
  });
  const outDir = join(root, 'dist', 'lessons', entry.name);
  mkdirSync(outDir, { recursive: true });
  // Temp file + rename: a verify running during a rebuild loads the old module
  // or the new one, never half a file.
  const target = join(outDir, 'check.js');
  writeFileSync(`${target}.${process.pid}.tmp`, output.outputText);
  renameSync(`${target}.${process.pid}.tmp`, target);
  count++;
}
console.log(`compiled ${count} check modules`);
