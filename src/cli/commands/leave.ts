// httpdojo leave: stop reporting to the classroom board.

import { baseEvent, flush, forget, readConfig, request } from '../../workspace/classroom-outbox.js';
import { EXIT } from '../exit-codes.js';
import { learnerContext } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run(_args: string[], flags: OptionsOf<'leave'>): Promise<number> {
  const { workspace } = learnerContext(flags, { requireWorkspace: true });
  const root = workspace!.root;
  const config = readConfig(root);
  if (!config) {
    process.stdout.write('This workspace is not in a classroom.\n');
    return EXIT.ok;
  }
  // Results still in the outbox go first, then the leave; best effort: offline, the
  // board simply never hears from this workspace again.
  const pending = await flush(root, 2000);
  const answer = await request(`${config.url}/events`, 'POST', JSON.stringify(baseEvent(config, 'leave')), 2000);
  if (pending.left) process.stdout.write(`${pending.left} result${pending.left === 1 ? '' : 's'} could not be delivered (${pending.error}); they are dropped.\n`);
  forget(root);
  process.stdout.write(`Left ${config.url}${answer.status === 200 ? '' : ' (the board did not answer; it will not hear from this workspace again)'}. Nothing is sent any more.\n`);
  return EXIT.ok;
}
