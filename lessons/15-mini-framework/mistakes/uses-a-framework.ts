// pitfall: uses-a-framework
// "Why write a router when Express has one?" This lesson is about building it yourself.
// @ts-ignore: express is not a dependency of this project
import express from 'express'; // BUG: the lesson asks for your own framework on node:http, not Express

interface User {
  id: number;
  name: string;
}

// Just enough of Express's types for this file.
interface Req {
  params: Record<string, string>;
  body: unknown;
}
interface Res {
  status(code: number): Res;
  set(name: string, value: string): Res;
  json(value: unknown): void;
}
type Next = (err?: unknown) => void;

const users: User[] = [
  { id: 1, name: 'Alice' },
  { id: 2, name: 'Bob' },
];
let nextId = 3;

const app = express();
app.use(express.json({ limit: '1mb', strict: false, type: () => true }));

function methodNotAllowed(allow: string) {
  return (req: Req, res: Res) => {
    res.set('Allow', allow).status(405).json({ error: 'Method not allowed' });
  };
}

app.get('/api/users', (req: Req, res: Res) => {
  res.json(users);
});

app.post('/api/users', (req: Req, res: Res) => {
  const input = req.body as { name?: unknown } | null;
  if (typeof input !== 'object' || input === null || typeof input.name !== 'string' || input.name === '') {
    return res.status(400).json({ error: 'Invalid user' });
  }
  const user = { id: nextId++, name: input.name };
  users.push(user);
  res.status(201).json(user);
});

app.all('/api/users', methodNotAllowed('GET, POST'));

app.get('/api/users/:id', (req: Req, res: Res) => {
  const user = users.find((u) => String(u.id) === req.params.id);
  if (!user) return res.status(404).json({ error: 'Not found' });
  res.json(user);
});

app.all('/api/users/:id', methodNotAllowed('GET'));

app.get('/boom', () => {
  throw new Error('boom: a bug in a handler');
});

app.get('/boom-async', async () => {
  await new Promise((resolve) => setTimeout(resolve, 10));
  throw new Error('boom: a bug after an await');
});

app.use((req: Req, res: Res) => {
  res.status(404).json({ error: 'Not found' });
});

// Express 5 passes rejected promises here too; body-parser errors carry a status.
app.use((err: { status?: number; type?: string }, req: Req, res: Res, next: Next) => {
  if (err.type === 'entity.too.large') return res.status(413).json({ error: 'Payload too large' });
  if (err.type === 'entity.parse.failed') return res.status(400).json({ error: 'Invalid JSON' });
  console.error(err);
  res.status(500).json({ error: 'Internal Server Error' });
});

app.listen(3000, () => {
  console.log('listening on http://localhost:3000');
});
