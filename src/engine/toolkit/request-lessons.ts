// The value exports of the toolkit for server lessons 02 and 03 (rerun by 15;
// check-api.ts re-exports this file whole): a route that never answers and the
// branch it fell through (routing.ts), a request target split by hand (targets.ts),
// a JSON object judged field by field (fields.ts).

export { failUnanswered, nearestRoutes, requestRoute, silentBranch, timedOut } from './routing.js';
export { handSplitLine, pathSplitSymptom, querySplitSymptom } from './targets.js';
export { expectFields, type FieldRule } from './fields.js';
