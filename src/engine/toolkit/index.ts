// The check toolkit: what every lesson's check.ts used to carry itself, given to
// each check through its context. The engine builds its own part of the context
// (requests, the probe's view, program control, expectations, source matches)
// and withToolkit adds the rest here, so the context-building code stays about
// the engine. Types live in check-api.ts; each part has its own file.

import type { CheckContext, ProgramView } from '../check-api.js';
import { clientHarness } from './client.js';
import { format } from './format.js';
import type { EvidenceBoard } from './evidence.js';
import { jsonHelpers } from './json.js';
import { serverLocations, type ServerLocations } from './locations.js';
import { extendSource, type SourceMatches } from './source.js';
import { tlsToolkit } from './tls/index.js';
import { uploads } from './uploads.js';

export { amendFailure, EvidenceBoard, runWithEvidence } from './evidence.js';
export type { SourceMatches } from './source.js';

/** The probe's view as the engine builds it; the toolkit adds the locations. */
export type EngineProgramView = Omit<ProgramView, keyof ServerLocations>;

/** The check context as the engine builds it. */
export type EngineContext = Omit<CheckContext, 'server' | 'source' | 'evidence' | 'json' | 'client' | 'format' | 'upload' | 'tls'> & {
  server: EngineProgramView;
  source: SourceMatches;
};

/**
 * The full context: the engine's, with the toolkit's members added. The server
 * object is extended in place (its port, origin and listenAt are getters that
 * must keep reading the current program).
 */
export function withToolkit(base: EngineContext, board: EvidenceBoard, lessonsDir: string): CheckContext {
  const server: ProgramView = Object.assign(base.server, serverLocations(base.server, base.source));
  const source = extendSource(base.source, server.lineOf);
  const ctx: CheckContext = Object.assign(base, {
    server,
    source,
    evidence: (evidence: Parameters<CheckContext['evidence']>[0]) => board.add(evidence),
    format,
    json: undefined as unknown as CheckContext['json'],
    client: undefined as unknown as CheckContext['client'],
    upload: undefined as unknown as CheckContext['upload'],
    tls: undefined as unknown as CheckContext['tls'],
  });
  ctx.json = jsonHelpers(ctx);
  ctx.client = clientHarness(ctx);
  ctx.upload = uploads(ctx);
  ctx.tls = tlsToolkit(ctx, lessonsDir);
  return ctx;
}
