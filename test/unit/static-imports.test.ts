// Which packages a learner's program imports (text-based, following its own
// local modules): the evidence behind the uses-a-framework verdict.

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findFrameworkImport, findImports } from '../../src/engine/static-imports.ts';

const root = mkdtempSync(join(tmpdir(), 'hdj-imports-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let counter = 0;

/** Writes the files of one case into a folder of its own; returns the path of the first. */
function program(files: Record<string, string>): string {
  const dir = join(root, `case-${counter++}`);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return join(dir, Object.keys(files)[0]);
}

const specifiers = (entry: string) => findImports(entry).map((found) => found.specifier);

describe('findImports', () => {
  const FORMS: Array<[string, string, string[]]> = [
    ['default import', "import http from 'node:http';", ['node:http']],
    ['named import over lines', "import {\n  createServer,\n  type Server,\n} from \"node:http\";", ['node:http']],
    ['namespace import', "import * as net from 'node:net';", ['node:net']],
    ['side-effect import', "import 'polka';", ['polka']],
    ['re-export', "export { x } from './x';\nexport * from 'hono';", ['./x', 'hono']],
    ['require', "const express = require('express');\nconst { join } = require(\"node:path\");", ['express', 'node:path']],
    ['dynamic import', "const { default: fastify } = await import('fastify');", ['fastify']],
    ['commented out (line and block)', "// import express from 'express';\n/* const koa = require('koa');\n import('hono') */\nimport http from 'node:http';", ['node:http']],
    ['a comment after code on the same line', "import http from 'node:http'; // was: import express from 'express'", ['node:http']],
  ];
  it.each(FORMS)('%s', (_name, code, expected) => {
    expect(specifiers(program({ 'server.mjs': code }))).toEqual(expected);
  });

  it('gives the file, line and column of each specifier', () => {
    const file = program({ 'server.js': "'use strict';\n\nconst http = require('node:http');\n" });
    expect(findImports(file)).toEqual([{ specifier: 'node:http', file, location: { file, line: 3, column: 23 } }]);
  });

  it('follows local modules (.js naming a .ts file, folders with index, extensionless) and survives cycles', () => {
    const entry = program({
      'server.ts': "import { routes } from './routes.js';\nimport './lib';\nimport { helper } from './helper';",
      'routes.ts': "import { server } from './server.js';\nexport const routes = 1;\nimport http from 'node:http';",
      'lib/index.js': "require('node:fs');",
      'helper.mjs': "export const helper = await import('node:crypto');",
    });
    expect(specifiers(entry).sort()).toEqual(['./helper', './lib', './routes.js', './server.js', 'node:crypto', 'node:fs', 'node:http'].sort());
  });

  it('ignores a local module that does not exist, and a file that does not parse', () => {
    const entry = program({ 'server.mjs': "import './missing.js';\nimport http from 'node:http';\nconst x = {;" });
    expect(specifiers(entry)).toEqual(['./missing.js', 'node:http']);
  });
});

describe('findFrameworkImport', () => {
  it('finds a framework in a local module and points at it there', () => {
    const entry = program({
      'server.mjs': "import { app } from './app.mjs';\napp.listen(3000);",
      'app.mjs': "import http from 'node:http';\n\nimport express from 'express';\nexport const app = express();",
    });
    const found = findFrameworkImport(entry);
    expect(found).toMatchObject({ specifier: 'express', file: join(dirname(entry), 'app.mjs'), location: { line: 3, column: 22 } });
  });

  const CASES: Array<[string, string, string | null]> = [
    ['express', "const express = require('express');", 'express'],
    ['a subpath of a framework', "import { serve } from '@hapi/hapi/lib/server';", '@hapi/hapi/lib/server'],
    ['a dynamic import of fastify', "const app = (await import('fastify')).default();", 'fastify'],
    ['axios as an http client', "import axios from 'axios';", 'axios'],
    ['only node built-ins', "import http from 'node:http';\nimport { URL } from 'node:url';", null],
    ['a package whose name starts like a framework', "import validator from 'express-validator-lite';", null],
    ['a framework only in a comment', "// require('express') would be easier\nimport http from 'node:http';", null],
  ];
  it.each(CASES)('%s', (_name, code, expected) => {
    expect(findFrameworkImport(program({ 'server.mjs': code }))?.specifier ?? null).toBe(expected);
  });
});
