// The TLS files of lessons 16-19 in the learner's workspace (CURRICULUM.md "TLS
// files"): `<workspace>/certs/` gets the test CA and the localhost key and
// certificate when a lesson with `certs: true` is opened. The certificates the
// checks' bad servers present stay in httpdojo (they would only confuse), and an
// existing file is never overwritten (a learner may have made their own).

import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import { courseCerts } from '../engine/toolkit/tls/certs.js';

export const CERT_FILES = ['ca-cert.pem', 'localhost-cert.pem', 'localhost-key.pem'] as const;

/** `<root>/certs`, filled from the lesson's course if a file is missing; null for a lesson without `certs: true`. */
export function workspaceCerts(root: string, lesson: Lesson): string | null {
  if (!lesson.certs) return null;
  const target = join(root, 'certs');
  const source = courseCerts(dirname(lesson.dir)).dir;
  mkdirSync(target, { recursive: true });
  for (const name of CERT_FILES) {
    const to = join(target, name);
    if (!existsSync(to)) copyFileSync(join(source, name), to);
  }
  return target;
}
