// Mistakes in the life of a request, a connection and the process: timers not
// cleared, a server never closed (or the process killed instead), timeouts and
// agent options left out, URLs built from Host or split by hand, blocking calls,
// status codes and guards ignored, rejections not caught.

import type * as TS from 'typescript';
import { callsOf, nodes, operand, propertyName, receiverText, removeProperty, removeStatement, replaceNode, statementOf, textOf, type CatalogueEntry, type FoundMutation } from './edits.js';

const dropClearTimer: CatalogueEntry = {
  name: 'drop-clear-timer',
  pitfalls: ['writes-after-disconnect', 'shutdown-hangs'],
  description: '`clearTimeout`/`clearInterval` left out: the timer keeps running after nobody is listening',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const call of callsOf(context, ['clearTimeout', 'clearInterval'])) {
      if (!ts.isIdentifier(call.expression)) continue;
      const pitfall = call.expression.text === 'clearInterval' ? 'writes-after-disconnect' : 'shutdown-hangs';
      const statement = statementOf(context, call);
      if (statement) found.push({ edits: [removeStatement(context, statement)], pitfall });
      else if (ts.isArrowFunction(call.parent) && call.parent.body === call) found.push({ edits: [replaceNode(context, call, '{}')], pitfall });
    }
    return found;
  },
};

const SHUTDOWN = /^(server|agent|app)$/;

const dropClose: CatalogueEntry = {
  name: 'drop-close',
  pitfalls: ['shutdown-hangs', 'abrupt-shutdown'],
  description: '`server.close()`, `closeIdleConnections()` or `agent.destroy()` left out: connections (and the process) stay open',
  find(context) {
    return callsOf(context, ['close', 'closeIdleConnections', 'destroy'])
      .filter((call) => SHUTDOWN.test(receiverText(context, call) ?? ''))
      .flatMap((call) => {
        const statement = statementOf(context, call);
        return statement ? [{ edits: [removeStatement(context, statement)] }] : [];
      });
  },
};

const closeToExit: CatalogueEntry = {
  name: 'close-to-exit',
  pitfalls: ['abrupt-shutdown'],
  description: '`server.close(…)` replaced by `process.exit(0)`: requests in flight are cut off',
  find(context) {
    return callsOf(context, ['close'])
      .filter((call) => /^server$/.test(receiverText(context, call) ?? ''))
      .flatMap((call) => (statementOf(context, call) ? [{ edits: [replaceNode(context, call, 'process.exit(0)')] }] : []));
  },
};

/** Options whose absence is a pitfall: the server's timeouts, the agent's pooling. */
const OPTION_PITFALLS: Record<string, string> = {
  headersTimeout: 'slowloris-unbounded',
  requestTimeout: 'slowloris-unbounded',
  connectionsCheckingInterval: 'slowloris-unbounded',
  keepAliveTimeout: 'shutdown-hangs',
  keepAlive: 'no-keepalive',
  maxSockets: 'unbounded-concurrency',
  agent: 'no-keepalive',
};

const dropOption: CatalogueEntry = {
  name: 'drop-option',
  pitfalls: ['slowloris-unbounded', 'no-keepalive', 'unbounded-concurrency'],
  description: 'a server timeout or an agent option (`keepAlive`, `maxSockets`, `agent`) left out: Node\'s default applies',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const object of nodes(context, ts.isObjectLiteralExpression)) {
      // Options of createServer, an Agent, get or request: not response headers, which may share a name.
      const call = object.parent;
      if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) continue;
      const callee = ts.isPropertyAccessExpression(call.expression) ? call.expression.name.text : ts.isIdentifier(call.expression) ? call.expression.text : '';
      if (!['createServer', 'Agent', 'get', 'request'].includes(callee)) continue;
      for (const property of object.properties) {
        const name = propertyName(context, property);
        if (name && name in OPTION_PITFALLS) found.push({ edits: [removeProperty(context, property)], pitfall: OPTION_PITFALLS[name] });
      }
    }
    return found;
  },
};

const timerToZero: CatalogueEntry = {
  name: 'hang-up-at-once',
  pitfalls: ['body-limit-reset', 'abrupt-shutdown'],
  description: 'a delayed hang-up (or exit) done at once: the socket is destroyed before the client could read the answer',
  find(context) {
    const { ts } = context;
    return callsOf(context, ['setTimeout'])
      .filter((call) => ts.isIdentifier(call.expression) && call.arguments.length >= 2 && !(ts.isNumericLiteral(call.arguments[1]) && call.arguments[1].text === '0'))
      .filter((call) => /destroy|exit|hangUp/.test(textOf(context, call.arguments[0])))
      .map((call) => ({
        edits: [replaceNode(context, call, `${operand(context, call.arguments[0])}()`)],
        pitfall: /exit/.test(textOf(context, call.arguments[0])) ? 'abrupt-shutdown' : 'body-limit-reset',
      }));
  },
};

const dropUnref: CatalogueEntry = {
  name: 'drop-unref',
  pitfalls: ['shutdown-hangs'],
  description: "a safety-net timer's `unref()` left out: the timer itself keeps the process alive",
  find(context) {
    const { ts } = context;
    return callsOf(context, ['unref'])
      .filter((call) => ts.isPropertyAccessExpression(call.expression))
      .map((call) => ({ edits: [replaceNode(context, call, textOf(context, (call.expression as TS.PropertyAccessExpression).expression))] }));
  },
};

const dropStatusCheck: CatalogueEntry = {
  name: 'drop-status-check',
  pitfalls: ['ignores-status-code'],
  description: "the response's status code never looked at: an error page is treated like the data",
  find(context) {
    const { ts } = context;
    return nodes(context, ts.isIfStatement)
      .filter((statement) => !statement.elseStatement && /status/i.test(textOf(context, statement.expression)) && /\b(200|299|300|399|400)\b/.test(textOf(context, statement.expression)))
      .map((statement) => ({ edits: [removeStatement(context, statement)] }));
  },
};

/** `new URL(x.url, base)` and the object whose `url` it reads. */
function urlConstructions(context: Parameters<CatalogueEntry['find']>[0]): Array<{ node: TS.NewExpression; request: string }> {
  const { ts } = context;
  return nodes(context, ts.isNewExpression).flatMap((node) => {
    if (!ts.isIdentifier(node.expression) || node.expression.text !== 'URL' || node.arguments?.length !== 2) return [];
    const access = nodes(context, ts.isPropertyAccessExpression, node.arguments[0]).find((found) => found.name.text === 'url');
    return access ? [{ node, request: textOf(context, access.expression) }] : [];
  });
}

const hostUrlBase: CatalogueEntry = {
  name: 'host-url-base',
  pitfalls: ['host-header-url-base'],
  description: "the URL's fixed base replaced by one built from the client's Host header",
  find(context) {
    return urlConstructions(context).map(({ node, request }) => ({ edits: [replaceNode(context, node.arguments![1], `\`http://\${${request}.headers.host}\``)] }));
  },
};

const urlSplit: CatalogueEntry = {
  name: 'route-on-raw-url',
  pitfalls: ['url-string-split'],
  description: 'routing on `req.url` as it came: the query string is still part of the path',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const { node } of urlConstructions(context)) {
      const raw = operand(context, node.arguments![0]);
      // `const { pathname } = new URL(…)`, `new URL(…).pathname`, or `url.pathname` for `const url = new URL(…)`.
      if (ts.isVariableDeclaration(node.parent) && ts.isObjectBindingPattern(node.parent.name) && node.parent.name.elements.length === 1 && textOf(context, node.parent.name.elements[0]) === 'pathname') {
        found.push({ edits: [replaceNode(context, node.parent, `pathname = ${raw}`)] });
      } else if (ts.isPropertyAccessExpression(node.parent) && node.parent.name.text === 'pathname') {
        found.push({ edits: [replaceNode(context, node.parent, raw)] });
      } else {
        const holder = ts.isVariableDeclaration(node.parent) && ts.isIdentifier(node.parent.name) ? node.parent.name.text : ts.isBinaryExpression(node.parent) && ts.isIdentifier(node.parent.left) ? node.parent.left.text : null;
        const scope = node.parent.parent?.parent?.parent;
        if (!holder || !scope) continue;
        const uses = nodes(context, ts.isPropertyAccessExpression, scope).filter((access) => access.name.text === 'pathname' && ts.isIdentifier(access.expression) && access.expression.text === holder);
        if (uses.length) found.push({ edits: uses.map((access) => replaceNode(context, access, raw)) });
      }
    }
    return found;
  },
};

/** Async APIs with a blocking twin a learner reaches for. */
const SYNC_TWINS = ['pbkdf2', 'scrypt', 'readFile', 'stat'];

const blockingCall: CatalogueEntry = {
  name: 'blocking-call',
  pitfalls: ['blocking-event-loop'],
  description: 'an async call with a callback replaced by its `…Sync` twin: the event loop waits',
  find(context) {
    const { ts } = context;
    return callsOf(context, SYNC_TWINS)
      .filter((call) => ts.isPropertyAccessExpression(call.expression) && call.arguments.length >= 2)
      .filter((call) => ts.isArrowFunction(call.arguments[call.arguments.length - 1]) || ts.isFunctionExpression(call.arguments[call.arguments.length - 1]))
      .map((call) => {
        const args = call.arguments.slice(0, -1).map((arg) => textOf(context, arg)).join(', ');
        const callback = textOf(context, call.arguments[call.arguments.length - 1]);
        return { edits: [replaceNode(context, call, `(${callback})(null, ${textOf(context, call.expression)}Sync(${args}))`)] };
      });
  },
};

const dropCatch: CatalogueEntry = {
  name: 'drop-promise-catch',
  pitfalls: ['async-error-unhandled'],
  description: "a promise's `.catch(…)` left out: a rejection is unhandled and Node 20 exits",
  find(context) {
    const { ts } = context;
    return callsOf(context, ['catch'])
      .filter((call) => ts.isPropertyAccessExpression(call.expression))
      .map((call) => ({ edits: [replaceNode(context, call, textOf(context, (call.expression as TS.PropertyAccessExpression).expression))] }));
  },
};

/** `if (…) { send 4xx; return; }`: a guard that refuses bad input. */
const dropGuard: CatalogueEntry = {
  name: 'drop-guard',
  pitfalls: ['path-traversal', 'wrong-status'],
  description: 'a guard that refuses bad input (a 4xx and a return) left out',
  find(context) {
    const { ts } = context;
    return nodes(context, ts.isIfStatement)
      .filter((statement) => {
        const then = statement.thenStatement;
        const last = ts.isBlock(then) ? then.statements[then.statements.length - 1] : undefined;
        return !statement.elseStatement && last !== undefined && ts.isReturnStatement(last);
      })
      .flatMap((statement) => {
        const status = /\b4\d\d\b/.exec(textOf(context, statement.thenStatement))?.[0];
        if (!status) return [];
        return [{ edits: [removeStatement(context, statement)], pitfall: status === '403' ? 'path-traversal' : 'wrong-status' }];
      });
  },
};

export const LIFECYCLE_MISTAKES: CatalogueEntry[] = [dropClearTimer, dropClose, closeToExit, dropOption, timerToZero, dropUnref, dropStatusCheck, hostUrlBase, urlSplit, blockingCall, dropCatch, dropGuard];
