// What a kind's templates give the scaffold (src/course/scaffold/index.ts).

export type LessonKind = 'server' | 'client' | 'proxy';

export interface ScaffoldParams {
  /** The folder name: `07-cookie-parsing`. */
  id: string;
  slug: string;
  title: string;
  kind: LessonKind;
  /** The new pitfall id the example check reports and the example mistake is diagnosed with. */
  pitfall: string;
}

export interface KindTemplates {
  /** The learner's file name without extension. */
  file: string;
  deadline: number;
  /** The `args:` line's comment (client and proxy lessons get a URL as argv[2]). */
  argsNote: string;
  /** The "## Your task" list, matching the example check. */
  task: string;
  /** Three hints for the example task: a nudge, the API, nearly the answer. */
  hints: [string, string, string];
  starter: string;
  solution: string;
  /** The example mistake, `mistakes/<pitfall>.ts`: `// pitfall:` first, one `// BUG:` line. */
  mistake: string;
  check: string;
}
