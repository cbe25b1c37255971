// The marker `httpdojo dev new` writes on every line an author still has to
// replace, and how `dev check` finds them again (src/engine/course-structure.ts).
// A stub is text the scaffold could not know (the explanation, the hints, the
// pitfall page) or an example the author is meant to replace with their lesson.

export const STUB_MARKER = 'TODO(httpdojo dev new)';

/** `TODO(httpdojo dev new): what to write`, in a Markdown or code line (comment or not). */
const STUB_LINE = /TODO\(httpdojo dev new\):?\s*(.*?)\s*(?:-->)?\s*$/;

export interface Stub {
  /** 1-based line of the marker. */
  line: number;
  /** What to write, as the marker says (may be empty). */
  what: string;
}

/** Every stub marker in a file's text, in order. */
export function findStubs(text: string): Stub[] {
  const stubs: Stub[] = [];
  text.split('\n').forEach((line, index) => {
    const match = STUB_LINE.exec(line);
    if (match) stubs.push({ line: index + 1, what: match[1] });
  });
  return stubs;
}

/** The marker line in a given comment style: `// TODO(httpdojo dev new): text`. */
export function stub(what: string, comment: '//' | '' = ''): string {
  return `${comment ? `${comment} ` : ''}${STUB_MARKER}: ${what}`;
}
