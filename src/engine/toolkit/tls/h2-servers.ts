// ctx.tls.h2Server: HTTP/2 test servers for the HTTP/2 client lesson. (Being written: see the lesson that uses it.)

import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface H2Servers {}

export function h2Servers(_ctx: CheckContext, _certs: Certs): H2Servers {
  return {};
}
