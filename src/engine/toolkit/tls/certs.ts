// The TLS files of lessons 16-19 (CURRICULUM.md "TLS files"): the course's own
// `certs/` folder beside its lessons (an instructor's course may ship its own),
// else httpdojo's. `checks/` holds the certificates of the servers a client must
// refuse; they never reach the learner's workspace. Read once per process: a
// few kilobytes that never change while httpdojo runs.

import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface CertPair {
  certFile: string;
  keyFile: string;
  /** PEM text. */
  cert: string;
  key: string;
}

export interface Certs {
  /** The folder a server program gets as argv[2] (absolute). */
  dir: string;
  /** The test CA (CN=httpdojo test CA): the only CA every TLS check trusts. */
  caFile: string;
  ca: string;
  /** The lesson's leaf for DNS:localhost, IP:127.0.0.1, IP:::1, issued by the test CA. */
  localhost: CertPair;
  /** What a client must refuse: a test-CA leaf for wrong.example only, a localhost leaf from another CA, a self-signed one, an expired one (2020-2021). */
  bad: { wrongHost: CertPair; otherCa: CertPair; selfSigned: CertPair; expired: CertPair };
}

/** httpdojo's own certs folder (lessons/certs), from src/ or dist/. */
export function bundledCertsDir(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), '../../../../lessons/certs');
}

const cache = new Map<string, Certs>();

/** The certificates for a course whose lessons live in `lessonsDir`. */
export function courseCerts(lessonsDir: string): Certs {
  const own = join(lessonsDir, 'certs');
  const dir = existsSync(join(own, 'ca-cert.pem')) ? own : bundledCertsDir();
  const cached = cache.get(dir);
  if (cached) return cached;
  const checks = existsSync(join(dir, 'checks')) ? join(dir, 'checks') : join(bundledCertsDir(), 'checks');
  const pair = (folder: string, name: string): CertPair => {
    const certFile = join(folder, `${name}-cert.pem`);
    const keyFile = join(folder, `${name}-key.pem`);
    return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
  };
  const caFile = join(dir, 'ca-cert.pem');
  const certs: Certs = {
    dir,
    caFile,
    ca: readFileSync(caFile, 'utf8'),
    localhost: pair(dir, 'localhost'),
    bad: { wrongHost: pair(checks, 'wrong-host'), otherCa: pair(checks, 'other-ca'), selfSigned: pair(checks, 'self-signed'), expired: pair(checks, 'expired') },
  };
  cache.set(dir, certs);
  return certs;
}
