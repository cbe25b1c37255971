// The code a learner reads in the lessons, hints and pitfall pages must at least
// compile, and the blocks marked ```js runnable must run as they are, pasted
// into a file: issue 8 found an "other ways" block in lesson 10 that declared
// `text` twice and imported inside a callback.
//
// - Every ```js and ```ts block compiles: as an ES module, or (a fragment from
//   inside a handler) as the body of an async function. V8 compiles it, so early
//   errors such as a name declared twice count too; ```ts blocks are first
//   stripped of their types by TypeScript. Nothing is run.
// - Every ```js runnable block runs as a .mjs file, with the URL of a loopback
//   test server as process.argv[2]: it must exit 0 within its deadline and write
//   nothing to stderr. When the next block in the file is tagged `output`, stdout
//   must be exactly that text.
import { describe, it, expect } from 'vitest';
import ts from 'typescript';
import net from 'node:net';
import { courseCodeBlocks, type CodeBlock } from './markdown-code.ts';
import { HOST, runChild, startServer } from './support.ts';

const blocks = courseCodeBlocks();
const where = (block: CodeBlock) => `${block.file}:${block.line}`;

/** Runs inside a child with --experimental-vm-modules: reads blocks from argv, prints the failures as JSON. */
const COMPILER = `
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
const blocks = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const failures = [];
for (const { where, code } of blocks) {
  let asModule;
  try {
    new vm.SourceTextModule(code);
    continue;
  } catch (err) {
    asModule = err.message;
  }
  try {
    vm.compileFunction('return (async () => {\\n' + code + '\\n});');
    continue;
  } catch (err) {
    failures.push(where + ': as a module: ' + asModule + '; as a function body: ' + err.message);
  }
}
console.log(JSON.stringify(failures));
`;

/** A ```ts block with its types removed; TypeScript's syntax errors become a failure. */
function javascriptOf(block: CodeBlock): { code: string; error?: string } {
  if (block.language !== 'ts') return { code: block.code };
  const out = ts.transpileModule(block.code, {
    reportDiagnostics: true,
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  });
  const errors = (out.diagnostics ?? []).map((d) => ts.flattenDiagnosticMessageText(d.messageText, ' '));
  return { code: out.outputText, error: errors.length ? errors.join('; ') : undefined };
}

describe('the code in the lessons', () => {
  const code = blocks.filter((block) => block.language === 'js' || block.language === 'ts');

  it('finds the blocks (so the checks below cannot pass on nothing)', () => {
    expect(code.length).toBeGreaterThan(150);
    expect(code.filter((block) => block.tags.includes('runnable')).length).toBeGreaterThanOrEqual(3);
  });

  it('every ```js and ```ts block compiles as a module or as the body of a function', async () => {
    const failures: string[] = [];
    const forChild: Array<{ where: string; code: string }> = [];
    for (const block of code) {
      const js = javascriptOf(block);
      if (js.error) failures.push(`${where(block)}: TypeScript: ${js.error}`);
      else forChild.push({ where: where(block), code: js.code });
    }
    const result = await runChild(COMPILER, {
      files: { 'blocks.json': JSON.stringify(forChild) },
      nodeArgs: ['--experimental-vm-modules', '--no-warnings'],
      args: ['blocks.json'],
      deadlineMs: 20_000,
    });
    expect(result.code, result.stderr).toBe(0);
    failures.push(...(JSON.parse(result.stdout) as string[]));
    expect(failures).toEqual([]);
  });

  describe.concurrent('every ```js runnable block runs as pasted', () => {
    const runnable = blocks.filter((block) => block.language === 'js' && block.tags.includes('runnable'));
    for (const block of runnable) {
      it(where(block), async () => {
        const srv = await startServer((_req, res) => {
          res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
          res.end('hello from the test server\n');
        });
        try {
          const result = await runChild(block.code, { filename: 'block.mjs', args: [`http://${HOST}:${srv.port}/items/1`], deadlineMs: 15_000 });
          expect(result.timedOut).toBe(false);
          expect(result.stderr).toBe('');
          expect(result.code).toBe(0);
          const next = blocks[blocks.indexOf(block) + 1];
          if (next && next.file === block.file && next.tags.includes('output')) expect(result.stdout.trim()).toBe(next.code.trim());
          else expect(result.stdout.length).toBeGreaterThan(0);
        } finally {
          await srv.close();
        }
      });
    }
  });
});

describe.concurrent("lesson 10's async/await client, run as the lesson shows it", () => {
  const program = () => {
    const found = blocks.filter((block) => block.file === '10-http-get/lesson.md' && block.tags.includes('runnable'));
    expect(found.length).toBe(1);
    return found[0].code;
  };

  /** A test server: /ok splits "café 😀" inside both characters, /missing is a 404, /cut resets mid-body. */
  async function server() {
    return startServer((req, res) => {
      if (req.url === '/missing') {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('no such thing');
        return;
      }
      const bytes = Buffer.from('café 😀\n');
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': bytes.length });
      res.write(bytes.subarray(0, 4)); // ends inside "é"
      setTimeout(() => {
        if (req.url === '/cut') return res.socket?.destroy();
        res.write(bytes.subarray(4, 8)); // ends inside "😀"
        setTimeout(() => res.end(bytes.subarray(8)), 30);
      }, 30);
    });
  }

  it('a 200 body split inside characters: printed whole, exit 0', async () => {
    const srv = await server();
    try {
      const result = await runChild(program(), { filename: 'client.mjs', args: [`http://${HOST}:${srv.port}/ok`], deadlineMs: 10_000 });
      expect(result.stdout).toBe('café 😀\n');
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
    } finally {
      await srv.close();
    }
  });

  it('a 404: nothing on stdout, "HTTP 404" on stderr, exit 1', async () => {
    const srv = await server();
    try {
      const result = await runChild(program(), { filename: 'client.mjs', args: [`http://${HOST}:${srv.port}/missing`], deadlineMs: 10_000 });
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe('HTTP 404');
      expect(result.code).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('a reset in the middle of the body makes the for await loop throw: "Error: aborted", exit 1', async () => {
    const srv = await server();
    try {
      const result = await runChild(program(), { filename: 'client.mjs', args: [`http://${HOST}:${srv.port}/cut`], deadlineMs: 10_000 });
      expect(result.stdout).toBe('');
      expect(result.stderr.trim()).toBe('Error: aborted');
      expect(result.code).toBe(1);
    } finally {
      await srv.close();
    }
  });

  it('a refused connection: "Error: connect ECONNREFUSED ...", exit 1, no stack trace', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, HOST, () => resolve()));
    const { port } = probe.address() as net.AddressInfo;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const result = await runChild(program(), { filename: 'client.mjs', args: [`http://${HOST}:${port}/`], deadlineMs: 10_000 });
    expect(result.stderr.trim()).toBe(`Error: connect ECONNREFUSED ${HOST}:${port}`);
    expect(result.code).toBe(1);
  });
});
