// Starts the learner's program under the probe and owns it until it is gone.
//
// The program is the least trusted thing on the machine: it may loop forever,
// exit at once, ignore SIGTERM, spawn detached children, flood stdout or eat
// memory. So: its own process group, a tag in its environment for what escapes
// the group, capped output capture, a memory cap, an events channel (fd 3) that
// its output cannot corrupt, and a kill that is synchronous and idempotent.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { dirname } from 'node:path';
import { isAlive, killProcessTree, ownProcessGroup, residentBytes } from './platform.js';
/** Keeps the first `cap` bytes of a stream and counts the rest. */
export class CappedOutput {
    cap;
    chunks = [];
    kept = 0;
    dropped = 0;
    constructor(cap) {
        this.cap = cap;
    }
    push(chunk) {
        const room = this.cap - this.kept;
        if (room > 0) {
            const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
            this.chunks.push(part);
            this.kept += part.length;
        }
        this.dropped += Math.max(0, chunk.length - Math.max(0, room));
    }
    text() {
        return Buffer.concat(this.chunks).toString('utf8');
    }
    get bytes() {
        return this.kept + this.dropped;
    }
}
const live = new Set();
let exitHookInstalled = false;
/** Kill every learner process still running. Synchronous: safe in 'exit' and signal handlers. */
export function killAllLearnerProcesses() {
    for (const program of live)
        program.killNow('httpdojo');
}
function resolveLoader() {
    return import.meta.resolve('tsx');
}
function resolveProbe() {
    // From dist/ the probe is compiled JavaScript; when the engine itself runs from
    // source (the test suite), tsx is loaded first and can run the .ts probe.
    const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
    return new URL(`./probe/probe${extension}`, import.meta.url).href;
}
export class LearnerProcess {
    options;
    tag = randomUUID();
    events = [];
    stdout;
    stderr;
    exited;
    exitInfo = null;
    peakRss = 0;
    child;
    startedAt = performance.now();
    subscribers = new Set();
    exitSubscribers = new Set();
    killReason = null;
    memoryTimer;
    constructor(options) {
        this.options = options;
        const memoryCapMb = options.memoryCapMb ?? 768;
        this.stdout = new CappedOutput(options.outputCapBytes ?? 256 * 1024);
        this.stderr = new CappedOutput(options.outputCapBytes ?? 256 * 1024);
        if (!exitHookInstalled) {
            exitHookInstalled = true;
            process.on('exit', killAllLearnerProcesses);
        }
        this.child = spawn(process.execPath, [
            `--max-old-space-size=${memoryCapMb}`,
            '--import', resolveLoader(),
            '--import', resolveProbe(),
            options.file,
            ...(options.args ?? []),
        ], {
            cwd: options.cwd ?? dirname(options.file),
            detached: ownProcessGroup,
            stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
            env: {
                ...process.env,
                ...options.env,
                HTTPDOJO_PROBE_FD: '3',
                HTTPDOJO_RUN: this.tag,
                // The learner's colours would only be escape codes in a report.
                FORCE_COLOR: '0',
                NO_COLOR: '1',
            },
            windowsHide: true,
        });
        live.add(this);
        this.child.stdout.on('data', (chunk) => this.stdout.push(chunk));
        this.child.stderr.on('data', (chunk) => this.stderr.push(chunk));
        this.readChannel(this.child.stdio[3]);
        this.exited = new Promise((resolve) => {
            const finish = (code, signal) => {
                if (this.exitInfo)
                    return;
                clearInterval(this.memoryTimer);
                live.delete(this);
                this.exitInfo = { code, signal, killedBy: this.killReason, atMs: this.elapsed() };
                for (const notify of this.exitSubscribers)
                    notify();
                resolve(this.exitInfo);
            };
            this.child.once('exit', (code, signal) => {
                // Anything the program left in its group dies now; then the pipes close and
                // the last events (an uncaught error written just before exit) are read.
                killProcessTree(this.child.pid ?? -1, this.tag);
                const grace = setTimeout(() => finish(code, signal), 500);
                this.child.once('close', () => {
                    clearTimeout(grace);
                    finish(code, signal);
                });
            });
            this.child.once('error', () => finish(null, null));
        });
        this.memoryTimer = setInterval(() => {
            const rss = this.child.pid ? residentBytes(this.child.pid) : null;
            if (rss === null)
                return;
            this.peakRss = Math.max(this.peakRss, rss);
            if (rss > memoryCapMb * 2 * 1024 * 1024)
                this.killNow('memory-cap');
        }, 200);
        this.memoryTimer.unref();
    }
    get pid() {
        return this.child.pid;
    }
    get running() {
        return this.exitInfo === null;
    }
    elapsed() {
        return Math.round(performance.now() - this.startedAt);
    }
    readChannel(stream) {
        if (!stream)
            return;
        let pending = '';
        stream.setEncoding('utf8');
        stream.on('data', (text) => {
            pending += text;
            // A line is an event; a runaway line (should never happen) is dropped.
            if (pending.length > 4 * 1024 * 1024)
                pending = '';
            let newline;
            while ((newline = pending.indexOf('\n')) >= 0) {
                const line = pending.slice(0, newline);
                pending = pending.slice(newline + 1);
                let event;
                try {
                    event = JSON.parse(line);
                }
                catch {
                    continue;
                }
                event.receivedAt = this.elapsed();
                this.events.push(event);
                for (const notify of this.subscribers)
                    notify(event);
            }
        });
        stream.on('error', () => { });
    }
    /** Calls `listener` for each event from now on; returns the unsubscribe. */
    onEvent(listener) {
        this.subscribers.add(listener);
        return () => this.subscribers.delete(listener);
    }
    /**
     * The first event (already received, from index `since` on, or arriving
     * later) that matches; null when the deadline passes, the program exits or the
     * signal aborts first.
     */
    waitForEvent(type, options) {
        const matches = (event) => event.t === type && (!options.where || options.where(event));
        const existing = this.events.slice(options.since ?? 0).find(matches);
        if (existing)
            return Promise.resolve(existing);
        if (!this.running || options.signal?.aborted)
            return Promise.resolve(null);
        return new Promise((resolve) => {
            const done = (value) => {
                clearTimeout(timer);
                unsubscribe();
                this.exitSubscribers.delete(onExit);
                options.signal?.removeEventListener('abort', onAbort);
                resolve(value);
            };
            const unsubscribe = this.onEvent((event) => {
                if (matches(event))
                    done(event);
            });
            const onExit = () => done(null);
            const onAbort = () => done(null);
            this.exitSubscribers.add(onExit);
            options.signal?.addEventListener('abort', onAbort, { once: true });
            const timer = setTimeout(() => done(null), options.timeoutMs);
        });
    }
    /** Resolves with the exit, or null if the program is still running after `timeoutMs`. */
    async waitForExit(timeoutMs) {
        if (this.exitInfo)
            return this.exitInfo;
        let timer;
        const timeout = new Promise((resolve) => {
            timer = setTimeout(() => resolve(null), timeoutMs);
        });
        try {
            return await Promise.race([this.exited, timeout]);
        }
        finally {
            clearTimeout(timer);
        }
    }
    /** Sends a signal to the program itself (not its group), as a terminal or supervisor would. */
    signal(signal) {
        if (!this.running || !this.child.pid)
            return false;
        try {
            process.kill(this.child.pid, signal);
            return true;
        }
        catch {
            return false;
        }
    }
    /** Synchronous kill of the whole tree; the 'exit' event follows. */
    killNow(reason) {
        if (!this.running)
            return;
        this.killReason ??= reason;
        killProcessTree(this.child.pid ?? -1, this.tag);
    }
    /** Kills the tree and waits (bounded) until the program is gone. */
    async stop() {
        this.killNow('httpdojo');
        const exit = await this.waitForExit(3000);
        if (exit)
            return exit;
        // The process did not report its exit in time; make sure nothing is left.
        if (this.child.pid && isAlive(this.child.pid))
            killProcessTree(this.child.pid, this.tag);
        return (await this.waitForExit(2000)) ?? { code: null, signal: 'SIGKILL', killedBy: 'httpdojo', atMs: this.elapsed() };
    }
}
