// ctx.tls.h2Session: HTTP/2 sessions to the learner's server. (Being written: see the lesson that uses it.)

import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface H2Sessions {}

export function h2Sessions(_ctx: CheckContext, _certs: Certs): H2Sessions {
  return {};
}
