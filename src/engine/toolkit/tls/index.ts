// ctx.tls: what lessons 16-19 need on top of plain HTTP. One file a part:
//   certs.ts       the course's TLS files (paths and PEM text)
//   https.ts       HTTPS requests to the learner's server, trusting only the test CA
//   servers.ts     TLS test servers for client lessons, one per certificate to present
//   h2.ts          HTTP/2 sessions to the learner's server (streams, cancels, resets, drops)
//   h2-servers.ts  HTTP/2 test servers for the HTTP/2 client lesson
// Everything a part opens is closed when the check's signal aborts (the end of every check).

import type { CheckContext } from '../../check-api.js';
import { courseCerts, type Certs } from './certs.js';
import { h2Servers, type H2Servers } from './h2-servers.js';
import { h2Sessions, type H2Sessions } from './h2.js';
import { httpsRequests, type HttpsRequests } from './https.js';
import { tlsServers, type TlsServers } from './servers.js';

export type { CertPair, Certs } from './certs.js';
export type * from './h2-servers.js';
export type * from './h2.js';
export type * from './https.js';
export type * from './servers.js';

export interface TlsToolkit {
  certs: Certs;
  https: HttpsRequests;
  servers: TlsServers;
  h2: H2Sessions;
  h2Servers: H2Servers;
}

export function tlsToolkit(ctx: CheckContext, lessonsDir: string): TlsToolkit {
  const certs = courseCerts(lessonsDir);
  return { certs, https: httpsRequests(ctx, certs), servers: tlsServers(ctx, certs), h2: h2Sessions(ctx, certs), h2Servers: h2Servers(ctx, certs) };
}
