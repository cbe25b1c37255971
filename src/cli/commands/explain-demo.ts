// httpdojo explain <pitfall> --demo: runs the pitfall's broken program and its
// fixed twin and shows the symptom on one side only. Exit 0 when it did; 1 when
// the demo did not show it; 2 when the pitfall has no demo (the page says why).

import { sections } from '../../course/front-matter.js';
import type { Pitfall } from '../../course/pitfalls.js';
import { DemoFormatError, loadDemo } from '../../engine/demo/scenario.js';
import { runDemo } from '../../engine/demo/run-demo.js';
import { LiveDemoView, renderDemo } from '../../report/demo.js';
import { columns, styleFor, wrap } from '../../report/style.js';
import { CliError, EXIT } from '../exit-codes.js';

export const NO_DEMO_EXIT = 2;

export async function runDemoCommand(lessonsDir: string, pitfall: Pitfall): Promise<number> {
  const out = process.stdout;
  const style = styleFor(out);
  const width = columns(out);
  let demo;
  try {
    demo = loadDemo(lessonsDir, pitfall.id);
  } catch (error) {
    // An instructor's scenario.json with a mistake: say which, as a failed demo.
    if (error instanceof DemoFormatError) throw new CliError(error.message, 'bad-demo', EXIT.failed);
    throw error;
  }
  if (!demo) {
    const reason = noDemoReason(pitfall.body);
    out.write(`${style.bold(`No demo for ${pitfall.id}.`)}\n${wrap(reason ?? 'Its page does not say why (it should: a "## Demo" section).', width)}\n`);
    return NO_DEMO_EXIT;
  }
  const view = new LiveDemoView(out, style);
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  view.start();
  try {
    const result = await runDemo(demo, { onProgress: (update) => view.update(update), signal: controller.signal });
    view.stop();
    if (controller.signal.aborted) {
      out.write(`${style.dim('Interrupted: both programs are stopped.')}\n`);
      return EXIT.interrupted;
    }
    out.write(renderDemo(result, { width, style }));
    return result.shown ? EXIT.ok : EXIT.failed;
  } finally {
    view.stop();
    process.off('SIGINT', onSignal);
  }
}

/** The page's "## Demo" section: why this pitfall cannot be shown by running it. */
export function noDemoReason(body: string): string | null {
  const text = sections(body).get('Demo')?.trim();
  return text ? text : null;
}
