// The value exports of the toolkit for server lessons 09, 14 and 15 (check-api.ts
// re-exports this file whole): a request whose handler fails on purpose and the
// crash it may cause (crashes.ts); a blocked event loop (event-loop.ts); slowloris
// clients (slow-clients.ts); a SIGTERM during a request observed, and what holds a
// process alive (shutdown.ts, timers.ts).

export { callerOf, type CrashMeaning, failIfCrashed, learnerFrames, survivesFailure } from './crashes.js';
export { answerLine, type BlockBounds, blockingEvidence, judgeBlocked, settle, syncBlocked, type Timed, timedGet } from './event-loop.js';
export { type SlowClient, slowHeaderClient, type SlowKind } from './slow-clients.js';
export { hangLine, holdersText, type Holders, lossText, type Shutdown, signalExitText, sigtermDuring, whatHolds } from './shutdown.js';
export { heldTimer, matchingParen } from './timers.js';
