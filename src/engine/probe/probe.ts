// The probe runs INSIDE the learner's process, preloaded with `node --import`.
// It imports nothing of httpdojo (it runs in someone else's program: Node
// built-ins and the files of this folder only) and never changes what the
// program does, except that every TCP listen() binds a free loopback port (and
// the program's own connections to the port it asked for follow;
// test/engine/probe-differential.test.ts holds it to that). It reports what it
// sees as JSON lines on the file descriptor named by HTTPDOJO_PROBE_FD, a pipe
// the learner's own output cannot reach.
//
// Events are the probe's whole vocabulary; src/engine/probe-events.ts mirrors
// their shapes for the engine (this folder cannot import it).
//
// This file is the entry and install() a flat table of patches, one file per job:
//   channel.ts         the event emitter to httpdojo
//   stack.ts           the learner's line in a stack (the probe's own frames skipped)
//   exit.ts            uncaught errors, exit, where process.exit() was called
//   listen.ts          listen() rebinding to a loopback port (bind-address.ts: the address it would have had)
//   settle.ts          after a listen, when nothing of the start-up is left to run ('settled')
//   own-port.ts        the program's connections to its own port follow the rebinding
//   requests.ts        server requests: ids, lifecycle, body bytes received
//   http2.ts           HTTP/2 servers: streams as requests, both APIs' calls (http2-calls.ts), found at listen()
//   response-calls.ts  writeHead/setHeader/write/end... in order, with the learner's line
//   client-requests.ts outgoing requests and fetch (diagnostics channels)
//   sync-calls.ts      blocking *Sync calls
//   files.ts           readFile, file streams, pipes into a response
//   swallowed.ts       errors the program swallows (JSON.parse, pipeline, fs callbacks)
//   shape.ts           wrappers keep the name and length of what they replace
//   busy-watcher.ts    which line spins while the event loop is blocked (a worker thread)
//   heartbeat.ts       event-loop lag, memory, resources
// The order of the table matters where two parts wrap one function: fs.readFile
// is wrapped by files.ts first, then by swallowed.ts around it.

import { syncBuiltinESMExports } from 'node:module';
import { watchBusyLoops } from './busy-watcher.js';
import { openChannel } from './channel.js';
import { recordClientRequests } from './client-requests.js';
import { createProbe } from './context.js';
import { recordCrashesAndExit } from './exit.js';
import { recordFiles } from './files.js';
import { recordHttp2Servers } from './http2.js';
import { recordHttpsRequests } from './https.js';
import { startHeartbeat } from './heartbeat.js';
import { rebindListens } from './listen.js';
import { recordRequests } from './requests.js';
import { recordResponseCalls } from './response-calls.js';
import { keepShapes, originalsBeforePatching } from './shape.js';
import { recordSwallowedErrors } from './swallowed.js';
import { recordSyncCalls } from './sync-calls.js';

const channelFd = Number(process.env.HTTPDOJO_PROBE_FD);
// Children the learner spawns inherit the environment; only this process owns the
// channel, so the variable goes before any learner code runs.
delete process.env.HTTPDOJO_PROBE_FD;

if (Number.isInteger(channelFd) && channelFd > 2) install(channelFd);

function install(fd: number): void {
  const started = performance.now();
  const originals = originalsBeforePatching();
  const probe = createProbe(openChannel(fd, started));
  probe.emit({ t: 'hello', pid: process.pid, node: process.version, argv: process.argv.slice(1) });

  recordCrashesAndExit(probe);
  rebindListens(probe);
  recordRequests(probe);
  recordHttpsRequests();
  recordHttp2Servers(probe);
  recordResponseCalls(probe);
  recordClientRequests(probe);
  recordSyncCalls(probe);
  recordFiles(probe);
  recordSwallowedErrors(probe);

  keepShapes(originals);
  // ESM named imports (`import { readFileSync } from 'node:fs'`) see the patches only after this.
  // https://nodejs.org/docs/latest-v20.x/api/module.html#modulesyncbuiltinesmexports
  syncBuiltinESMExports();

  watchBusyLoops(fd, started);
  startHeartbeat(probe.emit);
}
