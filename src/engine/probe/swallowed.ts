// ---- swallowed errors (issue 8 §4; additive) -------------------------------
// An empty catch around JSON.parse (the body left null), or a callback that
// ignores its `err`, turns the real error into a later TypeError on null or
// undefined that names neither. The evidence is recorded where it happens; the
// program gets the very same error object (its stack without this wrapper's
// frame, and with as many frames as before) and the same callback arguments.
// src/engine/crash-cause.ts reads these events.

import fs from 'node:fs';
import stream from 'node:stream';
import type { Probe } from './context.js';
import { here, withoutProbeFrames } from './stack.js';

export function recordSwallowedErrors(probe: Probe): void {
  recordJsonParse(probe);
  // pipeline(): an aborted upload or a missing file rejects it (or errors it) with an
  // error whose stack has no learner frame; the call's line is recorded instead.
  wrapPipeline(probe, stream.promises as unknown as Record<string, unknown>, 'pipeline');
  wrapPipeline(probe, stream as unknown as Record<string, unknown>, 'pipeline');
  recordFsCallbackErrors(probe);
}

function recordJsonParse({ emit, currentRequest }: Probe): void {
  const originalJsonParse = JSON.parse;
  JSON.parse = function parse(this: unknown, text: string, reviver?: (this: unknown, key: string, value: unknown) => unknown) {
    const limit = Error.stackTraceLimit;
    if (typeof limit === 'number') Error.stackTraceLimit = limit + 1;
    try {
      // eslint-disable-next-line prefer-rest-params
      return (originalJsonParse as (...a: unknown[]) => unknown).apply(JSON, arguments as unknown as unknown[]);
    } catch (error) {
      Error.stackTraceLimit = limit;
      withoutProbeFrames(error);
      if (error instanceof SyntaxError) {
        const at = here();
        if (at) emit({ t: 'swallowed', kind: 'json-parse', message: error.message.slice(0, 200), inRequest: currentRequest.getStore() ?? null, at });
      }
      throw error;
    } finally {
      Error.stackTraceLimit = limit;
    }
  } as typeof JSON.parse;
}

/** The wrapper keeps the original's name, length and util.promisify.custom. */
function wrapPipeline({ emit, currentRequest }: Probe, owner: Record<string, unknown>, key: string): void {
  const original = owner[key];
  if (typeof original !== 'function') return;
  const wrapped = function pipeline(this: unknown, ...args: unknown[]) {
    const at = here();
    if (at) emit({ t: 'stream-pipeline', inRequest: currentRequest.getStore() ?? null, at });
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  };
  for (const property of Reflect.ownKeys(original)) {
    if (property === 'prototype') continue;
    const descriptor = Object.getOwnPropertyDescriptor(original, property);
    if (descriptor) Object.defineProperty(wrapped, property, descriptor);
  }
  owner[key] = wrapped;
}

/** fs callbacks: `(err, data) => res.end(data)` on a missing file goes on with data undefined. */
function recordFsCallbackErrors({ emit, currentRequest }: Probe): void {
  // fs.readFile is wrapped a second time here, around files.ts's wrapper.
  for (const name of ['readFile', 'stat', 'lstat', 'open'] as const) {
    const before = (fs as unknown as Record<string, (...a: unknown[]) => unknown>)[name];
    if (typeof before !== 'function') continue;
    (fs as unknown as Record<string, unknown>)[name] = function patchedFsCallback(this: unknown, ...args: unknown[]) {
      const callback = args[args.length - 1];
      if (typeof callback === 'function') {
        const at = here();
        const inRequest = currentRequest.getStore() ?? null;
        args[args.length - 1] = function (this: unknown, ...results: unknown[]) {
          const err = results[0] as NodeJS.ErrnoException | null;
          if (err && at) emit({ t: 'swallowed', kind: 'fs-callback', fn: `fs.${name}`, code: typeof err.code === 'string' ? err.code : undefined, message: String(err.message).slice(0, 200), inRequest, at });
          return (callback as (...a: unknown[]) => unknown).apply(this, results);
        };
      }
      return before.apply(this, args);
    };
  }
}
