/**
 * API load benchmark on the local cloud: submit latency (p50/p95/p99) and requests/s for small orders at a few
 * concurrency levels, GET order latency, and the wall time of one 10,000-item submit. Loopback only, bounded in
 * time: a fresh local cloud (fast policy, sandbox platform complying after 1 s, its own temp data dir, ephemeral
 * ports) is started and stopped by the run.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startLocalCloud } from '../local/cloud/main';
import type { BenchReport, BenchRun } from './bench-report';
import {
  ApiBenchError,
  type CannonRequest,
  clientToken,
  logSize,
  type Measurement,
  measure,
  ORDERS_PATH,
  orderBody,
  reportDurationsAfter,
} from './local-api';
import { percentile } from './sfn-workloads';

const SETTLE_MS = 5_000;
/** The local cloud's Lambda service writes each function's log, with Lambda's REPORT lines, under `<data>/logs`. */
const SUBMIT_FUNCTION_LOG = 'Tenggat-SubmitOrderFunction.log';

function row(scenario: string, connections: number, measurement: Measurement): BenchReport['rows'][number] {
  const { latencies, result } = measurement;
  const round = (value: number) => Math.round(value * 10) / 10;
  const ok = latencies.length - result.non2xx;
  return {
    scenario,
    connections,
    requests: latencies.length,
    'req/s': round(latencies.length / result.duration),
    'p50 ms': round(percentile(latencies, 0.5)),
    'p95 ms': round(percentile(latencies, 0.95)),
    'p99 ms': round(percentile(latencies, 0.99)),
    'max ms': round(latencies.at(-1) ?? Number.NaN),
    ok,
    'non-2xx': Object.entries(result.statusCodeStats ?? {})
      .filter(([status]) => !status.startsWith('2'))
      .map(([status, stats]) => `${status}x${stats.count ?? 0}`)
      .join(' '),
    errors: result.errors,
  };
}

export const run: BenchRun = async ({ quick }) => {
  const root = mkdtempSync(join(tmpdir(), 'tenggat-bench-api-'));
  const logPath = join(root, 'cloud.log');
  const notes: string[] = [];
  const rows: BenchReport['rows'] = [];
  const startedAt = performance.now();
  const cloud = await startLocalCloud({
    projectDir: process.cwd(),
    dataDir: join(root, 'data'),
    cdkOutDir: join(root, 'cdk.out'),
    ports: { api: 0, aws: 0, dynamodb: 0, sandbox: 0 },
    policy: 'fast',
    sandbox: { behaviour: 'comply', delaySeconds: 1 },
    log: (line) => appendFileSync(logPath, `${line}\n`),
  });
  notes.push(`local cloud ready in ${Math.round((performance.now() - startedAt) / 1000)} s (synth included)`);
  try {
    const token = await clientToken(cloud);
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const seconds = quick ? 4 : 10;
    const submitRequest: CannonRequest = {
      method: 'POST',
      path: ORDERS_PATH,
      // A fresh key and body per request: 1 to 10 items, as most real orders are small.
      setupRequest: (request: CannonRequest): CannonRequest => ({
        ...request,
        headers: { ...headers, 'idempotency-key': randomUUID() },
        body: orderBody(1 + Math.floor(Math.random() * 10)),
      }),
    };

    // Warm-up: the first calls start the function workers and the JVM's JIT.
    await measure({ url: cloud.apiUrl, connections: 2, duration: 3, timeout: 30, requests: [submitRequest] });

    for (const connections of quick ? [1, 8] : [1, 4, 16]) {
      const measurement = await measure({
        url: cloud.apiUrl,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [submitRequest],
      });
      rows.push(row('POST order (1-10 items)', connections, measurement));
    }

    // Ids to read: the agency's newest orders, listed through the API itself.
    const listing = await fetch(`${cloud.apiUrl}${ORDERS_PATH}?limit=100`, { headers });
    const listed = (await listing.json()) as { items?: { id: string }[] };
    const ids = (listed.items ?? []).map((order) => order.id);
    if (ids.length === 0) throw new ApiBenchError(`no orders to read (listing answered ${listing.status})`);
    let next = 0;
    const getRequest: CannonRequest = {
      method: 'GET',
      setupRequest: (request: CannonRequest): CannonRequest => ({
        ...request,
        headers,
        path: `${ORDERS_PATH}/${ids[next++ % ids.length]}`,
      }),
    };
    for (const connections of quick ? [4] : [1, 4, 16]) {
      const measurement = await measure({
        url: cloud.apiUrl,
        connections,
        duration: seconds,
        timeout: 30,
        requests: [getRequest],
      });
      rows.push(row('GET order', connections, measurement));
    }

    // One maximum-size order, alone once the small orders' workflows settled: the API Gateway limit is 29 s.
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    const largeBody = orderBody(10_000);
    const submitLog = join(root, 'data', 'logs', SUBMIT_FUNCTION_LOG);
    const logOffset = logSize(submitLog);
    const began = performance.now();
    const response = await fetch(`${cloud.apiUrl}${ORDERS_PATH}`, {
      method: 'POST',
      headers: { ...headers, 'idempotency-key': randomUUID() },
      body: largeBody,
    });
    const elapsed = performance.now() - began;
    const view = (await response.json()) as { id?: string; itemCounts?: { total?: number } };
    // Above the async intake threshold: 202 at once, the items written in the background until `notifying`.
    rows.push({
      scenario: 'POST order (10,000 items)',
      connections: 1,
      requests: 1,
      'wall ms': Math.round(elapsed),
      ok: response.status === 202 && view.itemCounts?.total === 10_000 ? 1 : 0,
      'non-2xx': response.status === 202 ? '' : String(response.status),
    });
    let status = 'accepting';
    while (status === 'accepting' && performance.now() - began < 120_000) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      const order = await fetch(`${cloud.apiUrl}${ORDERS_PATH}/${view.id}`, { headers });
      status = ((await order.json()) as { status?: string }).status ?? 'unknown';
    }
    notes.push(
      `10,000-item order: all items in (status ${status}) ${((performance.now() - began) / 1000).toFixed(1)} s ` +
        'after the submit began',
    );
    const functionMs = (await reportDurationsAfter(submitLog, logOffset))[0] ?? null;
    notes.push(
      `10,000-item submit: HTTP ${response.status}, ${(elapsed / 1000).toFixed(1)} s wall time ` +
        `(submit function ${functionMs === null ? 'n/a' : `${(functionMs / 1000).toFixed(1)} s`}), ` +
        `${(Buffer.byteLength(largeBody) / 1e6).toFixed(2)} MB body`,
    );
    notes.push(
      `${seconds} s per load level after a 3 s warm-up; every submit has its own Idempotency-Key and body; the ` +
        'sandbox platform answers each order 1 s after delivery, so workflows run alongside the load (as in use).',
    );
    notes.push('p95 is computed from every response time (autocannon reports p97.5, not p95).');
    notes.push(
      'the local Lambda service runs at most 4 processes per function, so beyond 4 connections requests queue.',
    );
    return {
      name: 'api-load',
      description:
        'REST API on the local cloud under load (loopback, fast policy, complying sandbox platform)',
      rows,
      notes,
    };
  } finally {
    await cloud.stop();
    rmSync(root, { recursive: true, force: true });
  }
};
