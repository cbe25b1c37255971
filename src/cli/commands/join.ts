// httpdojo join <url> [--name N]: this workspace reports to a classroom board.

import { userInfo } from 'node:os';
import { baseEvent, enqueue, flush, newId, parseJoinUrl, readConfig, writeConfig } from '../../workspace/classroom-outbox.js';
import { CliError, EXIT } from '../exit-codes.js';
import { learnerContext, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

type JoinFlags = OptionsOf<'join'>;

function defaultName(): string {
  try {
    return userInfo().username || 'learner';
  } catch {
    return 'learner';
  }
}

export async function run([urlText]: string[], flags: JoinFlags): Promise<number> {
  const { workspace } = learnerContext(flags, { requireWorkspace: true });
  const root = workspace!.root;
  const url = parseJoinUrl(urlText);
  if (!url) throw new CliError(`not a join URL: ${urlText || '(none)'}; it looks like http://192.168.1.20:4455/r/K7QX2P (the mentor shows it)`);
  const name = (flags.name ?? readConfig(root)?.name ?? defaultName()).trim().slice(0, 60);
  if (!name) throw new CliError('--name must not be empty');
  const previous = readConfig(root);
  // The learner id survives a re-join, so the board keeps one row per person.
  const config = { url, name, learner: previous?.learner ?? newId('l'), joinedAt: new Date().toISOString() };
  writeConfig(root, config);
  enqueue(root, baseEvent(config, 'join'));
  const result = await flush(root, 3000);
  const self = selfCommand();
  if (result.error) {
    process.stdout.write(`Joined ${url} as "${name}", but ${result.error}.\nYour results wait in the outbox and go out with the next verify. Check the URL with the mentor.\n`);
    return EXIT.ok;
  }
  process.stdout.write(`Joined ${url} as "${name}". Every verify now reports to the mentor's board (a summary, never your code).\nStuck? ${self} ask "what you tried" (or a in the watch screen) raises your hand.\n`);
  return EXIT.ok;
}
