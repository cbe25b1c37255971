// A lesson's quiz.md -> questions, and grading answers against them. Pure: no
// file system here except in loadQuiz, so the parser is tested on strings.
//
// The format (docs/writing-lessons.md, "quiz.md"), one `## ` heading per question:
//
//   ## What does the client see when the handler throws?      <- the prompt
//   Optional lines of prompt text, and one optional fenced code block.
//   - [ ] a 500 Internal Server Error                          <- choices: exactly
//   - [x] no response at all: the connection is cut              one is [x]
//   The explanation: two or three sentences.
//   ```js
//   http.createServer(() => { throw new Error('x'); });        <- the snippet that shows it
//   ```
//   pitfall: sync-throw-crash                                  <- optional
//   fact: lessons-13-15.test.ts                                <- test/facts/<file>
//   fact-test: a throw in the request listener is an uncaught exception: …  <- its exact title

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface QuizQuestion {
  /** 1-based, in file order. */
  number: number;
  prompt: string;
  /** Code shown with the question (the program the learner predicts). */
  code: string | null;
  codeLang: string | null;
  choices: string[];
  /** 0-based index of the correct choice. */
  correct: number;
  explanation: string;
  /** The one-line snippet that shows the answer. */
  snippet: string | null;
  pitfall: string | null;
  /** The fact test proving the answer: a file in test/facts/ and a test title in it. */
  fact: { file: string; test: string } | null;
  /** 1-based line of the `## ` heading, for error messages. */
  line: number;
}

export interface Quiz {
  title: string | null;
  questions: QuizQuestion[];
}

export class QuizParseError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(`line ${line}: ${message}`);
  }
}

const CHOICE = /^\s*[-*] \[( |x|X)\] (.+)$/;
const META = /^(pitfall|fact|fact-test):\s*(.*)$/;
const FENCE = /^(```|~~~)\s*([\w-]*)\s*$/;

/** Parses quiz.md. Throws QuizParseError (with the line) on anything it cannot read. */
export function parseQuiz(text: string): Quiz {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  let title: string | null = null;
  const blocks: Block[] = [];
  let inFence: string | null = null;
  for (const [index, line] of lines.entries()) {
    const fence = FENCE.exec(line.trim());
    if (fence) inFence = inFence === null ? fence[1] : inFence === fence[1] && fence[2] === '' ? null : inFence;
    if (inFence === null && !fence && /^## /.test(line)) {
      blocks.push({ line: index + 1, heading: line.slice(3).trim(), body: [] });
    } else if (inFence === null && !fence && /^# /.test(line) && blocks.length === 0) {
      title = line.slice(2).trim();
    } else if (blocks.length > 0) {
      blocks[blocks.length - 1].body.push(line);
    }
  }
  if (inFence !== null) throw new QuizParseError('a code block is never closed', lines.length);
  return { title, questions: blocks.map((block, index) => parseQuestion(block, index + 1)) };
}

interface Block {
  line: number;
  heading: string;
  body: string[];
}

/** Reads one question's lines in order: prompt, choices, explanation, metadata. */
class QuestionReader {
  private part: 'prompt' | 'choices' | 'explanation' | 'meta' = 'prompt';
  readonly promptLines: string[] = [];
  readonly explanation: string[] = [];
  readonly choices: string[] = [];
  readonly marked: number[] = [];
  code: { lang: string | null; text: string } | null = null;
  snippet: string | null = null;
  readonly meta: Record<string, string> = {};

  constructor(private readonly block: Block) {
    for (let i = 0; i < block.body.length; i++) i = this.read(i);
  }

  private at(offset: number): number {
    return this.block.line + 1 + offset;
  }

  /** Reads the line at `i` (a whole code block when it opens one); returns the last index used. */
  private read(i: number): number {
    const line = this.block.body[i];
    const fence = FENCE.exec(line.trim());
    if (fence) return this.readFence(i, fence[1], fence[2] || null);
    const choice = CHOICE.exec(line);
    if (choice && (this.part === 'prompt' || this.part === 'choices')) {
      this.part = 'choices';
      if (choice[1] !== ' ') this.marked.push(this.choices.length);
      this.choices.push(choice[2].trim());
      return i;
    }
    const meta = META.exec(line.trim());
    if (meta && this.part !== 'prompt') {
      this.part = 'meta';
      if (this.meta[meta[1]] !== undefined) throw new QuizParseError(`${meta[1]}: appears twice`, this.at(i));
      this.meta[meta[1]] = meta[2].trim();
      return i;
    }
    this.readText(line, i);
    return i;
  }

  private readFence(i: number, marker: string, lang: string | null): number {
    const end = this.block.body.findIndex((candidate, j) => j > i && candidate.trim() === marker);
    if (end < 0) throw new QuizParseError('a code block is never closed', this.at(i));
    const text = this.block.body.slice(i + 1, end).join('\n').replace(/\s+$/, '');
    if (this.part === 'prompt') {
      if (this.code) throw new QuizParseError('a question has at most one code block before its choices', this.at(i));
      this.code = { lang, text };
    } else if (this.part === 'choices' || this.part === 'explanation') {
      if (this.snippet !== null) throw new QuizParseError('an explanation has at most one code block (the snippet)', this.at(i));
      this.snippet = text;
      this.part = 'explanation';
    } else throw new QuizParseError('a code block after pitfall:/fact: lines', this.at(i));
    return end;
  }

  private readText(line: string, i: number): void {
    const blank = line.trim() === '';
    if (this.part === 'prompt') this.promptLines.push(blank ? '' : line);
    else if (this.part === 'meta') {
      if (!blank) throw new QuizParseError(`unexpected text after the pitfall:/fact: lines: ${JSON.stringify(line.trim().slice(0, 40))}`, this.at(i));
    } else if (this.part === 'choices' && /^\s{2,}\S/.test(line)) {
      // An indented line continues the choice above it.
      this.choices[this.choices.length - 1] += ` ${line.trim()}`;
    } else if (!blank || this.part === 'explanation') {
      this.part = 'explanation';
      this.explanation.push(blank ? '' : line);
    }
  }
}

function parseQuestion(block: Block, number: number): QuizQuestion {
  if (!block.heading) throw new QuizParseError('a question heading (## …) has no text', block.line);
  const read = new QuestionReader(block);
  const where = `question ${number} ("${block.heading.slice(0, 50)}")`;
  if (read.choices.length < 2) throw new QuizParseError(`${where} needs at least two choices ("- [ ] …" lines)`, block.line);
  if (read.marked.length !== 1) throw new QuizParseError(`${where} must mark exactly one choice correct with [x], not ${read.marked.length}`, block.line);
  const explanation = read.explanation.join('\n').trim();
  if (!explanation) throw new QuizParseError(`${where} has no explanation after its choices`, block.line);
  const { meta } = read;
  const pitfall = meta.pitfall || null;
  if (pitfall && !/^[a-z0-9-]+$/.test(pitfall)) throw new QuizParseError(`${where}: pitfall must be an id like missing-res-end`, block.line);
  return {
    number,
    prompt: [block.heading, read.promptLines.join('\n').trim()].filter(Boolean).join('\n\n'),
    code: read.code?.text ?? null,
    codeLang: read.code?.lang ?? null,
    choices: read.choices,
    correct: read.marked[0],
    explanation,
    snippet: read.snippet,
    pitfall,
    fact: meta.fact || meta['fact-test'] ? { file: meta.fact ?? '', test: meta['fact-test'] ?? '' } : null,
    line: block.line,
  };
}

/** The lesson's quiz, null when it has none. Throws QuizParseError when it does not parse. */
export function loadQuiz(lessonDir: string): Quiz | null {
  const file = join(lessonDir, 'quiz.md');
  if (!existsSync(file)) return null;
  return parseQuiz(readFileSync(file, 'utf8'));
}

/**
 * Problems an author must fix, one line each (dev check); [] when the quiz is sound.
 * With `factsDir` (the course's test/facts/, when it has one) the named fact tests
 * must exist there too.
 */
export function quizProblems(quiz: Quiz, factsDir?: string): string[] {
  const problems: string[] = [];
  if (quiz.questions.length < 3) problems.push(`quiz.md has ${quiz.questions.length} questions, expected at least 3`);
  const titles = new Map<string, Array<(title: string) => boolean> | null>();
  for (const question of quiz.questions) {
    const where = `quiz.md question ${question.number} (line ${question.line})`;
    if (question.correct < 0 || question.correct >= question.choices.length) problems.push(`${where}: the correct choice is out of range`);
    if (!question.fact?.file || !question.fact.test) {
      problems.push(`${where} names no fact test (fact: <file in test/facts> and fact-test: <title>)`);
      continue;
    }
    if (!factsDir) continue;
    const { file, test } = question.fact;
    if (!titles.has(file)) titles.set(file, existsSync(join(factsDir, file)) ? testTitles(readFileSync(join(factsDir, file), 'utf8')) : null);
    const found = titles.get(file);
    if (!found) problems.push(`${where}: its fact test file test/facts/${file} does not exist`);
    else if (!found.some((matches) => matches(test))) problems.push(`${where}: no test titled "${test}" in test/facts/${file}`);
  }
  return problems;
}

/**
 * The titles of `it(...)`/`test(...)` calls in a test file's source. A template
 * title (`${label} in the same tick …`) becomes a pattern whose `${…}` parts must
 * match text that appears as a string literal in the file (the loop's labels).
 */
export function testTitles(source: string): Array<(title: string) => boolean> {
  const found: Array<(title: string) => boolean> = [];
  const call = /\b(?:it|test)(?:\.(?:each\([^)]*\)|concurrent|sequential|skipIf\([^)]*\)|runIf\([^)]*\)))?\(\s*(?:'((?:[^'\\\n]|\\.)*)'|"((?:[^"\\\n]|\\.)*)"|`((?:[^`\\]|\\.)*)`)/g;
  const unescape = (text: string) => text.replace(/\\(.)/g, '$1');
  for (const match of source.matchAll(call)) {
    const literal = match[1] ?? match[2];
    const parts = literal !== undefined ? [unescape(literal)] : match[3].split(/\$\{[^}]*\}/).map(unescape);
    if (parts.length === 1) {
      found.push((wanted) => wanted === parts[0]);
      continue;
    }
    const pattern = new RegExp(`^${parts.map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('(.+?)')}$`);
    found.push((wanted) => {
      const filled = pattern.exec(wanted);
      return filled !== null && filled.slice(1).every((value) => source.includes(`'${value}'`) || source.includes(`"${value}"`));
    });
  }
  return found;
}

// ---------------------------------------------------------------- grading

export interface GradedAnswer {
  question: QuizQuestion;
  /** 0-based choice the learner picked. */
  chosen: number;
  right: boolean;
}

export interface QuizResult {
  answers: GradedAnswer[];
  correct: number;
  total: number;
}

/** `2,1,3` (1-based) -> 0-based choices; throws a one-line Error on a bad list. */
export function parseAnswerList(text: string, quiz: Quiz): number[] {
  const parts = text.split(',').map((part) => part.trim());
  if (parts.length !== quiz.questions.length) {
    throw new Error(`--answer needs ${quiz.questions.length} answers (one per question, comma-separated, e.g. ${quiz.questions.map(() => '1').join(',')}), got ${parts.length}`);
  }
  return parts.map((part, index) => {
    const count = quiz.questions[index].choices.length;
    if (!/^\d+$/.test(part) || Number(part) < 1 || Number(part) > count) throw new Error(`answer ${index + 1} must be a number from 1 to ${count}, not ${JSON.stringify(part)}`);
    return Number(part) - 1;
  });
}

export function grade(quiz: Quiz, chosen: number[]): QuizResult {
  const answers = quiz.questions.map((question, index) => ({ question, chosen: chosen[index], right: chosen[index] === question.correct }));
  return { answers, correct: answers.filter((answer) => answer.right).length, total: quiz.questions.length };
}

/** What `quiz --json` prints per question: everything but the answer and its explanation. */
export function publicQuestion(question: QuizQuestion): { number: number; prompt: string; code: string | null; choices: string[] } {
  return { number: question.number, prompt: question.prompt, code: question.code, choices: question.choices };
}
