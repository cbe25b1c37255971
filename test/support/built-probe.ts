// A program run under the built probe (dist/engine/probe/probe.js: bundled, as
// verify runs it), its events read off the probe's channel (fd 3). The probe
// tests that drive real TLS and HTTP/2 servers use it. Needs `npm run build`.

import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeEvent } from '../../src/engine/probe-events.js';

export const ROOT = join(import.meta.dirname, '..', '..');
export const PROBE = join(ROOT, 'dist', 'engine', 'probe', 'probe.js');

export class ProbedProgram {
  readonly events: ProbeEvent[] = [];
  readonly child: ChildProcess;
  stdout = '';
  /** Writes `lines` to `file` and starts it with `args`. */
  constructor(readonly file: string, readonly lines: string[], args: string[] = []) {
    writeFileSync(file, lines.join('\n') + '\n');
    this.child = spawn(process.execPath, ['--import', PROBE, file, ...args], { stdio: ['ignore', 'pipe', 'pipe', 'pipe'], env: { ...process.env, HTTPDOJO_PROBE_FD: '3', NODE_OPTIONS: '' } });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.stdout += chunk.toString()));
    let rest = '';
    (this.child.stdio[3] as NodeJS.ReadableStream).on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) if (line) this.events.push(JSON.parse(line) as ProbeEvent);
    });
  }

  /** The 1-based line of the program marked `// MARK:<mark>`. */
  line(mark: string): number {
    return this.lines.findIndex((line) => line.includes(`// MARK:${mark}`)) + 1;
  }

  /** Polls every 10 ms until `done()`, at most `timeoutMs`; throws naming `what` and the events seen. */
  async until(done: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 10))) if (done()) return;
    throw new Error(`no ${what} within ${timeoutMs} ms; events: ${this.events.map((e) => e.t).join(' ')}`);
  }

  /** The first event `where` accepts, once it came (at most `timeoutMs`). */
  async waitFor(where: (event: ProbeEvent) => boolean, timeoutMs = 5000): Promise<ProbeEvent> {
    await this.until(() => this.events.some(where), 'such event', timeoutMs);
    return this.events.find(where)!;
  }

  /** The exit code, once the program ended by itself. */
  exited(): Promise<number | null> {
    return new Promise((resolve) => (this.child.exitCode !== null ? resolve(this.child.exitCode) : this.child.once('exit', resolve)));
  }

  stop(): void {
    this.child.kill('SIGKILL');
  }
}
