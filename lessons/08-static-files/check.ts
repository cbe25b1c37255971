// Lesson 08: a static file server for the folder given as argv[2].
// - GET /files/<path> serves <root>/<path> (sub-folders, percent-decoded): 200,
//   Content-Length = the file size, Content-Type by extension; HEAD gets the head;
// - a missing file or a folder: 404 {"error":"Not found"}, and the server stays up (a
//   broken escape, %E0%A4%A, names a missing file too: any refusal, no crash);
// - a path that would leave the root is never served: 403 or 404;
// - other methods on /files/…: 405 with Allow: GET, HEAD; other paths: 404;
// - a 128 MiB file is streamed (memory does not grow by its size) and a client
//   that leaves mid-download does not leave the file open.
//
// setup() builds the folder at verify time (nothing big is committed): files of
// each type, a sub-folder, a sparse 128 MiB file, a secret next to the root and a
// sibling folder "<root>-secret" (which `startsWith(root)` without a separator lets
// through).
//
// Not sent on purpose: symbolic links, Range requests, upper-case extensions,
// "/files" without its slash, a NUL byte (%00: the lesson never mentions it, and a
// program following hint 3 hands it to fs.stat(), which throws at once on Node 20.20).
//
// Mutation survivors (`dev check --mutate`), each checked by hand against the contract:
// mutant byte-length-to-length#1: every JSON body of this lesson is a fixed ASCII error: characters = bytes, so the Content-Length is right anyway
// mutant drop-end#1: out of contract: sendJson's res.write(body) carries Content-Length, so the client has its whole answer; only a second request on the same connection (Node holds its response until end()) shows it, and lesson 08's contract sends none (lesson 01's rule, not restated here)
// mutant unwrap-try#2: out of contract: only a request target that new URL() rejects reaches that catch (GET //, GET //x:99999/); lesson 08's contract names none, lesson 02's says "//" is not checked, and two correct fixtures (server.cjs, server.mjs) call new URL() without try and crash on one, so a check demanding an answer would fail correct programs
// mutant wrong-status-code#1: out of contract, as unwrap-try#2 (400 → 500 for a target new URL() rejects)
// mutant drop-return-after-answer#1: out of contract, as unwrap-try#2 (the return after that 400)
// mutant host-url-base#1: out of contract: only lesson 02's task says an empty or malformed Host must be answered; this lesson's task does not, and no check sends one
// mutant route-on-raw-url#1: out of contract: routing on req.url differs from URL.pathname only for a query string (a file named "hello.txt?v=1" is not found) and for dot segments, which resolveInRoot confines anyway; lesson 08's contract names no query on /files/ targets (the query rules are lessons 02-04's), so no check sends one
// mutant drop-guard#3: without the 403 branch the string 'outside' is stat()ed as a file name relative to the working folder, not found, 404, and the task allows 403 or 404
// mutant drop-guard#4: without the 404 branch for a broken escape or a NUL byte (broken-escape-404) the string 'bad' is stat()ed as a file name, not found: the same 404
// mutant drop-return-after-answer#7: the HEAD branch's return; pipeline() then fails at once with ERR_STREAM_PREMATURE_CLOSE on the finished response (measured on Node 20.20; its callback ignores that code) and destroys the file stream; the client has its whole answer and no descriptor stays open
import { mkdir, open, realpath, writeFile } from 'node:fs/promises';
import { join, sep } from 'node:path';
import type { CheckContext, EventOf, HttpResponse, LessonChecks, Location } from 'httpdojo/check';
import { expectUtf8, responseLine } from 'httpdojo/check';

const ROOT_NAME = 'site';
const MIB = 1024 * 1024;
/** node20-facts.md: 64 MiB is too close to a streaming server's own growth (22–36 MiB). */
const BIG_SIZE = 128 * MIB;
/**
 * Memory growth that counts as "the whole file in memory" when the probe saw no
 * readFile: buffering measured +128 MiB, streaming +31–36 MiB.
 */
const BUFFERED_GROWTH = 0.75 * BIG_SIZE;
/** 128 MiB over loopback takes well under a second; a loaded machine gets more room than the usual 2 s. */
const BIG_TIMEOUT_MS = 15_000;
/**
 * The big file's first 64 KiB: short text lines, so that the wire view of a download
 * (which keeps the first 16 KiB of each connection) reads as lines, not as escaped zeros.
 */
const BIG_HEAD = Buffer.from(Array.from({ length: 2048 }, (_, i) => `big.bin, line ${String(i + 1).padStart(6, '0')}`.padEnd(31, '.') + '\n').join(''));
const ABORTS = 10;
const ABORT_AFTER_BYTES = 1 * MIB;
/** A destroyed stream closes its descriptor within milliseconds; this is the patience on a loaded machine. */
const CLOSE_WAIT_MS = 2000;
const NOT_FOUND = { error: 'Not found' };
const SECRET = 'TOP-SECRET-httpdojo-7c1e';

/** A target whose escape is broken ("%A" has one hex digit): decodeURIComponent() throws on it. */
const BROKEN_ESCAPE = '/files/%E0%A4%A';
/** Why a crash of that request happened, by error code (or name): a sentence added to the engine's diagnosis. */
const BROKEN_ESCAPE_CRASHES: Array<[string, string]> = [
  ['URIError', 'decodeURIComponent() throws a URIError ("URI malformed") on a broken escape, and nothing caught it, so the process exited with every download in progress. Decode inside try/catch and answer 404 {"error":"Not found"}.'],
  ['ERR_HTTP_HEADERS_SENT', `Your server answered GET ${BROKEN_ESCAPE} and then tried to answer it again: the code after that answer ran on. Return right after answering.`],
];

interface FileSpec {
  /** Path under the root, as on disk. */
  name: string;
  /** The request target for it. */
  target: string;
  type: string;
  /** Content-Type must also say charset=utf-8. */
  charset?: boolean;
  content: Buffer;
}

interface Data {
  root: string;
  files: FileSpec[];
  big: string;
  /** The big file's real path, as /proc/<pid>/fd shows it. */
  bigReal: string;
  /** The folder that holds the root, the secret and the sibling folder. */
  parent: string;
}

const FILES: FileSpec[] = [
  { name: 'hello.txt', target: '/files/hello.txt', type: 'text/plain', charset: true, content: Buffer.from('hello\n') },
  { name: 'page.html', target: '/files/page.html', type: 'text/html', charset: true, content: Buffer.from('<!doctype html>\n<h1>Héllo</h1>\n') },
  { name: 'data.json', target: '/files/data.json', type: 'application/json', content: Buffer.from('{"items":[1,2,3]}\n') },
  { name: 'style.css', target: '/files/style.css', type: 'text/css', content: Buffer.from('body { color: #333; }\n') },
  { name: 'app.js', target: '/files/app.js', type: 'text/javascript', content: Buffer.from("console.log('hi');\n") },
  // Bytes that are not UTF-8: a server that turns the file into a string breaks them.
  { name: 'logo.png', target: '/files/logo.png', type: 'application/octet-stream', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0xff, 0xfe, 0x80, 0x7f]) },
  { name: 'docs/guide.txt', target: '/files/docs/guide.txt', type: 'text/plain', charset: true, content: Buffer.from('a guide in a sub-folder\n') },
  { name: 'docs/with space.txt', target: '/files/docs/with%20space.txt', type: 'text/plain', charset: true, content: Buffer.from('a name with a space\n') },
  { name: 'docs/café.txt', target: '/files/docs/caf%C3%A9.txt', type: 'text/plain', charset: true, content: Buffer.from('a name with an é\n') },
];

export default {
  async setup({ tempDir }) {
    const root = join(tempDir, ROOT_NAME);
    await mkdir(join(root, 'docs'), { recursive: true });
    await mkdir(join(tempDir, `${ROOT_NAME}-secret`));
    for (const file of FILES) await writeFile(join(root, file.name), file.content);
    await writeFile(join(tempDir, 'secret.txt'), `${SECRET} (next to the root)\n`);
    await writeFile(join(tempDir, `${ROOT_NAME}-secret`, 'secret.txt'), `${SECRET} (in the sibling folder)\n`);
    // 128 MiB in milliseconds: a sparse file (truncate), readable text at the start
    // and a marker at the end.
    const big = join(root, 'big.bin');
    const handle = await open(big, 'w');
    try {
      await handle.truncate(BIG_SIZE);
      await handle.write(BIG_HEAD, 0, BIG_HEAD.length, 0);
      await handle.write(Buffer.from('END'), 0, 3, BIG_SIZE - 3);
    } finally {
      await handle.close();
    }
    const data: Data = { root, files: FILES, big, bigReal: await realpath(big), parent: tempDir };
    return { args: [root], data };
  },
  checks: [
    {
      id: 'serves-text-file',
      title: 'GET /files/hello.txt gets 200, text/plain; charset=utf-8, Content-Length 6 and the file',
      async run(ctx) {
        fileCrashes(ctx);
        await expectFile(ctx, FILES[0]);
      },
    },
    {
      id: 'content-types',
      title: 'Content-Type follows the extension: .html .json .css .js, and application/octet-stream for others (.png)',
      async run(ctx) {
        fileCrashes(ctx);
        for (const file of FILES.slice(1, 6)) await expectFile(ctx, file);
      },
    },
    {
      id: 'sub-folders-and-escapes',
      title: 'files in sub-folders are served, the path percent-decoded (docs/with%20space.txt, docs/caf%C3%A9.txt)',
      async run(ctx) {
        fileCrashes(ctx);
        for (const file of FILES.slice(6)) await expectFile(ctx, file);
      },
    },
    {
      id: 'head',
      title: 'HEAD /files/page.html gets the same status and headers as GET, and no body',
      async run(ctx) {
        fileCrashes(ctx);
        const file = FILES[1];
        const get = await ctx.http.request('GET', file.target);
        const res = await ctx.http.request('HEAD', file.target);
        ctx.expect(res).status(200).contentType(file.type).header('Content-Length', String(file.content.length));
        if (res.headers['content-type'] !== get.headers['content-type']) {
          ctx.fail('wrong-header', `We sent GET and HEAD ${file.target}; GET had Content-Type ${JSON.stringify(get.headers['content-type'])}, HEAD had ${JSON.stringify(res.headers['content-type'])}: HEAD must get the same headers.`, await responseLine(ctx, 'HEAD', file.target, { fn: ['writeHead', 'setHeader'] }));
        }
      },
    },
    {
      id: 'missing-file-404',
      title: 'a missing file gets 404 {"error":"Not found"} and the server stays up',
      async run(ctx) {
        fileCrashes(ctx, '(a file that does not exist)');
        for (const target of ['/files/nope.txt', '/files/docs/nope.txt', '/files/no-such-folder/nope.txt']) {
          const res = await ctx.http.request('GET', target);
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
        ctx.note('the server must still serve files after those 404s');
        await expectFile(ctx, FILES[0]);
      },
    },
    {
      id: 'directory-404',
      title: 'a folder (/files/docs, /files/docs/, /files/) gets 404 {"error":"Not found"}',
      async run(ctx) {
        fileCrashes(ctx, '(a folder, not a file)');
        for (const target of ['/files/docs', '/files/docs/', '/files/']) {
          const res = await ctx.http.request('GET', target);
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
    {
      id: 'broken-escape-404',
      title: `a broken escape (${BROKEN_ESCAPE}) gets 404, or another refusal, and the server stays up`,
      async run(ctx) {
        // It names a missing file (the contract's 404, server up): "%E0%A4%A" decodes to nothing,
        // and undecoded no such file is there. Any 4xx or 5xx refusal is accepted; the point is a
        // server that neither crashes (decodeURIComponent throws), hangs nor answers twice.
        const uncaughtBefore = ctx.server.eventsOf('uncaught').length;
        const explained = (error: unknown) => explainCrash(ctx, uncaughtBefore, error).then(() => Promise.reject(error));
        const res = await ctx.http.request('GET', BROKEN_ESCAPE).catch(explained);
        if (res.status < 400) {
          ctx.fail('wrong-status', `We sent GET ${BROKEN_ESCAPE}, whose escape is broken ("%A" has one hex digit); expected 404 {"error":"Not found"}: no file has that name. Got status ${res.status} with ${ctx.format.body(res)}.`, ctx.server.callLine(await ctx.server.recordOf(res), { status: res.status }));
        }
        ctx.note('the server must still answer after it');
        fileCrashes(ctx, '(a file that does not exist)');
        const next = await ctx.http.request('GET', '/files/nope.txt').catch(explained);
        // An error thrown after the answer went out (a second answer) ends the process a moment later.
        const late = await explainCrash(ctx, uncaughtBefore);
        if (late) ctx.fail('crash', `We sent GET ${BROKEN_ESCAPE}; your server answered, then crashed with ${ctx.format.error(late)}.`, late.at);
        ctx.expect(next).status(404);
      },
    },
    {
      id: 'no-path-traversal',
      title: 'paths that leave the root (..%2f, %2e%2e%2f, a sibling "site-secret" folder, doubled slashes, absolute paths) get 403 or 404',
      async run(ctx) {
        fileCrashes(ctx);
        const { parent } = ctx.data as Data;
        const secretPath = join(parent, 'secret.txt');
        const fromSlash = secretPath.split(sep).filter(Boolean).map(encodeURIComponent).join('%2f');
        const attempts: Array<{ target: string; sibling?: boolean }> = [
          { target: '/files/..%2fsecret.txt' },
          { target: '/files/%2e%2e%2fsecret.txt' },
          { target: '/files/docs%2f..%2f..%2fsecret.txt' },
          { target: `/files/${'..%2f'.repeat(24)}${fromSlash}` },
          { target: `/files/..%2f${ROOT_NAME}-secret%2fsecret.txt`, sibling: true },
          { target: `/files/%2e%2e%2f${ROOT_NAME}-secret%2fsecret.txt`, sibling: true },
          { target: '/files/../secret.txt' },
          { target: '/files/docs/../../secret.txt' },
          { target: `/files/%2f${fromSlash}` },
          { target: `/files/${secretPath.split(sep).map(encodeURIComponent).join('/')}` },
        ];
        const leaked: string[] = [];
        let siblingOnly = true;
        for (const { target, sibling } of attempts) {
          const res = await ctx.http.request('GET', target);
          if (res.body.includes(SECRET)) {
            leaked.push(target);
            if (!sibling) siblingOnly = false;
            continue;
          }
          if (res.status !== 403 && res.status !== 404) {
            ctx.fail('wrong-status', `We sent GET ${target}, a path outside the root; expected 403 or 404, got status ${res.status} with ${ctx.format.body(res)}.`, await responseLine(ctx, 'GET', target));
          }
        }
        if (leaked.length > 0) {
          const notArgv = (at: Location) => !/process\.argv|__dirname|import\.meta/.test(ctx.source.line(at.line));
          const which = siblingOnly
            ? `: "${ROOT_NAME}-secret" starts with "${ROOT_NAME}", so a containment test like full.startsWith(root) without a separator lets the sibling folder through`
            : `: after decoding, "..%2f" is "../", and the path built from it climbs out of the root unless the resolved path is checked`;
          ctx.fail(
            'path-traversal',
            `We sent ${leaked.length === 1 ? `GET ${leaked[0]}` : `${leaked.length} requests such as GET ${leaked[0]}`}; your server answered with the contents of a secret file outside the root folder${which}.`,
            // The containment test, else the line that builds the path, else where the secret was opened.
            (siblingOnly ? ctx.source.findAll(/\.startsWith\s*\(\s*(?![\s'"`])/).find((at) => !/['"`]\/files/.test(ctx.source.line(at.line))) : null)
              ?? ctx.source.findAll(/\bpath\.(?:join|resolve|normalize)\s*\(/).find(notArgv)
              ?? ctx.source.findAll(/(?<![.\w])(?:join|resolve)\s*\([^)\n]*,/).find(notArgv)
              ?? [...ctx.server.eventsOf('file-stream'), ...ctx.server.eventsOf('read-file')].find((event) => event.path.includes('secret'))?.at ?? null,
          );
        }
      },
    },
    {
      id: 'other-methods-405',
      title: 'POST, PUT and DELETE on /files/hello.txt get 405 with Allow: GET, HEAD',
      async run(ctx) {
        fileCrashes(ctx);
        const attempts: Array<[string, string?]> = [['POST', 'uploaded'], ['PUT', 'replaced'], ['DELETE']];
        for (const [method, body] of attempts) {
          const target = '/files/hello.txt';
          const res = await ctx.http.request(method, target, body === undefined ? {} : { body });
          ctx.expect(res).status(405);
          const allow = res.headers.allow;
          const methods = new Set(allow?.split(',').map((name) => name.trim().toUpperCase()).filter(Boolean) ?? []);
          if (allow === undefined) {
            ctx.fail('missing-allow-header', `We sent ${method} ${target}; your server answered 405 without an Allow header: a 405 must say which methods the resource does accept (Allow: GET, HEAD).`, await responseLine(ctx, method, target, { fn: ['writeHead', 'statusCode'] }));
          }
          if (methods.size !== 2 || !methods.has('GET') || !methods.has('HEAD')) {
            ctx.fail('wrong-header', `We sent ${method} ${target}; expected Allow: GET, HEAD with the 405, got Allow: ${allow}.`, await responseLine(ctx, method, target, { fn: ['writeHead', 'setHeader'] }));
          }
        }
      },
    },
    {
      id: 'outside-files-404',
      title: 'paths outside /files/ (/, /hello.txt, /static/hello.txt, POST /upload) get 404 {"error":"Not found"}',
      async run(ctx) {
        fileCrashes(ctx);
        const attempts: Array<[string, string]> = [['GET', '/'], ['GET', '/hello.txt'], ['GET', '/static/hello.txt'], ['POST', '/upload']];
        for (const [method, target] of attempts) {
          const res = await ctx.http.request(method, target, method === 'POST' ? { body: 'x' } : {});
          ctx.expect(res).status(404).contentType('application/json').json(NOT_FOUND);
        }
      },
    },
    {
      id: 'large-file-streamed',
      title: 'a 128 MiB file is served whole, streamed: the server does not hold the file in memory',
      timeoutMs: BIG_TIMEOUT_MS + 5000,
      async run(ctx) {
        const { big } = ctx.data as Data;
        const target = '/files/big.bin';
        const before = ctx.server.memory();
        // The probe's evidence that the big file went through memory whole.
        const buffering = (growth: number): { text: string; at: Location | null } | null => {
          const grew = growth > 0 ? ` (its memory grew by ${mib(growth)} MiB during the download)` : '';
          const stream = 'Stream it with fs.createReadStream() and stream.pipeline().';
          const read = ctx.server.eventsOf('read-file').find((event) => samePath(event.path, big));
          if (read) return { text: `your server read the whole file into memory with readFile() before sending it${grew}: every download of a large file costs its full size in memory. ${stream}`, at: read.at };
          const sync = ctx.server.eventsOf('sync-call').find((event) => event.fn === 'fs.readFileSync' && event.arg !== undefined && samePath(event.arg, big));
          if (sync) return { text: `your server read the whole file into memory with readFileSync() before sending it${grew}: every download of a large file costs its full size in memory (and blocks the event loop while it reads). ${stream}`, at: sync.at };
          const calls = ctx.server.requests().filter((record) => record.url.startsWith(target)).flatMap((record) => record.calls);
          const whole = calls.find((call) => (call.fn === 'write' || call.fn === 'end') && (call.bytes ?? 0) >= BIG_SIZE / 2);
          if (whole) return { text: `your server passed ${mib(whole.bytes ?? 0)} MiB to a single res.${whole.fn}() call${grew}: the file was in memory whole before a byte was sent. ${stream}`, at: whole.at };
          if (growth < BUFFERED_GROWTH) return null;
          const first = calls.find((call) => call.at && !call.nested && (call.fn === 'write' || call.fn === 'end'));
          return { text: `your server's memory grew by ${mib(growth)} MiB while sending it: the file went through memory whole instead of in small chunks. ${stream}`, at: first?.at ?? ctx.source.find(/readFile\w*\s*\(/) };
        };
        // A whole GET over a raw connection that keeps only the body's size and its first and
        // last bytes: 128 MiB kept whole cost the engine an allocation and a copy of every byte.
        const connection = await rawGet(ctx, target, { head: BIG_HEAD.length, tail: 3 });
        let response;
        try {
          response = await connection.readResponse({ timeoutMs: BIG_TIMEOUT_MS, signal: ctx.signal });
        } catch (error) {
          const evidence = buffering(0);
          if (evidence) ctx.fail('buffers-whole-file', `We sent GET ${target} (128 MiB) and got no complete response; ${evidence.text}`, evidence.at);
          // The engine's "no response" diagnosis names the request it was.
          throw Object.assign(error as object, { request: { method: 'GET', target } });
        } finally {
          connection.destroy();
        }
        const after = ctx.server.memory();
        const peak = Math.max(...ctx.server.eventsOf('tick').map((tick) => tick.rss), after.peak > before.peak ? after.peak : 0);
        const growth = before.rss === null || peak === 0 ? 0 : Math.max(0, peak - before.rss);
        ctx.note(`the server's resident memory grew by ${mib(growth)} MiB during the download`);
        const evidence = buffering(growth);
        if (evidence) ctx.fail('buffers-whole-file', `We downloaded ${target} (128 MiB); ${evidence.text}`, evidence.at);

        const declared = response.headers['content-length'];
        if (response.status !== 200) {
          ctx.fail('wrong-status', `We sent GET ${target}; expected status 200, got ${response.status}.`, await responseLine(ctx, 'GET', target, { fn: ['writeHead', 'statusCode'] }));
        }
        if (declared !== String(BIG_SIZE)) {
          ctx.fail('wrong-header', `We sent GET ${target}; expected Content-Length: ${BIG_SIZE} (the file size), got ${declared === undefined ? 'no Content-Length header' : `Content-Length: ${declared}`}.`, await responseLine(ctx, 'GET', target, { fn: ['writeHead', 'setHeader'] }));
        }
        const { bytes, head, tail } = response.summary ?? { bytes: response.body.length, head: response.body.subarray(0, BIG_HEAD.length), tail: response.body.subarray(-3) };
        if (bytes !== BIG_SIZE || !head.equals(BIG_HEAD) || !tail.equals(Buffer.from('END'))) {
          ctx.fail('wrong-body', `We sent GET ${target}; expected the file's ${BIG_SIZE} bytes (starting ${JSON.stringify(BIG_HEAD.subarray(0, 20).toString())}, ending "END"), got ${bytes} bytes${bytes ? ` starting ${JSON.stringify(head.subarray(0, 20).toString('latin1'))}, ending ${JSON.stringify(tail.toString('latin1'))}` : ''}.`, await responseLine(ctx, 'GET', target, { fn: ['write', 'end'] }));
        }
      },
    },
    {
      id: 'abort-closes-file',
      title: `a client that disconnects mid-download leaves no file open (${ABORTS} downloads of the 128 MiB file, each aborted after 1 MiB)`,
      needs: ['large-file-streamed'],
      timeoutMs: 15_000,
      async run(ctx) {
        const { big, bigReal } = ctx.data as Data;
        const target = '/files/big.bin';
        const fds = () => ctx.server.openFiles()?.filter((path) => path === bigReal || path === big).length ?? null;
        // File streams of big.bin opened and not yet closed (the probe's count), where /proc is not there to ask.
        const openStreams = () => {
          const closed = new Set(ctx.server.eventsOf('file-stream-close').map((event) => event.sid));
          return ctx.server.eventsOf('file-stream').filter((event) => samePath(event.path, big) && !closed.has(event.sid)).length;
        };
        const [baseline, streamsBefore] = [fds(), openStreams()];
        ctx.note(`${ABORTS} downloads at once, each connection closed by us after ${ABORT_AFTER_BYTES / MIB} MiB`);
        await Promise.all(Array.from({ length: ABORTS }, async () => {
          const connection = await rawGet(ctx, target);
          const began = performance.now();
          while (connection.receivedBytes < ABORT_AFTER_BYTES && !connection.closed && performance.now() - began < 3000 && !ctx.signal.aborted) await ctx.sleep(5);
          connection.destroy();
        }));
        // Descriptors are closed asynchronously after the stream is destroyed: poll. Meanwhile a
        // server that died of the aborts (an unhandled rejection of stream/promises' pipeline)
        // has 100 ms to show it: it holds no descriptors, and the engine reports the crash itself.
        const began = performance.now();
        const [exited, leaked] = await Promise.all([ctx.program.waitForExit(100), (async () => {
          for (;;) {
            const now = fds();
            const left = now === null || baseline === null ? openStreams() - streamsBefore : now - baseline;
            if (left <= 0 || ctx.server.crash() || performance.now() - began > CLOSE_WAIT_MS) return left;
            await ctx.sleep(50);
          }
        })()]);
        if (exited || ctx.server.crash() || leaked <= 0) return;
        const plainPipe = ctx.server.eventsOf('pipe').find((event) => event.path !== undefined && samePath(event.path, big) && !event.viaPipeline);
        const stream = ctx.server.eventsOf('file-stream').find((event) => samePath(event.path, big));
        const why = plainPipe
          ? `.pipe() stops sending when the client goes away, but it never destroys the file stream, so each aborted download keeps its file open. stream.pipeline() destroys both streams; with .pipe(), destroy the file stream on res 'close'.`
          : `the file streams of the aborted downloads were never destroyed. stream.pipeline() destroys both streams when the client goes away.`;
        ctx.fail(
          'fd-leak-on-abort',
          `We started ${ABORTS} downloads of ${target} (128 MiB) and closed each connection after about 1 MiB; ${((performance.now() - began) / 1000).toFixed(1)} s later your server still held ${leaked} open file descriptor${leaked === 1 ? '' : 's'} on big.bin: ${why}`,
          plainPipe?.at ?? ctx.source.find(/\.pipe\s*\(/) ?? stream?.at ?? null,
        );
      },
    },
  ],
} satisfies LessonChecks;

/** GET a file and compare status, Content-Type, Content-Length and the bytes. */
async function expectFile(ctx: CheckContext, file: FileSpec): Promise<void> {
  const res = await ctx.http.request('GET', file.target);
  ctx.expect(res).status(200).contentType(file.type);
  if (file.charset) await expectUtf8(ctx, res, 'wrong-content-type', 'the file');
  ctx.expect(res).header('Content-Length', String(file.content.length));
  if (!res.body.equals(file.content)) {
    ctx.fail('wrong-body', `We sent GET ${file.target}; expected the file's ${file.content.length} bytes ${JSON.stringify(file.content.toString('latin1'))}, got ${res.body.length} bytes ${JSON.stringify(res.body.subarray(0, 80).toString('latin1'))}.`, await responseLine(ctx, 'GET', file.target, { fn: ['write', 'end'] }));
  }
}

/**
 * A crash of a file error (ENOENT, EISDIR, ENOTDIR: an unhandled stream 'error'
 * event, or any unhandled error about the file) on this check's requests is
 * stream-error-crash, pointed at where the stream was made.
 */
function fileCrashes(ctx: CheckContext, sent?: string): void {
  ctx.evidence({
    ...(sent ? { sent } : {}),
    crash: {
      pitfall: 'stream-error-crash',
      because: "an error about the file went unhandled (a file stream's 'error' event with no listener is thrown), so the process exited, taking every other download with it",
      when: (error) => ['ENOENT', 'EISDIR', 'ENOTDIR'].includes(error.code ?? ''),
    },
    location: () => {
      const streams = ctx.server.eventsOf('file-stream');
      const message = ctx.server.crash()?.error?.message ?? '';
      return (streams.find((event) => message.includes(event.path)) ?? streams[streams.length - 1])?.at ?? ctx.source.find(/createReadStream\s*\(/);
    },
  });
}

/**
 * After a request of broken-escape-404 failed (or once both are answered): the
 * uncaught error that ended the program, if it ended, with why it happened added to
 * the engine's crash diagnosis. A program whose own 'uncaughtException' handler kept
 * it up is still serving (the probe's monitor sees the error all the same); a
 * request that timed out is the engine's to diagnose.
 */
async function explainCrash(ctx: CheckContext, uncaughtBefore: number, error?: unknown): Promise<EventOf<'uncaught'> | null> {
  if ((error as { reason?: string } | undefined)?.reason === 'timeout') return null;
  if (error === undefined && ctx.server.eventsOf('uncaught').length <= uncaughtBefore) return null;
  const exited = await ctx.program.waitForExit(error === undefined ? 1500 : 1000);
  const thrown = ctx.server.eventsOf('uncaught')[uncaughtBefore];
  if (!exited || !thrown) return null;
  const because = BROKEN_ESCAPE_CRASHES.find(([code]) => thrown.code === code || thrown.name === code)?.[1];
  if (because) ctx.evidence({ detail: because });
  return thrown;
}

/**
 * A GET written on a raw connection of its own (a 128 MiB body is read as bytes, never
 * decoded); with `summary`, only the body's size and first/last bytes are kept (response.summary).
 */
async function rawGet(ctx: CheckContext, target: string, summary?: { head: number; tail: number }) {
  const connection = await ctx.http.connect();
  // Before the request is written: the summary applies from the next response head on.
  if (summary) connection.summarizeBodies(summary);
  connection.methods.push('GET');
  await connection.write(`GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${ctx.server.port}\r\n\r\n`);
  return connection;
}

/** Paths as the program named them (relative or absolute) compared with ours. */
function samePath(seen: string, path: string): boolean {
  return seen === path || path.endsWith(sep + seen.replace(/^\.\//, '')) || seen.endsWith(path);
}

const mib = (bytes: number) => (bytes / MIB).toFixed(0);
