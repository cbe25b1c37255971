// The two shapes of a check result that carry no evidence yet: a blank one that
// the runner fills in, and a check that was not run, with the reason.

import type { Check } from '../check-api.js';
import type { CheckResult } from '../verdict.js';

export function blank(id: string, title: string): CheckResult {
  return { id, title, status: 'passed', pitfall: null, message: null, location: null, durationMs: 0, wire: [], error: null, stderrTail: null };
}

export function skipped(check: Check, reason: string): CheckResult {
  return { ...blank(check.id, check.title), status: 'skipped', message: reason };
}
