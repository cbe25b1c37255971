// ctx.client: the client harness (src/engine/client-harness/) bound to the check,
// beside ctx.program.run. The free functions stay exported from 'httpdojo/check'
// for check modules not yet written against the context; both are one implementation.

import type { CheckContext, ClientHarness } from '../check-api.js';
import { failCommon, runClient, testServer } from '../client-harness/index.js';

export function clientHarness(ctx: CheckContext): ClientHarness {
  return {
    server: (handler) => testServer(ctx, handler),
    run: (server, args, stopWhen, options) => runClient(ctx, server, args, stopWhen, options),
    failCommon: (result, server, sent, beforeLingering) => failCommon(ctx, result, server, sent, beforeLingering),
  };
}
