import http from 'node:http';

// ============================================================================
// Part 1: the framework. Nothing in here knows about users.
// ============================================================================

interface Request extends http.IncomingMessage {
  path: string; // URL path without the query string
  query: URLSearchParams;
  params: Record<string, string>; // filled from ":name" segments of the route
  body: unknown; // set by the json() middleware
}

type Response = http.ServerResponse;
type Next = (err?: unknown) => void;
// A handler may return a promise: a rejection is handled like a throw.
type Handler = (req: Request, res: Response, next: Next) => void | Promise<void>;

/** An error that carries the status and the message the client should see. */
class HttpError extends Error {
  status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function sendJson(res: Response, status: number, value: unknown): void {
  const body = JSON.stringify(value);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

interface Route {
  method: string;
  segments: string[]; // "/api/users/:id" -> ["api", "users", ":id"]
  handlers: Handler[];
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '');
}

/** The params when `segments` matches the path, otherwise null. */
function match(route: Route, pathSegments: string[]): Record<string, string> | null {
  if (route.segments.length !== pathSegments.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < route.segments.length; i++) {
    const expected = route.segments[i];
    const actual = pathSegments[i];
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null; // a malformed escape like "%E0" matches nothing
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}

function createApp() {
  const middleware: Handler[] = [];
  const routes: Route[] = [];

  function route(method: string, path: string, handlers: Handler[]): void {
    routes.push({ method, segments: splitPath(path), handlers });
  }

  /** Runs the handlers one after another; each continues the chain by calling next(). */
  function run(handlers: Handler[], req: Request, res: Response, done: Next): void {
    let index = 0;
    let finished = false;
    const finish: Next = (err) => {
      if (finished) return; // e.g. a handler that calls next(err) and then throws
      finished = true;
      done(err);
    };
    const next: Next = (err) => {
      if (err !== undefined) return finish(err);
      const handler = handlers[index++];
      if (!handler) return finish();
      try {
        const result = handler(req, res, next);
        // An async handler returns a promise: catch its rejection too,
        // or it becomes an unhandled rejection and Node 20 exits.
        if (result instanceof Promise) result.catch((error) => finish(error ?? new Error('rejected')));
      } catch (error) {
        finish(error); // a synchronous throw
      }
    };
    next();
  }

  /** The one place that turns an error into a response. */
  function handleError(err: unknown, res: Response): void {
    const status = err instanceof HttpError ? err.status : 500;
    if (status >= 500) console.error(err);
    if (res.headersSent) {
      res.destroy(); // too late for a clean error response: cut the connection
      return;
    }
    const message = err instanceof HttpError ? err.message : 'Internal Server Error';
    sendJson(res, status, { error: message });
  }

  function dispatch(req: Request, res: Response): void {
    const pathSegments = splitPath(req.path);
    const sameUrl = routes
      .map((candidate) => ({ candidate, params: match(candidate, pathSegments) }))
      .filter((found) => found.params !== null);
    const found = sameUrl.find((f) => f.candidate.method === req.method);

    if (!found) {
      if (sameUrl.length === 0) return handleError(new HttpError(404, 'Not found'), res);
      const allowed = [...new Set(sameUrl.map((f) => f.candidate.method))];
      res.setHeader('Allow', allowed.join(', '));
      return handleError(new HttpError(405, 'Method not allowed'), res);
    }

    req.params = found.params ?? {};
    run(found.candidate.handlers, req, res, (err) => {
      if (err !== undefined) return handleError(err, res);
      // Every handler called next() and nobody answered: that is a bug in the app.
      if (!res.writableEnded) handleError(new Error(`no response for ${req.method} ${req.path}`), res);
    });
  }

  function handle(incoming: http.IncomingMessage, res: Response): void {
    const req = incoming as Request;
    let url: URL;
    try {
      // Parse against a fixed base: the Host header is not ours to trust.
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return handleError(new HttpError(400, 'Bad request'), res);
    }
    // What handlers read on req: path, query, params (the router fills it), body (json() fills it).
    req.path = url.pathname;
    req.query = url.searchParams;
    req.params = {};
    req.body = undefined;
    // Application-wide middleware first, then the router.
    run(middleware, req, res, (err) => {
      if (err !== undefined) return handleError(err, res);
      dispatch(req, res);
    });
  }

  return {
    use(handler: Handler) {
      middleware.push(handler);
    },
    get(path: string, ...handlers: Handler[]) {
      route('GET', path, handlers);
    },
    post(path: string, ...handlers: Handler[]) {
      route('POST', path, handlers);
    },
    listen(port: number, callback?: () => void): http.Server {
      return http.createServer(handle).listen(port, callback);
    },
  };
}

/**
 * Reads the body as JSON into req.body. At most `limit` bytes: a longer body
 * gets 413 as soon as we know, while the client is still sending.
 */
function json({ limit }: { limit: number }): Handler {
  return (req, res, next) => {
    const declared = Number(req.headers['content-length']);
    if (declared > limit) return refuseBody(req, next);

    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length; // bytes, not characters
      if (size > limit) {
        refused = true;
        chunks.length = 0; // stop collecting, drop what we have
        refuseBody(req, next);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      // Decode once, after the last chunk: a character split across chunks stays intact.
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        req.body = JSON.parse(text);
      } catch {
        return next(new HttpError(400, 'Invalid JSON'));
      }
      next();
    });
  };
}

/** Answers 413, then drains what the client still sends for a while before hanging up. */
function refuseBody(req: Request, next: Next): void {
  next(new HttpError(413, 'Payload too large'));
  // Closing the socket right away would reset the connection, and the client,
  // still busy sending, might never read the 413. Read and drop a bounded
  // amount first (megabytes may already be in flight in the kernels' buffers),
  // then cut the connection if the client is still going.
  let drained = 0;
  const hangUp = () => {
    clearTimeout(timer);
    if (!req.complete) req.socket.destroy();
  };
  const timer = setTimeout(hangUp, 2000);
  req.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 64 * 1024 * 1024) hangUp();
  });
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

// ============================================================================
// Part 2: the application: lesson 05's users API, written with the framework.
// ============================================================================

interface User {
  id: number;
  name: string;
}

const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
let nextId = 3;

const app = createApp();
const ONE_MIB = 1024 * 1024;

app.use((req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  next();
});

app.get('/api/users', (req, res) => {
  sendJson(res, 200, users);
});

app.post('/api/users', json({ limit: ONE_MIB }), (req, res) => {
  const input = req.body as { name?: unknown } | null;
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string' || input.name === '') {
    return sendJson(res, 400, { error: 'Invalid user' });
  }
  const user = { id: nextId++, name: input.name };
  users.push(user);
  sendJson(res, 201, user);
});

app.get('/api/users/:id', (req, res) => {
  const user = users.find((u) => String(u.id) === req.params.id);
  if (!user) return sendJson(res, 404, { error: 'Not found' });
  sendJson(res, 200, user);
});

app.get('/boom', () => {
  throw new Error('boom: a bug in a handler');
});

app.get('/boom-async', async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error('boom: a bug after an await');
});

app.listen(3000, () => {
  console.log('listening on http://localhost:3000');
});
