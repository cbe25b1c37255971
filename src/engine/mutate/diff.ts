// A small unified diff (one hunk) between the solution and a mutant: the
// changed region found by trimming the common first and last lines, then a
// longest-common-subsequence inside it so a moved line shows as one - and one +.

/** Lines the region may hold before the LCS table (n*m cells) is skipped for a plain -/+ block. */
const MAX_LCS_LINES = 400;

export function unifiedDiff(before: string, after: string, name: string, context = 2): string {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  if (head === a.length && head === b.length) return '';
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const oldMiddle = a.slice(head, a.length - tail);
  const newMiddle = b.slice(head, b.length - tail);
  const from = Math.max(0, head - context);
  const before1 = a.slice(from, head).map((line) => ` ${line}`);
  const after1 = a.slice(a.length - tail, Math.min(a.length, a.length - tail + context)).map((line) => ` ${line}`);
  const middle = middleLines(oldMiddle, newMiddle);
  const oldCount = before1.length + oldMiddle.length + after1.length;
  const newCount = before1.length + newMiddle.length + after1.length;
  return [`--- ${name} (solution)`, `+++ ${name} (mutant)`, `@@ -${from + 1},${oldCount} +${from + 1},${newCount} @@`, ...before1, ...middle, ...after1].join('\n');
}

function middleLines(a: string[], b: string[]): string[] {
  if (a.length * b.length === 0 || a.length + b.length > MAX_LCS_LINES) return [...a.map((line) => `-${line}`), ...b.map((line) => `+${line}`)];
  // lengths[i][j]: the LCS of a[i..] and b[j..].
  const lengths = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) for (let j = b.length - 1; j >= 0; j--) lengths[i][j] = a[i] === b[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(` ${a[i]}`);
      i++;
      j++;
    } else if (i < a.length && (j === b.length || lengths[i + 1][j] >= lengths[i][j + 1])) {
      out.push(`-${a[i++]}`);
    } else {
      out.push(`+${b[j++]}`);
    }
  }
  return out;
}
