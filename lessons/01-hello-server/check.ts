// Lesson 01: every request, whatever its method and path, gets 200,
// Content-Type: application/json and {"message":"Hello"}; two requests on one
// keep-alive connection both complete.
import type { LessonChecks } from 'httpdojo/check';

const HELLO = { message: 'Hello' };

export default {
  checks: [
    {
      id: 'get-root',
      title: 'GET / gets 200 with JSON {"message":"Hello"}',
      async run({ http, expect }) {
        const res = await http.request('GET', '/');
        expect(res).status(200).contentType('application/json').json(HELLO);
      },
    },
    {
      id: 'any-method-and-path',
      title: 'any method and path get the same answer (POST /anything/else?x=1)',
      async run({ http, expect }) {
        const res = await http.request('POST', '/anything/else?x=1', { body: 'ignored' });
        expect(res).status(200).contentType('application/json').json(HELLO);
        const del = await http.request('DELETE', '/users/7');
        expect(del).status(200).contentType('application/json').json(HELLO);
      },
    },
    {
      id: 'keep-alive',
      title: 'two requests one after the other on one keep-alive connection both complete',
      async run({ http, expect, note }) {
        const connection = await http.connect();
        note('both requests go over this one connection, the second after the first response');
        const first = await http.request('GET', '/first', { connection, keepOpen: true });
        expect(first).status(200).json(HELLO);
        const second = await http.request('GET', '/second', { connection, keepOpen: true });
        expect(second).status(200).contentType('application/json').json(HELLO);
        connection.destroy();
      },
    },
  ],
} satisfies LessonChecks;
