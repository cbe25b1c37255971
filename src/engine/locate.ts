// From "a line the probe saw" to "the line a mentor would point at". The probe
// reports where a response method was called; that is often one step away from
// the learner's fault:
// - a multi-line call or object literal is reported at its first line, while the
//   wrong header is a property two lines further down;
// - a helper (send(), tagReport()) is reported inside itself, while the fault is
//   the call site that passed the wrong value or called it too late;
// - a handler that never answers has no call to report at all, while the fault is
//   the `if` without an `else` that let the request fall through.
// The TypeScript parser (loaded lazily, only when one of these shapes is seen)
// reads the learner's file; nothing here runs the learner's code.

import type * as TS from 'typescript';
import { loadTypeScript } from './lazy-typescript.js';
import type { Location, ProbeEvent } from './probe-events.js';

/** The header or option each pitfall is about: its key in an object literal (headers, agent options). */
const HEADER_OF: Record<string, string> = {
  'wrong-content-type': 'content-type',
  'missing-content-type': 'content-type',
  'content-length-string-length': 'content-length',
  'no-keepalive': 'keepalive',
  'unbounded-concurrency': 'maxsockets',
};

/** The argument of a call each pitfall is about, by what its text mentions. */
const ARGUMENT_OF: Record<string, RegExp> = {
  'host-header-url-base': /\bhost\b/i,
  // createServer(\n  { headersTimeout, ... },\n  handle): the options object is where the missing limit goes.
  'slowloris-unbounded': /Timeout|connectionsCheckingInterval/,
};

/** Pitfalls about when a call was made: a helper that only makes the call is not the fault, its caller's timing is. */
const ORDER_PITFALLS = new Set(['headers-after-body', 'write-after-end']);

export interface RefineInput {
  file: string;
  text: string;
  pitfall: string | null;
  location: Location | null;
  events: readonly ProbeEvent[];
}

export function refineLocation(input: RefineInput): Location | null {
  const { location } = input;
  if (!location || location.file !== input.file || !input.pitfall) return location;
  try {
    const outOfWrapper = throughThinWrapper(input, location);
    if (outOfWrapper) return outOfWrapper;
    if (input.pitfall === 'missing-res-end') {
      const dropped = swallowedBeforeSilence(input, location);
      if (dropped) return dropped;
    }
    if (input.pitfall in HEADER_OF) return refineHeader(input, location);
    if (input.pitfall in ARGUMENT_OF) return refineArgument(input, location);
    if (ORDER_PITFALLS.has(input.pitfall)) return refineOrder(input, location);
    if (input.pitfall === 'missing-res-end') return refineFallThrough(input, location);
  } catch {
    // A file the parser cannot read keeps the probe's location.
  }
  return location;
}

// ---- parsing ------------------------------------------------------------

const parsed = new Map<string, TS.SourceFile>();

function sourceFile(file: string, text: string): TS.SourceFile {
  const key = `${file}\0${text.length}`;
  let found = parsed.get(key);
  if (!found) {
    const ts = loadTypeScript();
    found = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, /\.m?jsx?$|\.cjs$/.test(file) ? ts.ScriptKind.JS : ts.ScriptKind.TS);
    parsed.clear();
    parsed.set(key, found);
  }
  return found;
}

function locationOf(source: TS.SourceFile, file: string, node: TS.Node): Location {
  const { line, character } = source.getLineAndCharacterOfPosition(node.getStart(source));
  return { file, line: line + 1, column: character + 1 };
}

function lineOf(source: TS.SourceFile, node: TS.Node): number {
  return source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
}

/** Every node for which `test` holds, depth first, without entering nested functions when `shallow`. */
function collect<T extends TS.Node>(root: TS.Node, test: (node: TS.Node) => node is T, shallow = false): T[] {
  const ts = loadTypeScript();
  const found: T[] = [];
  const visit = (node: TS.Node) => {
    if (test(node)) found.push(node);
    if (shallow && node !== root && ts.isFunctionLike(node)) return;
    ts.forEachChild(node, visit);
  };
  visit(root);
  return found;
}

/** The function whose body holds `line`, innermost. */
function enclosingFunction(source: TS.SourceFile, line: number): TS.SignatureDeclaration | null {
  const ts = loadTypeScript();
  const functions = collect(source, (node): node is TS.SignatureDeclaration => ts.isFunctionLike(node) && 'body' in node && Boolean((node as TS.FunctionLikeDeclaration).body));
  return functions.filter((fn) => lineOf(source, fn) <= line && source.getLineAndCharacterOfPosition(fn.end).line + 1 >= line).pop() ?? null;
}

/** The probe's call event made at `location` (same line), with the learner frames it was called from. */
function callAt(events: readonly ProbeEvent[], location: Location): { via?: Location[] } | null {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if ((event.t === 'call' || event.t === 'client-call') && event.at && event.at.file === location.file && event.at.line === location.line) return event as { via?: Location[] };
  }
  return null;
}

// ---- a throw inside a one-line wrapper, and a request left silent by a swallowed error ----

/**
 * An uncaught error thrown at `location` inside a thin wrapper (a function whose
 * body is one statement: `return JSON.parse(text)`): the wrapper is not the fault,
 * the call that used it where nothing catches is. That call is the next learner
 * frame of the error's stack.
 */
function throughThinWrapper(input: RefineInput, location: Location): Location | null {
  const uncaught = [...input.events].reverse().find((event): event is Extract<ProbeEvent, { t: 'uncaught' }> =>
    event.t === 'uncaught' && event.at?.file === location.file && event.at.line === location.line);
  if (!uncaught?.stack) return null;
  // Cheap first: a one-statement body's line returns or is an arrow's expression.
  if (!/^\s*return\b|=>/.test(input.text.split('\n')[location.line - 1] ?? '')) return null;
  const ts = loadTypeScript();
  const source = sourceFile(input.file, input.text);
  const fn = enclosingFunction(source, location.line) as TS.FunctionLikeDeclaration | null;
  const body = fn?.body;
  const thin = body && ts.isBlock(body) ? body.statements.length === 1 && (ts.isReturnStatement(body.statements[0]) || ts.isExpressionStatement(body.statements[0])) : Boolean(body);
  if (!thin) return null;
  const frames = [...uncaught.stack.matchAll(/\(?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/gm)]
    .map((match) => ({ file: match[1].replace(/^file:\/\//, ''), line: Number(match[2]), column: Number(match[3]) }))
    .filter((frame) => frame.file === input.file);
  const here = frames.findIndex((frame) => frame.line === location.line);
  return here >= 0 ? (frames.slice(here + 1).find((frame) => frame.line !== location.line) ?? null) : null;
}

/**
 * A request that was never answered right after JSON.parse threw in it: the
 * catch that swallowed the error (and neither answered nor passed it on) is
 * where the request was dropped, not the last call it made on the response.
 */
function swallowedBeforeSilence(input: RefineInput, location: Location): Location | null {
  const callIndex = input.events.findLastIndex((event) => event.t === 'call' && event.at?.file === location.file && event.at.line === location.line);
  const request = callIndex >= 0 ? (input.events[callIndex] as { id?: number }).id : undefined;
  for (let i = input.events.length - 1; i > callIndex; i--) {
    const event = input.events[i];
    if (event.t !== 'swallowed' || event.kind !== 'json-parse' || event.at.file !== input.file) continue;
    if (event.inRequest !== null && request !== undefined && event.inRequest !== request) continue;
    return catchAround(input.file, input.text, event.at);
  }
  return null;
}

// ---- a header in a multi-line call, or a header value passed in by the caller ----

function refineHeader(input: RefineInput, location: Location): Location {
  const header = HEADER_OF[input.pitfall!];
  const lineText = input.text.split('\n')[location.line - 1] ?? '';
  // The cheap case first: the line already names the header (or a helper's parameter holds it).
  const squash = (name: string) => name.toLowerCase().replace(/[^a-z]/g, '');
  const named = new RegExp(header.replace('-', '[-_]?').replace('alive', '[-_]?alive').replace('sockets', '[-_]?sockets'), 'i').test(lineText);
  if (named && !/:\s*[A-Za-z_$][\w$]*\s*[,}]/.test(lineText)) return location;
  const ts = loadTypeScript();
  const source = sourceFile(input.file, input.text);
  // The outermost call, object literal or property that starts on the line: the header is inside it.
  const starts = collect(source, (node): node is TS.Node =>
    (ts.isCallExpression(node) || ts.isObjectLiteralExpression(node) || ts.isPropertyAssignment(node)) && lineOf(source, node) === location.line);
  const outer = starts[0];
  if (!outer) return location;
  const properties = collect(outer, (node): node is TS.PropertyAssignment => ts.isPropertyAssignment(node), true);
  const keyOf = (property: TS.PropertyAssignment) => (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name) ? property.name.text : '');
  // A key that means the header but is not it (contentType, content_type) is the missing header's cause.
  const property = properties.find((p) => keyOf(p).toLowerCase() === header) ?? properties.find((p) => squash(keyOf(p)) === squash(header));
  if (!property) return location;
  const at = locationOf(source, input.file, property);
  // `'Content-Type': type`, where type is the helper's parameter: the caller chose the value.
  if (ts.isIdentifier(property.initializer)) {
    const fn = enclosingFunction(source, at.line);
    const isParameter = fn?.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === (property.initializer as TS.Identifier).text);
    const caller = callAt(input.events, location)?.via?.[0];
    if (isParameter && caller && caller.file === input.file) return caller;
  }
  return at;
}

// ---- an argument of a multi-line call ----

function refineArgument(input: RefineInput, location: Location): Location {
  const pattern = ARGUMENT_OF[input.pitfall!];
  const lineText = input.text.split('\n')[location.line - 1] ?? '';
  if (pattern.test(lineText)) return location;
  const ts = loadTypeScript();
  const source = sourceFile(input.file, input.text);
  const call = collect(source, (node): node is TS.CallExpression | TS.NewExpression =>
    (ts.isCallExpression(node) || ts.isNewExpression(node)) && lineOf(source, node) === location.line)[0];
  const argument = call?.arguments?.find((arg) => pattern.test(arg.getText(source)));
  return argument ? locationOf(source, input.file, argument) : location;
}

// ---- a helper called at the wrong moment ----

function refineOrder(input: RefineInput, location: Location): Location {
  const caller = callAt(input.events, location)?.via?.[0];
  if (!caller || caller.file !== input.file) return location;
  const ts = loadTypeScript();
  const source = sourceFile(input.file, input.text);
  const fn = enclosingFunction(source, location.line);
  if (!fn) return location;
  // A helper that itself writes or ends the response owns its order; one that only sets headers does not.
  const writes = collect(fn, (node): node is TS.CallExpression =>
    ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && /^(write|end|writeHead|flushHeaders)$/.test(node.expression.name.text), true);
  return writes.length === 0 ? caller : location;
}

// ---- a request that falls through the handler ----

function refineFallThrough(input: RefineInput, location: Location): Location {
  const lineText = input.text.split('\n')[location.line - 1] ?? '';
  // Only when the probe had nothing better: the server's or the handler's first line, or a
  // header set before the branch (a write with no end is the write's fault, and stays).
  const headerOnly = /^(setHeader|removeHeader|statusCode)$/.test((callAt(input.events, location) as { fn?: string } | null)?.fn ?? '');
  if (!headerOnly && !/createServer\s*\(|=>\s*\{?\s*$|\bfunction\b/.test(lineText)) return location;
  const ts = loadTypeScript();
  const source = sourceFile(input.file, input.text);
  const handler = handlerAt(source, location.line);
  if (!handler?.body || !ts.isBlock(handler.body)) return location;
  const gap = lastUnansweredIf(handler.body.statements);
  return gap && lineOf(source, gap) >= location.line ? locationOf(source, input.file, gap) : location;
}

/** The request handler: the function passed to createServer on (or defined at) `line`, or named there. */
function handlerAt(source: TS.SourceFile, line: number): TS.FunctionLikeDeclaration | null {
  const ts = loadTypeScript();
  const calls = collect(source, (node): node is TS.CallExpression =>
    ts.isCallExpression(node) && lineOf(source, node) <= line && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'createServer');
  for (const call of calls) {
    const argument = call.arguments.find((arg) => ts.isFunctionLike(arg) || ts.isIdentifier(arg));
    if (argument && (ts.isArrowFunction(argument) || ts.isFunctionExpression(argument))) return argument;
    if (argument && ts.isIdentifier(argument)) {
      const declared = collect(source, (node): node is TS.FunctionDeclaration => ts.isFunctionDeclaration(node) && node.name?.text === argument.text)[0];
      if (declared) return declared;
    }
  }
  const fn = enclosingFunction(source, line + 1);
  return fn && 'body' in fn ? (fn as TS.FunctionLikeDeclaration) : null;
}

/**
 * The `if` without an `else` whose taken branch answers while the way around it
 * reaches the end of the handler without answering: the last such `if` on a
 * path with nothing after it that ends the response.
 */
function lastUnansweredIf(statements: readonly TS.Statement[]): TS.IfStatement | null {
  const ts = loadTypeScript();
  for (let i = statements.length - 1; i >= 0; i--) {
    const statement = statements[i];
    if (answers(statement) && !ts.isIfStatement(statement) && !ts.isBlock(statement)) return null;
    if (ts.isIfStatement(statement)) {
      if (!statement.elseStatement) return answers(statement.thenStatement) ? statement : null;
      const inner = lastUnansweredIf(asStatements(statement.elseStatement)) ?? lastUnansweredIf(asStatements(statement.thenStatement));
      if (inner) return inner;
      return null;
    }
    if (ts.isBlock(statement)) return lastUnansweredIf(statement.statements);
  }
  return null;
}

function asStatements(statement: TS.Statement): readonly TS.Statement[] {
  const ts = loadTypeScript();
  return ts.isBlock(statement) ? statement.statements : [statement];
}

/** Whether a statement holds an answer: an end() call or a call of a helper (sendJson(res, …)). */
function answers(statement: TS.Node): boolean {
  const ts = loadTypeScript();
  return collect(statement, (node): node is TS.CallExpression => {
    if (!ts.isCallExpression(node)) return false;
    if (ts.isPropertyAccessExpression(node.expression)) return /^(end|pipe)$/.test(node.expression.name.text) || node.arguments.some((arg) => ts.isIdentifier(arg) && /^res(ponse)?$/.test(arg.text));
    return node.arguments.some((arg) => ts.isIdentifier(arg) && /^res(ponse)?$/.test(arg.text));
  }, true).length > 0;
}

// ---- a crash caused by an error the program swallowed earlier ----

/** The lesson pitfall each kind of swallowed error leads to. */
const SWALLOWED_PITFALL: Record<string, string> = { 'json-parse': 'json-parse-crash', 'fs-callback': 'stream-error-crash' };
/** How long before the crash a swallowed error still counts as its cause. */
const SWALLOWED_WINDOW_MS = 2000;

export interface SecondaryCrash {
  pitfall: string;
  location: Location;
  /** One sentence: what was swallowed, where, and how long before the crash. */
  cause: string;
}

/**
 * A TypeError on null or undefined shortly after the program swallowed an error
 * the lesson teaches about: the crash is that pitfall's, and the line to fix is
 * the one that dropped the error (the empty catch, the callback that ignored err).
 */
export function secondaryCrash(input: { file: string; text: string; pitfalls: readonly string[]; events: readonly ProbeEvent[]; error: { name: string; message: string; ms?: number } | null }): SecondaryCrash | null {
  const { error } = input;
  if (!error || error.name !== 'TypeError' || !/\b(null|undefined)\b/.test(error.message)) return null;
  const crashMs = error.ms ?? Infinity;
  for (let i = input.events.length - 1; i >= 0; i--) {
    const event = input.events[i];
    if (event.t !== 'swallowed') continue;
    if (crashMs !== Infinity && (event.ms > crashMs || crashMs - event.ms > SWALLOWED_WINDOW_MS)) continue;
    const pitfall = SWALLOWED_PITFALL[event.kind];
    if (!pitfall || !input.pitfalls.includes(pitfall) || event.at.file !== input.file) continue;
    const waited = crashMs === Infinity ? '' : ` ${Math.round(crashMs - event.ms)} ms later`;
    if (event.kind === 'json-parse') {
      const dropped = catchAround(input.file, input.text, event.at) ?? event.at;
      return {
        pitfall,
        location: dropped,
        cause: `JSON.parse threw "${event.message}" on line ${event.at.line}${dropped !== event.at ? `, the catch on line ${dropped.line} swallowed it` : ''} and the program went on without the parsed value, so it crashed${waited} on the value that was never set`,
      };
    }
    return {
      pitfall,
      location: event.at,
      cause: `${event.fn ?? 'an fs call'} on line ${event.at.line} handed its callback an error (${event.code ?? event.message}) that the callback did not check, so it crashed${waited} on the result that never came`,
    };
  }
  return null;
}

/** Where the try statement around `at` drops its error: the catch's last statement, or the empty catch. */
function catchAround(file: string, text: string, at: Location): Location | null {
  try {
    const ts = loadTypeScript();
    const source = sourceFile(file, text);
    const tries = collect(source, (node): node is TS.TryStatement =>
      ts.isTryStatement(node) && lineOf(source, node.tryBlock) <= at.line && source.getLineAndCharacterOfPosition(node.tryBlock.end).line + 1 >= at.line);
    const inner = tries.pop();
    if (!inner?.catchClause) return null;
    // `catch { return; }`: the statement that drops the error; an empty catch: the catch itself.
    const statements = inner.catchClause.block.statements;
    return locationOf(source, file, statements.length ? statements[statements.length - 1] : inner.catchClause);
  } catch {
    return null;
  }
}

/** Errors a stream hands to pipeline() from Node's internals: their stacks name no learner line. */
const STREAM_ERROR_CODES = new Set(['ECONNRESET', 'ERR_STREAM_PREMATURE_CLOSE', 'EPIPE', 'ENOENT', 'EISDIR', 'EACCES', 'ERR_STREAM_DESTROYED']);

/**
 * A crash whose error names no line of the learner's: the pipeline() call it came
 * through, when the program made one (an aborted upload, a missing file).
 */
export function crashWithoutLocation(file: string, events: readonly ProbeEvent[], error: { code?: string; at: Location | null } | null): Location | null {
  if (!error || error.at || !STREAM_ERROR_CODES.has(error.code ?? '')) return error?.at ?? null;
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i];
    if (event.t === 'stream-pipeline' && event.at.file === file) return event.at;
  }
  return null;
}
