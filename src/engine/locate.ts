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
import { catchAround, collect, enclosingFunction, lineOf, locationOf, sourceFile } from './source-ast.js';

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
