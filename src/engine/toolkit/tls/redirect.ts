// Where a redirect to the HTTPS server points, per CURRICULUM.md 16: scheme
// https, host localhost or 127.0.0.1, port P (what the program passed to the TLS
// server's listen()), the bound port (address().port), or no port when P is 443
// (https's default port, RFC 9110 §4.2.2). The target is URL.pathname + URL.search
// (WHATWG URL parsing, as browsers and curl follow it; no path means `/`).

import type { EventOf } from '../../probe-events.js';

export type RedirectTarget =
  | { ok: true; port: number; target: string; url: URL }
  | { ok: false; why: string };

export function mapRedirect(location: string | undefined, tls: EventOf<'listen'> | null): RedirectTarget {
  if (location === undefined || location === '') return { ok: false, why: 'the response has no Location header' };
  let url: URL;
  try {
    url = new URL(location);
  } catch {
    return { ok: false, why: `Location ${JSON.stringify(location)} is not an absolute URL (a relative one resolves against the plain-HTTP origin it came from)` };
  }
  if (url.protocol !== 'https:') return { ok: false, why: `Location ${JSON.stringify(location)} is not an https: URL` };
  if (url.hostname !== 'localhost' && url.hostname !== '127.0.0.1') {
    return { ok: false, why: `Location ${JSON.stringify(location)} points at host ${JSON.stringify(url.hostname)}, not at your HTTPS server (localhost)` };
  }
  if (!tls) return { ok: false, why: 'your program has no HTTPS (tls.Server) listener to map the port to' };
  const requested = Number(tls.requested.port);
  // WHATWG URL drops the default port: `https://localhost:443/` has port ''.
  const port = url.port === '' ? 443 : Number(url.port);
  if (port === tls.port || (Number.isInteger(requested) && requested > 0 && port === requested)) {
    return { ok: true, port: tls.port, target: url.pathname + url.search, url };
  }
  const asked = Number.isInteger(requested) && requested > 0 ? `${requested}` : `the port it was given (${String(tls.requested.port)})`;
  return {
    ok: false,
    why: url.port === ''
      ? `Location ${JSON.stringify(location)} has no port, which means 443, but your HTTPS server listens on ${asked}`
      : `Location ${JSON.stringify(location)} points at port ${port}, but your HTTPS server listens on ${asked}`,
  };
}
