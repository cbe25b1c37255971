// The pitfall ids the client harness can report (judge.ts; run.ts and server.ts
// report none). A check module that imports the harness from 'httpdojo/check'
// reports these too, so `dev check` requires a page for each one the lesson does
// not list (check-scan.ts); test/engine/client-harness-export.test.ts keeps this
// list equal to what the harness's source says.
export const CLIENT_HARNESS_PITFALLS = [
  'client-missing-end', 'client-no-error-handler', 'crash', 'ignores-status-code', 'not-using-http-module', 'string-concat-chunks', 'timeout', 'unconsumed-response', 'wrong-body',
  'wrong-status',
] as const;
