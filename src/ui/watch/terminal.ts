// The watch screen's hold on the terminal: raw mode and keypress events on the
// input, redraws on resize, and the signals that end it. Raw mode is always
// restored: on q, Ctrl-C, a signal, an exception, or the process exiting.

import { emitKeypressEvents } from 'node:readline';
import { HANGUP, INTERRUPTED, type Key } from './keys.js';

export interface TerminalHandlers {
  key(text: string, key: Key): void;
  resize(): void;
  /** SIGINT, SIGTERM (exit code 130) or SIGHUP (129): the terminal is closing or the learner asked to stop. */
  signal(code: number): void;
}

export class WatchTerminal {
  constructor(
    readonly input: NodeJS.ReadStream,
    readonly output: NodeJS.WriteStream,
    private readonly handlers: TerminalHandlers,
  ) {}

  private readonly onKeypress = (text: string | undefined, key: Key | undefined) => this.handlers.key(text ?? '', key ?? {});
  private readonly onResize = () => this.handlers.resize();
  private readonly onSignal = (signal: NodeJS.Signals) => this.handlers.signal(signal === 'SIGHUP' ? HANGUP : INTERRUPTED);
  private readonly onExit = () => this.restore();

  take(): void {
    emitKeypressEvents(this.input);
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.on('keypress', this.onKeypress);
    this.input.resume();
    this.output.on('resize', this.onResize);
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    process.on('SIGHUP', this.onSignal);
    process.on('exit', this.onExit);
  }

  /** Cooked mode again. */
  restore(): void {
    try {
      if (this.input.isTTY) this.input.setRawMode(false);
    } catch {
      // The terminal is gone (SIGHUP).
    }
  }

  release(): void {
    this.restore();
    this.input.off('keypress', this.onKeypress);
    this.input.pause();
    this.output.off('resize', this.onResize);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    process.off('SIGHUP', this.onSignal);
    process.off('exit', this.onExit);
  }

  /** Stops handling keys while someone else (the quiz's prompts) reads the same input. */
  suspendKeys(): void {
    this.input.off('keypress', this.onKeypress);
  }

  resumeKeys(): void {
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.on('keypress', this.onKeypress);
    this.input.resume();
  }

  /** Resolves on the next key (raw mode, so one key is enough). */
  nextKey(): Promise<void> {
    if (this.input.isTTY) this.input.setRawMode(true);
    this.input.resume();
    return new Promise((resolve) => this.input.once('keypress', () => resolve()));
  }

  write(text: string): void {
    this.output.write(text);
  }
}
