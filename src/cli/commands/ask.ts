// httpdojo ask ["message"]: raise a hand on the classroom board, with the
// current failure (message, line, a few lines of code), sent because you asked.

import { baseEvent, enqueue, flush, lastFailure, readConfig } from '../../workspace/classroom-outbox.js';
import { CliError, EXIT } from '../exit-codes.js';
import { learnerContext, pickLesson, selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

export async function run([message]: string[], flags: OptionsOf<'ask'>): Promise<number> {
  const context = learnerContext(flags, { requireWorkspace: true });
  const root = context.workspace!.root;
  const config = readConfig(root);
  if (!config) throw new CliError(`this workspace is not in a classroom; join first: ${selfCommand()} join <url the mentor shows>`);
  const lesson = pickLesson(context, undefined);
  const diagnosis = lastFailure(root, lesson.id);
  const text = (message ?? '').slice(0, 500);
  enqueue(root, { ...baseEvent(config, 'hand'), lesson: lesson.id, message: text, diagnosis });
  const result = await flush(root, 3000);
  const what = diagnosis ? `with your last failure (${String(diagnosis.pitfall ?? diagnosis.check)})` : 'without a failure to show (verify first to send one)';
  if (result.error) {
    process.stdout.write(`Your hand is not on the board yet: ${result.error}. It waits in the outbox and goes out with the next verify.\n`);
    return EXIT.ok;
  }
  process.stdout.write(`Hand raised for lesson ${lesson.number}, ${what}. The mentor sees it on the board; the watch screen shows when they are on the way.\n`);
  return EXIT.ok;
}
