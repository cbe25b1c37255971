// ctx.client: the client harness (src/engine/client-harness/) bound to the check,
// beside ctx.program.run. The free functions stay exported from 'httpdojo/check'
// for check modules not yet written against the context; both are one implementation.
// Each judgement of a result first focuses its run (harness.focusRun): a check that ran
// the program several times at once is located with the run it fails on.

import type { CheckContext, ClientHarness } from '../check-api.js';
import * as harness from '../client-harness/index.js';

export function clientHarness(ctx: CheckContext): ClientHarness {
  const { cut, cutInside, escapeBytes, eventsOf, clientRequests, requestLine, exitText, outcome, show, sameOutput, CHECK_MS, EXIT_WITHIN_MS, NETWORK_CODES } = harness;
  return {
    cut, cutInside, escapeBytes, eventsOf, clientRequests, requestLine, exitText, outcome, show, sameOutput, CHECK_MS, EXIT_WITHIN_MS, NETWORK_CODES,
    agentOf: harness.agentOf, bodyBytesWritten: harness.bodyBytesWritten, bodyReceived: harness.bodyReceived, describeReceived: harness.describeReceived, madeRequest: harness.madeRequest, requestMediaType: harness.requestMediaType,
    server: (handler) => harness.testServer(ctx, handler),
    run: (server, args, stopWhen, options) => harness.runClient(ctx, server, args, stopWhen, options),
    failCommon: (result, server, sent, beforeLingering) => harness.failCommon(ctx, focused(result), server, sent, beforeLingering),
    failUnended: (result, sent, what) => harness.failUnended(ctx, focused(result), sent, what),
    failLingering: (result, sent, what) => harness.failLingering(ctx, focused(result), sent, what),
    expectSuccessOutput: (result, sent, text, aside) => harness.expectSuccessOutput(ctx, focused(result), sent, text, aside),
    expectFailureStatus: (result, server, sent, status, body, beforeLingering) => harness.expectFailureStatus(ctx, focused(result), server, sent, status, body, beforeLingering),
    expectErrorLine: (result, server, sent, beforeLingering) => harness.expectErrorLine(ctx, focused(result), server, sent, beforeLingering),
    sendPieces: (server, res, parts, end) => harness.sendPieces(ctx, server, res, parts, end),
    refusedOrigin: () => harness.refusedOrigin(ctx),
    expectNodeHttp: (result, server, sent, calls) => harness.expectNodeHttp(ctx, focused(result), server, sent, calls),
    headerLine: (result, name, fallback) => harness.headerLine(ctx, result, name, fallback),
    agentLine: (result) => harness.agentLine(ctx, result),
  };
}

function focused(result: harness.ClientResult): harness.ClientResult {
  harness.focusRun(result);
  return result;
}
