// Creating a workspace. Idempotent: running it again (or in a folder that lost
// its .httpdojo/) creates what is missing and never overwrites a learner's file.
//
// Editor types for TypeScript learners, offline: httpdojo copies the
// `@types/node` it was installed with (and its one dependency, `undici-types`)
// into the workspace's node_modules. No network, and the real, complete Node 20
// declarations rather than a hand-written subset that could teach a wrong
// signature. When httpdojo's install has no @types/node, init says so and names
// the one command that fetches it; the code runs either way (tsx does not type-check).

import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Lesson } from '../course/lessons.js';
import { createFileAtomic, DATA_DIR, newState, readStateFile, statePath, writeFileAtomic, writeStateFile, type Language } from './state.js';
import { findWorkspaceRoot, openLesson, openWorkspace, WorkspaceError, type OpenedLesson, type Workspace } from './workspace.js';

export interface InitOptions {
  dir: string;
  lang: Language;
  /** An instructor's course folder, or null for the built-in course. */
  lessonsDir: string | null;
  lessons: Lesson[];
}

export interface InitResult {
  workspace: Workspace;
  /** True when the folder already was a workspace (nothing was overwritten). */
  existed: boolean;
  /** Paths created, relative to the workspace. */
  created: string[];
  /** Things the learner should know (one line each). */
  notes: string[];
  /** The lesson opened (the first one for a new workspace, the current one otherwise). */
  opened: { lesson: Lesson; file: OpenedLesson } | null;
}

const README = `This folder is an httpdojo workspace (https://www.npmjs.com/package/httpdojo).

  state.json   your progress: current lesson, passed lessons, attempts, hints shown.
               Written atomically; if it is ever lost or damaged, httpdojo rebuilds it
               from your lesson folders.
  backups/     your file as it was before each \`httpdojo reset\`.

Run \`npx httpdojo\` in the folder above this one to continue.
`;

export async function initWorkspace(options: InitOptions): Promise<InitResult> {
  const root = resolve(options.dir);
  const enclosing = findWorkspaceRoot(root);
  if (enclosing && enclosing !== root) {
    throw new WorkspaceError(`${root} is inside the httpdojo workspace ${enclosing}; run httpdojo there, or init somewhere else`, 'nested-workspace');
  }
  const existed = enclosing === root;
  const created: string[] = [];
  const notes: string[] = [];
  const record = (file: string) => created.push(relative(root, file) || '.');
  try {
    if (!existsSync(root)) {
      mkdirSync(root, { recursive: true });
      record(root);
    }
    mkdirSync(join(root, DATA_DIR), { recursive: true });
    if (createFileAtomic(join(root, DATA_DIR, 'README.txt'), README) && !existed) record(join(root, DATA_DIR));
  } catch (error) {
    throw new WorkspaceError(`cannot create the workspace in ${root}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, 'workspace-io');
  }

  let lang = options.lang;
  if (existed) {
    const read = readStateFile(root);
    if (read.ok && read.state.lang !== options.lang) {
      notes.push(`This workspace already uses ${read.state.lang === 'ts' ? 'TypeScript' : 'JavaScript'}; it stays that way.`);
      lang = read.state.lang;
    }
  } else if (!existsSync(statePath(root))) {
    writeStateFile(root, newState(lang, options.lessonsDir));
    record(statePath(root));
  }

  writePackageJson(root, lang, options.lessonsDir, record, notes);
  if (createFileAtomic(join(root, '.gitignore'), 'node_modules/\n')) record(join(root, '.gitignore'));
  if (lang === 'ts') {
    if (createFileAtomic(join(root, 'tsconfig.json'), TSCONFIG)) record(join(root, 'tsconfig.json'));
    installNodeTypes(root, record, notes);
  }

  const workspace = openWorkspace(root, options.lessons);
  if (workspace.notice && existed) notes.push(workspace.notice.charAt(0).toUpperCase() + workspace.notice.slice(1));
  const lesson = options.lessons.find((candidate) => candidate.id === workspace.state.current) ?? options.lessons[0] ?? null;
  let opened: InitResult['opened'] = null;
  if (lesson) {
    const file = await openLesson(workspace, lesson);
    if (file.created) record(file.file);
    opened = { lesson, file };
  }
  return { workspace, existed, created, notes, opened };
}

const TSCONFIG = `{
  // For your editor. httpdojo runs your .ts files with tsx, which does not type-check.
  "compilerOptions": {
    "target": "ES2022",
    "lib": ["ES2023"],
    "module": "NodeNext",
    "moduleResolution": "NodeNext",
    "strict": true,
    "esModuleInterop": true,
    "skipLibCheck": true,
    "noEmit": true,
    "allowImportingTsExtensions": true,
    "types": ["node"]
  },
  "include": ["*/*.ts", "*/*.mts"]
}
`;

function writePackageJson(root: string, lang: Language, lessonsDir: string | null, record: (file: string) => void, notes: string[]): void {
  const file = join(root, 'package.json');
  if (!existsSync(file)) {
    const name = basename(root).toLowerCase().replace(/[^a-z0-9-_.]+/g, '-').replace(/^[-_.]+|[-_.]+$/g, '') || 'httpdojo-workspace';
    const data = {
      name,
      private: true,
      description: "My httpdojo workspace: learning Node's http module.",
      type: 'module',
      httpdojo: { lang, ...(lessonsDir ? { lessons: relative(root, lessonsDir) || '.' } : {}) },
    };
    writeFileAtomic(file, JSON.stringify(data, null, 2) + '\n');
    record(file);
    return;
  }
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    notes.push('package.json is not valid JSON; left as it is. Lesson files use `import`, so it needs "type": "module".');
    return;
  }
  // Someone's existing package.json is theirs: say what it needs, do not change it.
  if (data.type === undefined) {
    notes.push('package.json has no "type"; lesson files use `import`, so add "type": "module" to it (Node guesses otherwise, and warns).');
  } else if (data.type !== 'module') {
    notes.push(`package.json says "type": "${String(data.type)}"; lesson files use \`import\`, so .js lessons need "type": "module".`);
  }
}

/** Copies httpdojo's own @types/node (and undici-types) into the workspace: editor types without the network. */
export function installNodeTypes(root: string, record: (file: string) => void = () => {}, notes: string[] = []): boolean {
  const target = join(root, 'node_modules', '@types', 'node');
  if (existsSync(join(target, 'package.json'))) return true;
  const source = packageFolder('@types/node', import.meta.url);
  if (!source) {
    notes.push('Editor types for node:http are not bundled with this httpdojo; `npm install --save-dev @types/node@20` here adds them (needs the network). Your code runs without them.');
    return false;
  }
  try {
    mkdirSync(dirname(target), { recursive: true });
    cpSync(source, target, { recursive: true });
    const undici = packageFolder('undici-types', join(source, 'package.json'));
    const undiciTarget = join(root, 'node_modules', 'undici-types');
    if (undici && !existsSync(undiciTarget)) cpSync(undici, undiciTarget, { recursive: true });
    record(join(root, 'node_modules', '@types', 'node'));
    return true;
  } catch (error) {
    notes.push(`Could not copy the editor types for node:http (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); \`npm install --save-dev @types/node@20\` adds them.`);
    return false;
  }
}

function packageFolder(name: string, from: string): string | null {
  try {
    return dirname(createRequire(from).resolve(`${name}/package.json`));
  } catch {
    return null;
  }
}
