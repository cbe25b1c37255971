// Mistakes in writing a response: the end forgotten, a header too late or
// missing, a length in characters, a guard or a return left out.

import type * as TS from 'typescript';
import { callsOf, methodName, moveStatementAfter, nodes, propertyName, receiverText, removeProperty, removeStatement, replaceNode, statementOf, stringValue, textOf, type CatalogueEntry, type FoundMutation, type MutationContext } from './edits.js';

/** Receivers that are an outgoing message of ours: `res`, `response`, `req` of a client. */
const RESPONSE = /^(res|response|out)$/;
const CLIENT_REQUEST = /^(req|request|clientReq|upstreamReq)$/;

const dropEnd: CatalogueEntry = {
  name: 'drop-end',
  pitfalls: ['missing-res-end', 'client-missing-end'],
  description: '`end(body)` written as `write(body)`, or a bare `end()` left out: the message is never finished',
  find(context) {
    const found: FoundMutation[] = [];
    for (const call of callsOf(context, ['end'])) {
      const receiver = receiverText(context, call) ?? '';
      if (!RESPONSE.test(receiver) && !CLIENT_REQUEST.test(receiver)) continue;
      const pitfall = RESPONSE.test(receiver) ? 'missing-res-end' : 'client-missing-end';
      const name = (call.expression as TS.PropertyAccessExpression).name;
      if (call.arguments.length > 0) found.push({ edits: [replaceNode(context, name, 'write')], pitfall });
      else {
        const statement = statementOf(context, call);
        if (statement) found.push({ edits: [removeStatement(context, statement)], pitfall });
      }
    }
    return found;
  },
};

/** An `if`/`else` branch's statement that answers through a helper given `res` (`sendJson(res, …)`). */
const dropAnswerInBranch: CatalogueEntry = {
  name: 'drop-answer-in-branch',
  pitfalls: ['missing-res-end'],
  description: 'one branch of the handler forgets to answer: the call that sends the response is left out',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const call of nodes(context, ts.isCallExpression)) {
      if (!ts.isIdentifier(call.expression) || !call.arguments.some((arg) => ts.isIdentifier(arg) && RESPONSE.test(arg.text))) continue;
      const statement = ts.isExpressionStatement(call.parent) ? call.parent : ts.isReturnStatement(call.parent) ? call.parent : null;
      if (!statement) continue;
      const holder = ts.isBlock(statement.parent) ? statement.parent.parent : statement.parent;
      if (!ts.isIfStatement(holder)) continue;
      found.push({ edits: [ts.isReturnStatement(statement) ? replaceNode(context, statement, 'return;') : removeStatement(context, statement)] });
    }
    return found;
  },
};

const headerAfterWrite: CatalogueEntry = {
  name: 'header-after-write',
  pitfalls: ['headers-after-body'],
  description: 'a `setHeader`/`writeHead` moved after the next `write`/`end` (or the helper that sends) on the same response',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const call of callsOf(context, ['setHeader', 'writeHead'])) {
      const receiver = receiverText(context, call);
      const statement = statementOf(context, call);
      if (!receiver || !statement || !ts.isBlock(statement.parent) && !ts.isSourceFile(statement.parent)) continue;
      const list = statement.parent.statements;
      const sends = (node: TS.Node): boolean =>
        nodes(context, ts.isCallExpression, node).some((inner) =>
          ((methodName(context, inner) === 'write' || methodName(context, inner) === 'end') && receiverText(context, inner) === receiver) ||
          (ts.isIdentifier(inner.expression) && inner.arguments.some((arg) => textOf(context, arg) === receiver)));
      const next = list.slice(list.indexOf(statement) + 1).find((later) => (ts.isExpressionStatement(later) || ts.isIterationStatement(later, false)) && sends(later));
      if (!next) continue;
      const edits = moveStatementAfter(context, statement, next);
      if (edits.length) found.push({ edits });
    }
    return found;
  },
};

function headerMutations(context: MutationContext, header: string): FoundMutation[] {
  const { ts } = context;
  const found: FoundMutation[] = [];
  for (const object of nodes(context, ts.isObjectLiteralExpression)) {
    for (const property of object.properties) {
      if (propertyName(context, property)?.toLowerCase() === header) found.push({ edits: [removeProperty(context, property)] });
    }
  }
  for (const call of callsOf(context, ['setHeader'])) {
    const statement = statementOf(context, call);
    if (statement && stringValue(context, call.arguments[0])?.toLowerCase() === header) found.push({ edits: [removeStatement(context, statement)] });
  }
  return found;
}

const dropAllow: CatalogueEntry = {
  name: 'drop-allow-header',
  pitfalls: ['missing-allow-header'],
  description: 'the 405 goes out without its `Allow` header',
  find: (context) => headerMutations(context, 'allow'),
};

const dropContentType: CatalogueEntry = {
  name: 'drop-content-type',
  pitfalls: ['wrong-content-type', 'missing-content-type'],
  description: 'a `Content-Type` header left out',
  find(context) {
    // In a client's request options the pitfall is the client's.
    return headerMutations(context, 'content-type').map((found) => ({ ...found, pitfall: /\.(request|get)\(/.test(context.text) && !/createServer/.test(context.text) ? 'missing-content-type' : 'wrong-content-type' }));
  },
};

const byteLengthToLength: CatalogueEntry = {
  name: 'byte-length-to-length',
  pitfalls: ['content-length-string-length'],
  description: '`Buffer.byteLength(body)` written as `body.length`: characters counted instead of bytes',
  find(context) {
    const { ts } = context;
    return callsOf(context, ['byteLength'])
      .filter((call) => receiverText(context, call) === 'Buffer' && call.arguments.length >= 1)
      .map((call) => {
        const argument = call.arguments[0];
        const simple = ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument) || ts.isCallExpression(argument);
        return { edits: [replaceNode(context, call, `${simple ? textOf(context, argument) : `(${textOf(context, argument)})`}.length`)] };
      });
  },
};

/** `sendJson(res, 400, …); return;` or `return sendJson(res, …)`: the return that keeps a second answer from running. */
const dropReturnAfterAnswer: CatalogueEntry = {
  name: 'drop-return-after-answer',
  pitfalls: ['write-after-end'],
  description: 'the `return` after an answer left out: the code below runs and answers (or writes) a second time',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    const answers = (node: TS.Node) => nodes(context, ts.isCallExpression, node).some((call) => call.arguments.some((arg) => ts.isIdentifier(arg) && RESPONSE.test(arg.text)) || RESPONSE.test(receiverText(context, call) ?? ''));
    for (const statement of nodes(context, ts.isReturnStatement)) {
      if (statement.expression && ts.isCallExpression(statement.expression) && answers(statement.expression)) {
        found.push({ edits: [replaceNode(context, statement, `${textOf(context, statement.expression)};`)] });
        continue;
      }
      if (statement.expression || !ts.isBlock(statement.parent)) continue;
      const list = statement.parent.statements;
      const index = list.indexOf(statement);
      // Only a return that ends its block with more code after the block: else nothing follows it anyway.
      if (index > 0 && index === list.length - 1 && answers(list[index - 1]) && !isLastInFunction(context, statement.parent)) found.push({ edits: [removeStatement(context, statement)] });
    }
    return found;
  },
};

function isLastInFunction(context: MutationContext, block: TS.Block): boolean {
  const { ts } = context;
  let node: TS.Node = block;
  for (let depth = 0; depth < 50; depth++) {
    const parent = node.parent;
    if (!parent || ts.isFunctionLike(parent)) return true;
    if (ts.isBlock(parent) || ts.isSourceFile(parent)) {
      const list = parent.statements as TS.NodeArray<TS.Statement>;
      if (list.indexOf(node as TS.Statement) !== list.length - 1) return false;
    }
    if (ts.isIterationStatement(parent, false)) return false;
    node = parent;
  }
  return true;
}

const dropListen: CatalogueEntry = {
  name: 'drop-listen',
  pitfalls: ['never-listens'],
  description: 'the server is created but `listen()` is never called',
  find(context) {
    const { ts } = context;
    return callsOf(context, ['listen'])
      .map((call) => statementOf(context, call))
      .filter((statement): statement is TS.ExpressionStatement => statement !== null && ts.isSourceFile(statement.parent))
      .map((statement) => ({ edits: [removeStatement(context, statement)] }));
  },
};

/** The status a learner confuses each with (RFC 9110 §15): created/ok, the method's 405 and the path's 404, … */
const CONFUSED_STATUS: Record<string, string> = { '201': '200', '405': '404', '413': '400', '400': '500', '502': '500' };

const wrongStatus: CatalogueEntry = {
  name: 'wrong-status-code',
  pitfalls: ['wrong-status'],
  description: 'a status code swapped for the one it is often confused with (201 → 200, 405 → 404, 413 → 400, 400 → 500, 502 → 500)',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const call of nodes(context, ts.isCallExpression)) {
      // writeHead(status, …), or a helper given the response then the status: send(res, 404, …).
      const at = methodName(context, call) === 'writeHead' ? 0 : ts.isIdentifier(call.expression) && call.arguments[0] && ts.isIdentifier(call.arguments[0]) && RESPONSE.test(call.arguments[0].text) ? 1 : -1;
      const status = at >= 0 ? call.arguments[at] : undefined;
      if (status && ts.isNumericLiteral(status) && status.text in CONFUSED_STATUS) found.push({ edits: [replaceNode(context, status, CONFUSED_STATUS[status.text])] });
    }
    return found;
  },
};

export const RESPONSE_MISTAKES: CatalogueEntry[] = [dropEnd, dropAnswerInBranch, headerAfterWrite, dropAllow, dropContentType, byteLengthToLength, dropReturnAfterAnswer, dropListen, wrongStatus];
