// ctx.tls.httpsRequest: HTTPS requests to the learner's server. (Being written: see the lesson that uses it.)

import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface HttpsRequests {}

export function httpsRequests(_ctx: CheckContext, _certs: Certs): HttpsRequests {
  return {};
}
