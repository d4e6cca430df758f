/**
 * What the local-cloud benchmarks share: tokens, order bodies, autocannon with every response time kept, and the
 * Lambda REPORT lines the local Lambda service writes to `<data>/logs/<function>.log`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type LocalCloud, SANDBOX_PLATFORM_ID } from '../local/cloud/main';

export class ApiBenchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ApiBenchError';
  }
}

// autocannon is CommonJS (`export =`); its types come from @types/autocannon.
const autocannon = createRequire(import.meta.url)('autocannon') as typeof import('autocannon');
export type CannonOptions = import('autocannon').Options;
export type CannonRequest = import('autocannon').Request;
export type CannonResult = import('autocannon').Result;

export const AGENCY_CLIENT = 'komdigi-ais';
export const OPERATOR_CLIENT = 'tenggat-operator';
export const ORDERS_PATH = '/v1/takedown-requests';

export interface Measurement {
  latencies: number[];
  result: CannonResult;
}

export function orderBody(itemCount: number, platformId: string = SANDBOX_PLATFORM_ID): string {
  const run = randomBytes(6).toString('hex');
  return JSON.stringify({
    platformId,
    category: 'gambling',
    legalBasis: ['UU ITE Pasal 27 ayat (2)'],
    reason: 'Online gambling promotion reported by the public.',
    reference: `BENCH/${run}`,
    items: Array.from({ length: itemCount }, (_, index) => ({
      kind: 'url',
      locator: `https://bench.example/${run}/${index + 1}`,
    })),
  });
}

/** A client-credentials token for one of the local cloud's clients (`.tenggat/local.json`). */
export async function clientToken(cloud: LocalCloud, name: string = AGENCY_CLIENT): Promise<string> {
  const client = cloud.clients[name];
  if (!client) throw new ApiBenchError(`no client ${name} in the local cloud`);
  const response = await fetch(cloud.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new ApiBenchError(`token for ${name}: ${response.status}`);
  return body.access_token;
}

/** Runs autocannon and keeps every response time, since its histogram has no p95. */
export async function measure(options: CannonOptions): Promise<Measurement> {
  const latencies: number[] = [];
  const result = await autocannon({
    ...options,
    setupClient: (client) => {
      client.on('response', (_status, _bytes, responseTime) => latencies.push(responseTime));
    },
  });
  latencies.sort((left, right) => left - right);
  return { latencies, result };
}

export const logSize = (logFile: string): number => (existsSync(logFile) ? statSync(logFile).size : 0);

/**
 * The durations of the invocations logged after `offset`, waiting (the log is written asynchronously) until
 * `expected` are there or 3 s passed.
 */
export async function reportDurationsAfter(logFile: string, offset: number, expected = 1): Promise<number[]> {
  let durations: number[] = [];
  for (let waited = 0; waited <= 3_000; waited += 250) {
    const added = existsSync(logFile) ? readFileSync(logFile).subarray(offset).toString('utf8') : '';
    durations = [...added.matchAll(/REPORT RequestId: \S+\tDuration: (\d+(?:\.\d+)?) ms/g)].map((match) =>
      Number(match[1]),
    );
    if (durations.length >= expected) return durations;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return durations;
}
