// Lesson 15: the learner's own framework serving lesson 05's API. lesson.md's
// `reruns: [3, 4, 5]` runs every check of lessons 03-05 first (for an id repeated
// there, the last version wins); these add GET /boom (the handler throws) and GET
// /boom-async (its promise rejects): both get 500 {"error":"Internal Server Error"},
// and the server keeps serving. Both crashes die of a plain Error, so only the route
// tells them apart: each check states its pitfall. uses-a-framework is the engine's.
import { survivesFailure, type LessonChecks } from 'httpdojo/check';

const INTERNAL_ERROR = { error: 'Internal Server Error' };
const ALICE = { id: 1, name: 'Alice' };

export default {
  checks: [
    {
      id: 'boom-500',
      title: 'GET /boom, whose handler throws, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      async run(ctx) {
        // A synchronous throw: the line to fix is the framework's call of the handler.
        const { res, next } = await survivesFailure(ctx, '/boom', '/api/users/1', {
          pitfall: 'sync-throw-crash',
          at: 'caller',
          who: 'the handler',
          fix: 'Call each handler inside try/catch in your framework and turn what it throws into 500 {"error":"Internal Server Error"}.',
        });
        ctx.expect(res).status(500).contentType('application/json').json(INTERNAL_ERROR);
        ctx.expect(next).status(200).contentType('application/json').json(ALICE);
      },
    },
    {
      id: 'boom-async-500',
      title: 'GET /boom-async, whose async handler rejects, gets 500 {"error":"Internal Server Error"}, and the server keeps serving',
      async run(ctx) {
        // A rejection has no caller on its stack: the line is the throw after the await.
        const { res, next } = await survivesFailure(ctx, '/boom-async', '/api/users/1', {
          pitfall: 'async-error-unhandled',
          who: 'the handler',
          fix: "A try/catch around an async handler's call sees nothing: the handler returns a rejected promise. Catch it where you call the handler (result.catch(...), or await it inside the try) and answer 500 {\"error\":\"Internal Server Error\"}.",
        });
        ctx.expect(res).status(500).contentType('application/json').json(INTERNAL_ERROR);
        ctx.expect(next).status(200).contentType('application/json').json(ALICE);
      },
    },
  ],
} satisfies LessonChecks;
