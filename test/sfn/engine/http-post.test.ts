import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postJson } from '../../../local/sfn/engine/http-post';

let server: Server;
let baseUrl = '';
const remotePorts: number[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    remotePorts.push(request.socket.remotePort ?? 0);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.url === '/slow') {
        setTimeout(() => response.end('late'), 2_000);
        return;
      }
      response.setHeader('X-Amz-Function-Error', 'Unhandled');
      response.setHeader('Set-Cookie', ['a=1', 'b=2']);
      response.writeHead(request.url === '/missing' ? 404 : 200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify({ got: body, type: request.headers['content-type'] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('postJson (Lambda invocations of the engine)', () => {
  it('posts the JSON body and reads status, lower-case headers and the whole answer', async () => {
    const answer = await postJson(
      `${baseUrl}/2015-03-31/functions/f/invocations`,
      '{"é":1}',
      AbortSignal.timeout(5_000),
    );
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ got: '{"é":1}', type: 'application/json' });
    expect(answer.headers['x-amz-function-error']).toBe('Unhandled');
    expect(answer.headers['set-cookie']).toBe('b=2');
    expect((await postJson(`${baseUrl}/missing`, '{}', AbortSignal.timeout(5_000))).status).toBe(404);
  });

  it('sends one invocation after another over the same kept-alive connection', async () => {
    remotePorts.length = 0;
    for (let index = 0; index < 3; index++)
      await postJson(`${baseUrl}/again`, '{}', AbortSignal.timeout(5_000));
    expect(new Set(remotePorts).size).toBe(1);
  });

  it('rejects when the signal aborts (a stopped execution) and when nothing listens', async () => {
    const aborting = new AbortController();
    const slow = postJson(`${baseUrl}/slow`, '{}', aborting.signal);
    setTimeout(() => aborting.abort(), 50);
    await expect(slow).rejects.toMatchObject({ name: 'AbortError' });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    await expect(postJson(`http://127.0.0.1:${port}/x`, '{}', AbortSignal.timeout(5_000))).rejects.toThrow(
      /ECONNREFUSED/,
    );
    await expect(postJson('ftp://127.0.0.1/x', '{}', AbortSignal.timeout(5_000))).rejects.toThrow(
      /Unsupported endpoint protocol ftp:/,
    );
  });
});
