// Mistakes in reading bodies and moving streams: decoding chunk by chunk,
// answering before 'end', limits left out or checked too late, pipe without
// error handling, whole bodies buffered, errors left unhandled.

import type * as TS from 'typescript';
import { callsOf, methodName, nodes, operand, receiverText, removeStatement, replaceNode, statementOf, stringValue, textOf, type CatalogueEntry, type FoundMutation, type MutationContext } from './edits.js';

const decodeEachChunk: CatalogueEntry = {
  name: 'decode-each-chunk',
  pitfalls: ['string-concat-chunks'],
  description: '`Buffer.concat(chunks).toString()` replaced by decoding each chunk on its own and joining the strings (what `body += chunk` does)',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const call of callsOf(context, ['toString'])) {
      const inner = ts.isPropertyAccessExpression(call.expression) ? call.expression.expression : null;
      if (!inner || !ts.isCallExpression(inner) || methodName(context, inner) !== 'concat' || receiverText(context, inner) !== 'Buffer') continue;
      const encoding = call.arguments.map((arg) => textOf(context, arg)).join(', ');
      found.push({ edits: [replaceNode(context, call, `${operand(context, inner.arguments[0])}.map((part) => part.toString(${encoding})).join('')`)] });
    }
    return found;
  },
};

/** `x.on('name', fn)` calls standing as statements. */
function listeners(context: MutationContext, event: string): Array<{ call: TS.CallExpression; statement: TS.ExpressionStatement }> {
  return callsOf(context, ['on', 'once'])
    .filter((call) => stringValue(context, call.arguments[0]) === event && call.arguments.length === 2)
    .flatMap((call) => {
      const statement = statementOf(context, call);
      return statement ? [{ call, statement }] : [];
    });
}

const respondBeforeEnd: CatalogueEntry = {
  name: 'respond-before-end',
  pitfalls: ['respond-before-body-end'],
  description: "the code of the `'end'` listener run at once, before the body has arrived",
  find(context) {
    const { ts } = context;
    return listeners(context, 'end')
      .filter(({ call }) => ts.isArrowFunction(call.arguments[1]) || ts.isFunctionExpression(call.arguments[1]))
      .filter(({ call }) => /^(req|request|incoming)$/.test(receiverText(context, call) ?? ''))
      // Only a listener that answers (or passes the body on): one that merely clears a timer answers nothing early.
      .filter(({ call }) => /\b(res|response)\b|\bnext\(|\bresolve\(|\bsend\w*\(/.test(textOf(context, call.arguments[1])))
      .map(({ call, statement }) => ({ edits: [replaceNode(context, statement, `(${textOf(context, call.arguments[1])})();`)] }));
  },
};

/** `if (size > LIMIT)`-like: a comparison against a name that says max or limit. */
function isLimitCheck(context: MutationContext, statement: TS.Statement): statement is TS.IfStatement {
  const { ts } = context;
  if (!ts.isIfStatement(statement) || statement.elseStatement) return false;
  return nodes(context, ts.isBinaryExpression, statement.expression).some((binary) =>
    [ts.SyntaxKind.GreaterThanToken, ts.SyntaxKind.GreaterThanEqualsToken].includes(binary.operatorToken.kind) && /max|limit/i.test(textOf(context, binary.right)));
}

const dropBodyLimit: CatalogueEntry = {
  name: 'drop-body-limit',
  pitfalls: ['no-body-limit'],
  description: 'a body-size check left out',
  find(context) {
    const { ts } = context;
    return nodes(context, (node): node is TS.IfStatement => ts.isIfStatement(node) && isLimitCheck(context, node)).map((check) => ({ edits: [removeStatement(context, check)] }));
  },
};

const limitAfterEnd: CatalogueEntry = {
  name: 'limit-after-end',
  pitfalls: ['limit-checked-after-end'],
  description: "the body-size check moved from the `'data'` listener to the `'end'` listener: the whole body is read first",
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const data of listeners(context, 'data')) {
      const handler = data.call.arguments[1];
      if (!(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) || !ts.isBlock(handler.body)) continue;
      const params = new Set(handler.parameters.map((param) => textOf(context, param.name)));
      const end = listeners(context, 'end').find(({ call, statement }) => statement.parent === data.statement.parent && receiverText(context, call) === receiverText(context, data.call));
      const endHandler = end?.call.arguments[1];
      if (!endHandler || !(ts.isArrowFunction(endHandler) || ts.isFunctionExpression(endHandler)) || !ts.isBlock(endHandler.body)) continue;
      for (const check of handler.body.statements.filter((statement) => isLimitCheck(context, statement))) {
        // The check must still mean something in 'end': it may not use the chunk parameter.
        if (nodes(context, ts.isIdentifier, check).some((id) => params.has(id.text))) continue;
        const at = endHandler.body.getStart(context.source) + 1;
        const indent = /\n([ \t]*)\S/.exec(context.text.slice(at))?.[1] ?? '    ';
        found.push({ edits: [removeStatement(context, check), { start: at, end: at, text: `\n${indent}${textOf(context, check)}` }] });
      }
    }
    return found;
  },
};

const pipelineToPipe: CatalogueEntry = {
  name: 'pipeline-to-pipe',
  pitfalls: ['stream-error-crash', 'proxy-no-upstream-error', 'fd-leak-on-abort'],
  description: '`pipeline(a, b, cb)` written as `a.pipe(b)`: an error on either stream is not handled and nothing is destroyed',
  find(context) {
    const { ts } = context;
    return callsOf(context, ['pipeline'])
      .filter((call) => ts.isIdentifier(call.expression) && call.arguments.length >= 2 && statementOf(context, call))
      .map((call) => ({
        edits: [replaceNode(context, call, `${operand(context, call.arguments[0])}.pipe(${textOf(context, call.arguments[1])})`)],
        pitfall: /upstream/i.test(textOf(context, call)) ? 'proxy-no-upstream-error' : 'stream-error-crash',
      }));
  },
};

/** Streams replaced by reading everything first: `fs.readFileSync`, or collecting the chunks before `end`. */
const bufferWhole: CatalogueEntry = {
  name: 'buffer-whole',
  pitfalls: ['buffers-whole-file', 'proxy-buffers-body', 'proxy-buffers-response'],
  description: 'a stream piped as it arrives replaced by reading all of it first and sending it in one piece',
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    const pairs: Array<[TS.CallExpression, TS.Expression, TS.Expression]> = [];
    for (const call of callsOf(context, ['pipeline'])) if (ts.isIdentifier(call.expression) && call.arguments.length >= 2 && statementOf(context, call)) pairs.push([call, call.arguments[0], call.arguments[1]]);
    for (const call of callsOf(context, ['pipe'])) if (ts.isPropertyAccessExpression(call.expression) && call.arguments.length === 1 && statementOf(context, call)) pairs.push([call, call.expression.expression, call.arguments[0]]);
    for (const [call, from, to] of pairs) {
      const destination = textOf(context, to);
      if (ts.isCallExpression(from) && methodName(context, from) === 'createReadStream') {
        found.push({ edits: [replaceNode(context, call, `${destination}.end(${receiverText(context, from)}.readFileSync(${textOf(context, from.arguments[0])}))`)], pitfall: 'buffers-whole-file' });
        continue;
      }
      const source = textOf(context, from);
      const collect = `{ const parts = []; ${source}.on('data', (part) => parts.push(part)); ${source}.on('end', () => ${destination}.end(Buffer.concat(parts))); }`;
      found.push({ edits: [replaceNode(context, statementOf(context, call)!, collect)], pitfall: /upstream/i.test(source) ? 'proxy-buffers-response' : 'proxy-buffers-body' });
    }
    return found;
  },
};

const dropErrorListener: CatalogueEntry = {
  name: 'drop-error-listener',
  pitfalls: ['client-no-error-handler', 'proxy-no-upstream-error', 'stream-error-crash'],
  description: "an `'error'` listener left out: the error is unhandled and the process crashes",
  find(context) {
    return listeners(context, 'error').map(({ call, statement }) => ({
      edits: [removeStatement(context, statement)],
      pitfall: /upstream/i.test(receiverText(context, call) ?? '') ? 'proxy-no-upstream-error' : /createServer/.test(context.text) ? 'stream-error-crash' : 'client-no-error-handler',
    }));
  },
};

const unwrapTry: CatalogueEntry = {
  name: 'unwrap-try',
  pitfalls: ['json-parse-crash', 'upload-abort-crash', 'sync-throw-crash', 'crash'],
  description: 'a `try`/`catch` left out: what the catch handled now throws',
  find(context) {
    const { ts } = context;
    return nodes(context, ts.isTryStatement)
      .filter((statement) => statement.catchClause)
      .map((statement) => {
        const body = textOf(context, statement.tryBlock);
        const edit = statement.finallyBlock
          ? { start: statement.tryBlock.end, end: statement.catchClause!.end, text: '' }
          : replaceNode(context, statement, body);
        const pitfall = /JSON\.parse/.test(body) ? 'json-parse-crash' : /for await/.test(body) ? 'upload-abort-crash' : /handler\(|result/.test(body) ? 'sync-throw-crash' : 'crash';
        return { edits: [edit], pitfall };
      });
  },
};

const dropResume: CatalogueEntry = {
  name: 'drop-resume',
  pitfalls: ['unconsumed-response'],
  description: 'an unwanted body never read (`resume()` left out): the connection stays busy',
  find(context) {
    const { ts } = context;
    return callsOf(context, ['resume'])
      .filter((call) => call.arguments.length === 0)
      // A 'data' listener on the same stream in the same function already makes it flow: resume() there is a
      // no-op (https://nodejs.org/docs/latest-v20.x/api/stream.html#three-states), and so is leaving it out.
      .filter((call) => {
        let scope: TS.Node = call;
        while (scope.parent && !ts.isFunctionLike(scope)) scope = scope.parent;
        const receiver = receiverText(context, call);
        return !callsOf(context, ['on', 'once']).some((on) => on.pos >= scope.pos && on.end <= scope.end && receiverText(context, on) === receiver && stringValue(context, on.arguments[0]) === 'data');
      })
      .flatMap((call) => {
        const statement = statementOf(context, call);
        return statement ? [{ edits: [removeStatement(context, statement)] }] : [];
      });
  },
};

const countCharacters: CatalogueEntry = {
  name: 'count-characters',
  pitfalls: ['no-body-limit'],
  description: "the body's size counted in decoded characters (`chunk.toString().length`) instead of bytes",
  find(context) {
    const { ts } = context;
    const found: FoundMutation[] = [];
    for (const { call } of listeners(context, 'data')) {
      const handler = call.arguments[1];
      if (!(ts.isArrowFunction(handler) || ts.isFunctionExpression(handler)) || handler.parameters.length !== 1) continue;
      const chunk = textOf(context, handler.parameters[0].name);
      for (const add of nodes(context, ts.isBinaryExpression, handler.body)) {
        if (add.operatorToken.kind !== ts.SyntaxKind.PlusEqualsToken || !ts.isPropertyAccessExpression(add.right) || add.right.name.text !== 'length' || textOf(context, add.right.expression) !== chunk) continue;
        found.push({ edits: [replaceNode(context, add.right, `${chunk}.toString().length`)] });
      }
    }
    return found;
  },
};

export const BODY_MISTAKES: CatalogueEntry[] = [countCharacters, decodeEachChunk, respondBeforeEnd, dropBodyLimit, limitAfterEnd, pipelineToPipe, bufferWhole, dropErrorListener, unwrapTry, dropResume];
