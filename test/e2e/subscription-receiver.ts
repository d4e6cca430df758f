/**
 * An agency's own endpoint for end-to-end tests of subscriptions: a loopback server that keeps every call (raw body
 * and headers, so the test verifies signatures with the secret it was given) and answers per path.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface AgencyCall {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  body: {
    type: string;
    timestamp: string;
    data: { eventId: string; order: { id: string; reference: string } };
  };
}

export interface AgencyReceiver {
  baseUrl: string;
  calls: AgencyCall[];
  /** How to answer a call: its HTTP status (200 unless it says otherwise). */
  answer: (call: AgencyCall) => number;
  close(): Promise<void>;
}

export async function startAgencyReceiver(): Promise<AgencyReceiver> {
  const receiver: Partial<AgencyReceiver> = { calls: [], answer: () => 200 };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const call: AgencyCall = {
        path: request.url ?? '',
        headers: request.headers,
        raw,
        body: JSON.parse(raw) as AgencyCall['body'],
      };
      receiver.calls?.push(call);
      response.writeHead(receiver.answer?.(call) ?? 200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as AgencyReceiver;
}
