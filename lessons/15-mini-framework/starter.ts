import http from 'node:http';

// ============================================================================
// Part 1: the framework. Nothing in here knows about users.
// Fill in the TODOs; the app in part 2 is already written against this API.
// ============================================================================

interface Request extends http.IncomingMessage {
  path: string; // URL path without the query string
  query: URLSearchParams;
  params: Record<string, string>; // filled from ":name" segments of the route
  body: unknown; // set by the json() middleware
}

type Response = http.ServerResponse;
type Next = (err?: unknown) => void;
// A handler may return a promise: a rejection must be handled like a throw.
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

/** The params when the route matches the path's segments, otherwise null. */
function match(route: Route, pathSegments: string[]): Record<string, string> | null {
  // TODO: same number of segments; a literal segment must be equal; a ":name"
  //       segment matches any value and records params.name (decodeURIComponent,
  //       which throws on a malformed escape like "%E0": treat that as no match).
  return null;
}

function createApp() {
  const middleware: Handler[] = [];
  const routes: Route[] = [];

  function route(method: string, path: string, handlers: Handler[]): void {
    routes.push({ method, segments: splitPath(path), handlers });
  }

  /** Runs the handlers one after another; each continues the chain by calling next(). */
  function run(handlers: Handler[], req: Request, res: Response, done: Next): void {
    // TODO: call handlers[0](req, res, next). next() calls the following handler,
    //       next(err) skips the rest and calls done(err); after the last handler,
    //       done().
    // TODO: a handler that throws must end up in done(err), and so must an async
    //       handler whose promise rejects (otherwise Node 20 exits on the
    //       unhandled rejection).
    done();
  }

  /** The one place that turns an error into a response. */
  function handleError(err: unknown, res: Response): void {
    // TODO: an HttpError answers with its own status and message; anything else
    //       is a bug: log it and answer 500 {"error":"Internal Server Error"}.
    //       If the headers are already sent, all you can do is res.destroy().
    sendJson(res, 500, { error: 'Internal Server Error' });
  }

  function dispatch(req: Request, res: Response): void {
    const pathSegments = splitPath(req.path);
    const found = routes.find((r) => r.method === req.method && match(r, pathSegments) !== null);

    if (!found) {
      // TODO: no route for this path at all -> 404 {"error":"Not found"};
      //       the path exists but not for this method -> 405 {"error":"Method not allowed"}
      //       with an Allow header listing the methods that do exist ("GET, POST").
      return handleError(new HttpError(404, 'Not found'), res);
    }

    req.params = match(found, pathSegments) ?? {};
    run(found.handlers, req, res, (err) => {
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

/** Reads the body as JSON into req.body, at most `limit` bytes. */
function json({ limit }: { limit: number }): Handler {
  return (req, res, next) => {
    // TODO: a Content-Length above the limit -> 413 {"error":"Payload too large"}
    //       at once, without reading the body.
    // TODO: collect the chunks as Buffers and count their bytes; past the limit
    //       -> the same 413 at once, and stop collecting.
    // TODO: on 'end': Buffer.concat, decode as UTF-8, JSON.parse into req.body,
    //       then next(). Invalid JSON -> next(new HttpError(400, 'Invalid JSON')).
    //       (A throw inside an event listener is NOT caught by run()!)
    // TODO: after a 413, keep reading and dropping the body for a while (bounded
    //       in time and bytes) before req.socket.destroy(), or the client, still
    //       sending, may never see the 413.
    next();
  };
}

// ============================================================================
// Part 2: the application: lesson 05's users API, written with the framework.
// Nothing to change here.
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
