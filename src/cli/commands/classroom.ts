// httpdojo classroom [--port 4455] [--host 0.0.0.0] [--data dir] [--name "..."] [--json]
// Starts the board for a workshop (issue 11). The room code and the mentor token
// are kept in the data folder, so a restart (even after kill -9) keeps the URLs
// learners and the mentor already have.

import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { loadCourse } from '../../course/lessons.js';
import { courseQuestionTitles } from '../../classroom/quiz-titles.js';
import { newRoomCode, newToken, startBoard } from '../../classroom/server.js';
import { writeFileAtomic } from '../../workspace/state.js';
import { lessonsDirFrom } from '../context.js';
import { CliError, EXIT } from '../exit-codes.js';
import { selfCommand } from '../workspace-context.js';
import type { OptionsOf } from '../options.js';

type ClassroomFlags = OptionsOf<'classroom'>;

interface RoomFile {
  room: string;
  token: string;
  name: string;
}

function roomFile(dir: string, name: string | undefined): RoomFile {
  const file = join(dir, 'room.json');
  if (existsSync(file)) {
    try {
      const data = JSON.parse(readFileSync(file, 'utf8')) as RoomFile;
      if (/^[A-Z0-9]{4,32}$/.test(data.room) && typeof data.token === 'string' && data.token.length >= 16) {
        if (name && name !== data.name) {
          writeFileAtomic(file, JSON.stringify({ ...data, name }, null, 2) + '\n');
          chmodSync(file, 0o600);
        }
        return { ...data, name: name ?? data.name };
      }
    } catch {
      // Unreadable: a new room below (the event log is kept).
    }
  }
  const room = { room: newRoomCode(), token: newToken(), name: name ?? 'httpdojo workshop' };
  writeFileAtomic(file, JSON.stringify(room, null, 2) + '\n');
  // The token opens the board: readable by the mentor's account only.
  chmodSync(file, 0o600);
  return room;
}

/** The addresses learners can reach: the bound one, or every external IPv4 for a wildcard. */
function reachableHosts(host: string): string[] {
  if (host !== '0.0.0.0' && host !== '::') return [host.includes(':') ? `[${host}]` : host];
  const found: string[] = [];
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) if (entry.family === 'IPv4' && !entry.internal) found.push(entry.address);
  }
  return found.length ? found : ['127.0.0.1'];
}

export async function run(_args: string[], flags: ClassroomFlags): Promise<number> {
  const port = flags.port === undefined ? 4455 : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port must be a port number (0-65535), not ${flags.port}`);
  const host = flags.host ?? '0.0.0.0';
  const dir = resolve(flags.data ?? 'httpdojo-classroom');
  mkdirSync(dir, { recursive: true });
  const room = roomFile(dir, flags.name);
  const course = loadCourse(lessonsDirFrom(flags));
  const lessons = course.map((lesson) => lesson.id);

  let board;
  try {
    board = await startBoard({ dir, room: room.room, token: room.token, name: room.name, lessons, host, port, questionTitle: courseQuestionTitles(course) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new CliError(`port ${port} is in use on ${host}; pick another with --port`);
    if (code === 'EADDRNOTAVAIL') throw new CliError(`${host} is not an address of this machine; --host 0.0.0.0 listens on all of them`);
    throw error;
  }
  const hosts = reachableHosts(host);
  const joinUrls = hosts.map((address) => `http://${address}:${board.port}/r/${room.room}`);
  const boardUrl = `http://${hosts[0]}:${board.port}/board?token=${room.token}`;
  if (flags.json) process.stdout.write(JSON.stringify({ join: joinUrls[0], board: boardUrl, data: dir, joinAll: joinUrls }) + '\n');
  else {
    const self = selfCommand();
    const lines = [
      `Classroom "${room.name}" is open (${board.events()} events so far).`,
      '',
      'Learners, in their workspace:',
      `  ${self} join ${joinUrls[0]} --name "Your Name"`,
      'Join URL:',
      joinUrls[0],
      ...(joinUrls.length > 1 ? ['Other addresses learners can use:', ...joinUrls.slice(1)] : []),
      '',
      'Your board (keep the token to yourself; it opens on a phone too):',
      boardUrl,
      `Data: ${dir}`,
      '',
      'Ctrl-C closes the room; nothing is lost, and starting it again with the same --data keeps the URLs.',
    ];
    process.stdout.write(lines.join('\n') + '\n');
  }
  for (const notice of board.notices) process.stderr.write(`httpdojo: ${notice}\n`);

  // Graceful shutdown: stop accepting, let posts in flight reach the disk, flush the log.
  return new Promise<number>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      if (!flags.json) process.stderr.write(`\n${signal}: closing the room…\n`);
      void board.close().then(
        () => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          process.stderr.write(`Closed. ${board.events()} events in ${join(dir, 'events.ndjson')}\n`);
          done(EXIT.ok);
        },
        (error: Error) => {
          process.stderr.write(`httpdojo: closing the room failed: ${error.message}\n`);
          done(EXIT.usage);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}
