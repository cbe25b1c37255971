// Which line spins while the event loop is blocked (issue 8 §4; additive).
//
// A handler stuck in a loop stops every timer, so nothing in this thread can
// look. A worker thread watches a heartbeat in shared memory; when it goes
// stale for BLOCKED_SAMPLE_MS it opens an inspector session to the main
// thread (https://nodejs.org/docs/latest-v20.x/api/inspector.html#sessionconnecttomainthread),
// pauses it once, reads its call frames, resumes at once and disables the
// debugger: the program loses a few milliseconds of a loop that was already
// blocking. Frames are of the transpiled code (tsx's, or the fast start's
// file in a temp folder: src/engine/fast-start.ts); they are mapped to the
// learner's file and lines with the script's inline source map (module.SourceMap).
// Started at the first request (lesson 09's handlers; a start-up loop is
// never-listens), unref'd, with no probe and no loader of its own.

import * as diagnosticsChannel from 'node:diagnostics_channel';
import { Worker } from 'node:worker_threads';
import { PROBE_DIRS } from './stack.js';

const BLOCKED_SAMPLE_MS = 300;

export function watchBusyLoops(fd: number, started: number): void {
  let busyWatcherStarted = false;
  diagnosticsChannel.subscribe('http.server.request.start', () => {
    if (busyWatcherStarted) return;
    busyWatcherStarted = true;
    try {
      startBusyWatcher(fd, Date.now() - (performance.now() - started), PROBE_DIRS);
    } catch {
      // No worker threads or no inspector in this Node: the location falls back to the source.
    }
  });
}

function startBusyWatcher(fd: number, probeEpoch: number, probeDirs: string[]): void {
  const heartbeat = new Int32Array(new SharedArrayBuffer(4));
  const beat = () => Atomics.store(heartbeat, 0, Date.now() - probeEpoch);
  beat();
  setInterval(beat, 50).unref();
  const worker = new Worker(BUSY_WATCHER_SOURCE, {
    eval: true,
    // Not the parent's --import flags: no tsx, no second probe in the worker.
    execArgv: [],
    env: {},
    stdout: true,
    stderr: true,
    workerData: { fd, probeEpoch, heartbeat, probeDirs, sampleMs: BLOCKED_SAMPLE_MS },
    resourceLimits: { maxOldGenerationSizeMb: 32 },
  });
  worker.on('error', () => {});
  worker.unref();
}

// Plain JavaScript, run by the worker as is.
const BUSY_WATCHER_SOURCE = [
  "const { workerData } = require('node:worker_threads');",
  "const inspector = require('node:inspector');",
  "const { SourceMap } = require('node:module');",
  "const { writeSync } = require('node:fs');",
  "const { fileURLToPath } = require('node:url');",
  'const { fd, probeEpoch, heartbeat, probeDirs, sampleMs } = workerData;',
  'let sampling = false;',
  'let sampledThisBlock = false;',
  'function fileOf(url) {',
  "  const plain = String(url || '').split('?')[0];",
  "  if (plain.startsWith('file:')) { try { return fileURLToPath(plain); } catch { return null; } }",
  "  return plain.startsWith('/') ? plain : null;",
  '}',
  'function learner(file) {',
  "  return Boolean(file) && !file.includes('/node_modules/') && !probeDirs.some((dir) => file.startsWith(dir));",
  '}',
  'function sample(blockedMs) {',
  '  sampling = true;',
  '  const session = new inspector.Session();',
  '  const scripts = new Map();',
  '  let done = false;',
  '  const finish = () => {',
  '    if (done) return;',
  '    done = true;',
  "    try { session.post('Debugger.disable', () => { try { session.disconnect(); } catch {} sampling = false; }); } catch { sampling = false; }",
  '  };',
  "  session.on('Debugger.scriptParsed', (message) => {",
  '    const file = fileOf(message.params.url);',
  '    if (learner(file)) scripts.set(message.params.scriptId, { file, sourceMapURL: message.params.sourceMapURL || null, map: undefined });',
  '  });',
  "  session.on('Debugger.paused', (message) => {",
  '    const frames = message.params.callFrames;',
  "    session.post('Debugger.resume', finish);",
  '    const found = [];',
  '    for (const frame of frames) {',
  '      const script = scripts.get(frame.location.scriptId);',
  '      if (!script || found.length >= 3) continue;',
  '      let file = script.file;',
  '      let line = frame.location.lineNumber + 1;',
  '      let column = (frame.location.columnNumber || 0) + 1;',
  "      if (script.map === undefined && script.sourceMapURL && script.sourceMapURL.startsWith('data:')) {",
  "        try { script.map = new SourceMap(JSON.parse(Buffer.from(script.sourceMapURL.slice(script.sourceMapURL.indexOf(',') + 1), 'base64').toString('utf8'))); } catch { script.map = null; }",
  '      }',
  '      if (script.map) {',
  '        const entry = script.map.findEntry(frame.location.lineNumber, frame.location.columnNumber || 0);',
  "        if (entry && typeof entry.originalLine === 'number') { file = fileOf(entry.originalSource) || file; line = entry.originalLine + 1; column = entry.originalColumn + 1; }",
  '      }',
  '      found.push({ file, line, column });',
  '    }',
  '    if (found.length === 0) return;',
  "    const event = JSON.stringify({ t: 'blocked-at', blockedMs, at: found[0], frames: found, ms: Date.now() - probeEpoch }) + '\\n';",
  '    try { writeSync(fd, event); } catch {}',
  '  });',
  '  try {',
  '    session.connectToMainThread();',
  "    session.post('Debugger.enable', () => session.post('Debugger.pause'));",
  '  } catch { finish(); }',
  '  setTimeout(finish, 2000).unref();',
  '}',
  'setInterval(() => {',
  '  const blockedMs = Date.now() - probeEpoch - Atomics.load(heartbeat, 0);',
  '  if (blockedMs < sampleMs) { sampledThisBlock = false; return; }',
  '  if (sampling || sampledThisBlock) return;',
  '  sampledThisBlock = true;',
  '  sample(blockedMs);',
  '}, 100);',
].join('\n');
