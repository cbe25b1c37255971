// Lesson 09's check compares /hash answers with known answers instead of computing
// them during verify (0.8 s of CPU beside the learner's server): each must be
// pbkdf2(password, "httpdojo", 1,000,000, 32, "sha256") in hex, as CURRICULUM 09 says.

import { pbkdf2 } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const text = readFileSync(new URL('../../lessons/09-event-loop/check.ts', import.meta.url), 'utf8');
const table = [...text.matchAll(/\['(\w+)', '([0-9a-f]{64})'\]/g)].map((match) => [match[1], match[2]] as const);

describe('lesson 09 known hashes', () => {
  it('lists the four passwords', () => {
    expect(table.map(([password]) => password)).toEqual(['alpha', 'bravo', 'charlie', 'delta']);
  });
  it('each is pbkdf2 of its password (computed in parallel on the thread pool)', async () => {
    const keys = await Promise.all(table.map(([password]) => promisify(pbkdf2)(password, 'httpdojo', 1_000_000, 32, 'sha256')));
    expect(keys.map((key) => key.toString('hex'))).toEqual(table.map(([, hex]) => hex));
  }, 20_000);
});
