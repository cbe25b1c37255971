// ctx.tls.tlsServer: TLS test servers for client lessons. (Being written: see the lesson that uses it.)

import type { CheckContext } from '../../check-api.js';
import type { Certs } from './certs.js';

// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface TlsServers {}

export function tlsServers(_ctx: CheckContext, _certs: Certs): TlsServers {
  return {};
}
