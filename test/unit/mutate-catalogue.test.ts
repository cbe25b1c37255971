// The mutation catalogue (src/engine/mutate/), one row per entry: a snippet in,
// every mutant that entry makes of it out, as text. An entry without a row fails
// the completeness test, so a new mistake comes with its example.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATALOGUE, generateMutants } from '../../src/engine/mutate/generate.ts';

const ROWS: Array<[entry: string, input: string, mutants: string[]]> = [
  ['drop-end',
    "res.writeHead(200);\nres.end(body);\nreq.end();\n",
    ["res.writeHead(200);\nres.write(body);\nreq.end();\n", "res.writeHead(200);\nres.end(body);\n"]],
  ['drop-answer-in-branch',
    "if (ok) {\n  send(res, 200);\n} else return send(res, 404);\nsend(res, 500);\n",
    ["if (ok) {\n} else return send(res, 404);\nsend(res, 500);\n", "if (ok) {\n  send(res, 200);\n} else return;\nsend(res, 500);\n"]],
  ['header-after-write',
    "function f(res) {\n  res.setHeader('X-A', '1');\n  res.write('a');\n  res.end();\n}\n",
    ["function f(res) {\n  res.write('a');\n  res.setHeader('X-A', '1');\n  res.end();\n}\n"]],
  ['drop-allow-header',
    "res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET' });\nres.setHeader('Allow', 'GET');\n",
    ["res.writeHead(405, { 'Content-Type': 'text/plain' });\nres.setHeader('Allow', 'GET');\n", "res.writeHead(405, { 'Content-Type': 'text/plain', Allow: 'GET' });\n"]],
  ['drop-content-type',
    "http.createServer((req, res) => {\n  res.writeHead(200, {\n    'Content-Type': 'application/json',\n    'X-A': '1',\n  });\n});\n",
    ["http.createServer((req, res) => {\n  res.writeHead(200, {\n    'X-A': '1',\n  });\n});\n"]],
  ['byte-length-to-length',
    "const n = Buffer.byteLength(body);\nconst m = Buffer.byteLength(a + b);\n",
    ["const n = body.length;\nconst m = Buffer.byteLength(a + b);\n", "const n = Buffer.byteLength(body);\nconst m = (a + b).length;\n"]],
  ['drop-return-after-answer',
    "function h(req, res) {\n  if (bad) {\n    send(res, 400);\n    return;\n  }\n  if (!user) return send(res, 404);\n  send(res, 200);\n}\n",
    ["function h(req, res) {\n  if (bad) {\n    send(res, 400);\n  }\n  if (!user) return send(res, 404);\n  send(res, 200);\n}\n",
      "function h(req, res) {\n  if (bad) {\n    send(res, 400);\n    return;\n  }\n  if (!user) send(res, 404);\n  send(res, 200);\n}\n"]],
  ['drop-listen',
    "const server = http.createServer(handle);\nserver.listen(3000, () => {\n  console.log('up');\n});\n",
    ["const server = http.createServer(handle);\n"]],
  ['wrong-status-code',
    "res.writeHead(201, {});\nsendJson(res, 405, { error: 'x' });\nsendJson(res, 200, {});\n",
    ["res.writeHead(200, {});\nsendJson(res, 405, { error: 'x' });\nsendJson(res, 200, {});\n", "res.writeHead(201, {});\nsendJson(res, 404, { error: 'x' });\nsendJson(res, 200, {});\n"]],
  ['count-characters',
    "req.on('data', (chunk) => {\n  size += chunk.length;\n  other += x.length;\n});\n",
    ["req.on('data', (chunk) => {\n  size += chunk.toString().length;\n  other += x.length;\n});\n"]],
  ['decode-each-chunk',
    "req.on('end', () => {\n  const text = Buffer.concat(chunks).toString('utf8');\n});\n",
    ["req.on('end', () => {\n  const text = chunks.map((part) => part.toString('utf8')).join('');\n});\n"]],
  ['respond-before-end',
    "req.on('data', (c) => chunks.push(c));\nreq.on('end', () => {\n  sendJson(res, 201, parse(chunks));\n});\nreq.on('end', () => clearTimeout(timer));\n",
    ["req.on('data', (c) => chunks.push(c));\n(() => {\n  sendJson(res, 201, parse(chunks));\n})();\nreq.on('end', () => clearTimeout(timer));\n"]],
  ['drop-body-limit',
    "req.on('data', (chunk) => {\n  size += chunk.length;\n  if (size > MAX_BYTES) {\n    refuse();\n    return;\n  }\n  chunks.push(chunk);\n});\n",
    ["req.on('data', (chunk) => {\n  size += chunk.length;\n  chunks.push(chunk);\n});\n"]],
  ['limit-after-end',
    "req.on('data', (chunk) => {\n  size += chunk.length;\n  if (size > limit) return refuse();\n  chunks.push(chunk);\n});\nreq.on('end', () => {\n  done();\n});\n",
    ["req.on('data', (chunk) => {\n  size += chunk.length;\n  chunks.push(chunk);\n});\nreq.on('end', () => {\n  if (size > limit) return refuse();\n  done();\n});\n"]],
  ['pipeline-to-pipe',
    "pipeline(fs.createReadStream(file), res, (err) => {});\npipeline(upstreamRes, res, () => {});\n",
    ["fs.createReadStream(file).pipe(res);\npipeline(upstreamRes, res, () => {});\n", "pipeline(fs.createReadStream(file), res, (err) => {});\nupstreamRes.pipe(res);\n"]],
  ['buffer-whole',
    "pipeline(fs.createReadStream(file), res, () => {});\nreq.pipe(upstreamReq);\n",
    ["res.end(fs.readFileSync(file));\nreq.pipe(upstreamReq);\n",
      "pipeline(fs.createReadStream(file), res, () => {});\n{ const parts = []; req.on('data', (part) => parts.push(part)); req.on('end', () => upstreamReq.end(Buffer.concat(parts))); }\n"]],
  ['drop-error-listener',
    "const req = http.get(url, onResponse);\nreq.on('error', (err) => {\n  console.error(err.message);\n});\nupstreamReq.on('error', fail);\n",
    ["const req = http.get(url, onResponse);\nupstreamReq.on('error', fail);\n", "const req = http.get(url, onResponse);\nreq.on('error', (err) => {\n  console.error(err.message);\n});\n"]],
  ['unwrap-try',
    "let data;\ntry {\n  data = JSON.parse(text);\n} catch {\n  return bad();\n}\n",
    ["let data;\n{\n  data = JSON.parse(text);\n}\n"]],
  ['drop-resume',
    "if (status !== 200) {\n  res.resume();\n  return;\n}\nfunction drain(req) {\n  req.on('data', count);\n  req.resume();\n}\n",
    ["if (status !== 200) {\n  return;\n}\nfunction drain(req) {\n  req.on('data', count);\n  req.resume();\n}\n"]],
  ['drop-clear-timer',
    "res.on('close', () => clearInterval(timer));\nif (n === 0) {\n  clearTimeout(t);\n}\n",
    ["res.on('close', () => {});\nif (n === 0) {\n  clearTimeout(t);\n}\n", "res.on('close', () => clearInterval(timer));\nif (n === 0) {\n}\n"]],
  ['drop-close',
    "process.on('SIGTERM', () => {\n  server.close();\n  server.closeIdleConnections();\n  socket.destroy();\n});\n",
    ["process.on('SIGTERM', () => {\n  server.closeIdleConnections();\n  socket.destroy();\n});\n", "process.on('SIGTERM', () => {\n  server.close();\n  socket.destroy();\n});\n"]],
  ['close-to-exit',
    "process.on('SIGTERM', () => {\n  server.close(() => console.log('bye'));\n});\n",
    ["process.on('SIGTERM', () => {\n  process.exit(0);\n});\n"]],
  ['drop-option',
    "const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });\nres.writeHead(200, { keepAlive: 'x' });\n",
    ["const agent = new http.Agent({ maxSockets: 4 });\nres.writeHead(200, { keepAlive: 'x' });\n", "const agent = new http.Agent({ keepAlive: true });\nres.writeHead(200, { keepAlive: 'x' });\n"]],
  ['hang-up-at-once',
    "const timer = setTimeout(hangUp, 2000);\nsetTimeout(() => answer(), 10);\n",
    ["const timer = hangUp();\nsetTimeout(() => answer(), 10);\n"]],
  ['drop-unref',
    "setTimeout(() => process.exit(1), 3000).unref();\n",
    ["setTimeout(() => process.exit(1), 3000);\n"]],
  ['drop-status-check',
    "if (status < 200 || status > 299) {\n  fail();\n  return;\n}\nprint();\n",
    ["print();\n"]],
  ['host-url-base',
    "const url = new URL(req.url ?? '/', 'http://localhost');\n",
    ["const url = new URL(req.url ?? '/', `http://${req.headers.host}`);\n"]],
  ['route-on-raw-url',
    "function h(req) {\n  const { pathname } = new URL(req.url ?? '/', BASE);\n}\nfunction g(req) {\n  const url = new URL(req.url, BASE);\n  if (url.pathname === '/a') a(url.searchParams);\n}\n",
    ["function h(req) {\n  const pathname = (req.url ?? '/');\n}\nfunction g(req) {\n  const url = new URL(req.url, BASE);\n  if (url.pathname === '/a') a(url.searchParams);\n}\n",
      "function h(req) {\n  const { pathname } = new URL(req.url ?? '/', BASE);\n}\nfunction g(req) {\n  const url = new URL(req.url, BASE);\n  if (req.url === '/a') a(url.searchParams);\n}\n"]],
  ['blocking-call',
    "crypto.pbkdf2(pw, 'salt', 1000, 32, 'sha256', (err, key) => done(key));\n",
    ["((err, key) => done(key))(null, crypto.pbkdf2Sync(pw, 'salt', 1000, 32, 'sha256'));\n"]],
  ['drop-promise-catch',
    "if (result instanceof Promise) result.catch((error) => finish(error));\n",
    ["if (result instanceof Promise) result;\n"]],
  ['drop-guard',
    "if (file === 'outside') {\n  send(res, 403);\n  return;\n}\nif (x) {\n  log();\n  return;\n}\n",
    ["if (x) {\n  log();\n  return;\n}\n"]],
];

describe('the mutation catalogue', () => {
  it('has a row for every entry, and every entry a pitfall page', () => {
    expect(ROWS.map(([name]) => name).sort()).toEqual(CATALOGUE.map((entry) => entry.name).sort());
    for (const entry of CATALOGUE) {
      for (const pitfall of entry.pitfalls) expect(existsSync(join('lessons', 'pitfalls', `${pitfall}.md`)), `${entry.name}: ${pitfall}`).toBe(true);
    }
  });

  it.each(ROWS)('%s', (name, input, expected) => {
    const entry = CATALOGUE.find((candidate) => candidate.name === name)!;
    const mutants = generateMutants('snippet.ts', input, [entry]);
    expect(mutants.map((mutant) => mutant.text)).toEqual(expected);
    expect(mutants.every((mutant) => mutant.id.startsWith(`${name}#`) && entry.pitfalls.includes(mutant.pitfall))).toBe(true);
  });
});
