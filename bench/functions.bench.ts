/**
 * `npm run bench -- functions`: issue 11's table in one run, each figure against its target. The bundles are built
 * as `cdk synth` builds them; the latencies are measured on a fresh local cloud (fast policy, its own temp data dir,
 * ephemeral ports) with a platform of the benchmark's own on loopback that verifies each signed notification.
 * The submit function's own durations (the Lambda REPORT lines) are given beside the end-to-end figures, which on
 * a 2-core machine also measure the emulators.
 */
import { randomUUID } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { FUNCTION_IDS } from '../lib/functions';
import { type LocalCloud, startLocalCloud } from '../local/cloud/main';
import { buildFunctionBundle } from '../scripts/function-bundles';
import { type BenchPlatform, startBenchPlatform } from './bench-platform';
import type { BenchReport, BenchRun } from './bench-report';
import {
  ApiBenchError,
  clientToken,
  logSize,
  measure,
  OPERATOR_CLIENT,
  ORDERS_PATH,
  orderBody,
  reportDurationsAfter,
} from './local-api';
import { percentile } from './sfn-workloads';

const SUBMIT_LOG = 'Tenggat-SubmitOrderFunction.log';
const KB = 1000;
const WARM_UP_ORDERS = 5;

type Row = BenchReport['rows'][number];
const round = (value: number) => Math.round(value * 10) / 10;

function figure(name: string, measured: number | string, target: string, met: boolean, detail = ''): Row {
  return { figure: name, measured, target, met: met ? 'yes' : 'NO', detail };
}

async function bundleRows(): Promise<Row[]> {
  const sizes: { id: string; bytes: number; mapHasSources: boolean }[] = [];
  for (const functionId of FUNCTION_IDS) {
    const bundle = await buildFunctionBundle(functionId);
    const map = JSON.parse(Buffer.from(bundle.sourceMap).toString('utf8')) as { sourcesContent?: unknown };
    sizes.push({
      id: functionId,
      bytes: bundle.code.byteLength,
      mapHasSources: map.sourcesContent !== undefined,
    });
  }
  const rows = sizes.map((size) =>
    figure(
      `bundle ${size.id} (index.js)`,
      `${round(size.bytes / KB)} KB`,
      '≤ 500 KB',
      size.bytes <= 500 * KB,
    ),
  );
  const small = sizes.filter((size) => size.bytes <= 300 * KB).length;
  rows.push(
    figure('bundles ≤ 300 KB', `${small} of ${sizes.length}`, 'half of them', small * 2 >= sizes.length),
  );
  const withSources = sizes.filter((size) => size.mapHasSources).length;
  rows.push(figure('source maps with sourcesContent', withSources, '0', withSources === 0));
  return rows;
}

interface Target {
  cloud: LocalCloud;
  token: string;
  platform: BenchPlatform;
  platformId: string;
}

async function submit(target: Target, itemCount: number): Promise<{ status: number; id: string }> {
  const response = await fetch(`${target.cloud.apiUrl}${ORDERS_PATH}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${target.token}`,
      'content-type': 'application/json',
      'idempotency-key': randomUUID(),
    },
    body: orderBody(itemCount, target.platformId),
  });
  const view = (await response.json()) as { id?: string };
  if (response.status >= 300 || view.id === undefined)
    throw new ApiBenchError(`submit of ${itemCount} items answered ${response.status}`);
  return { status: response.status, id: view.id };
}

/** Sequential small orders: the submit call, and submit → signed `takedown.requested` at the platform. */
async function sequentialRows(target: Target, count: number): Promise<Row[]> {
  for (let index = 0; index < WARM_UP_ORDERS; index += 1) {
    const { id } = await submit(target, 1);
    await target.platform.arrival(id, 'takedown.requested', 30_000);
  }
  const submitLog = join(target.cloud.dataDir, 'logs', SUBMIT_LOG);
  const logOffset = logSize(submitLog);
  const submitMs: number[] = [];
  const notifiedMs: number[] = [];
  for (let index = 0; index < count; index += 1) {
    const began = performance.now();
    const { id } = await submit(target, 1 + (index % 10));
    submitMs.push(performance.now() - began);
    notifiedMs.push((await target.platform.arrival(id, 'takedown.requested', 30_000)) - began);
  }
  const durations = await reportDurationsAfter(submitLog, logOffset, count);
  for (const list of [submitMs, notifiedMs, durations]) list.sort((left, right) => left - right);
  const p99 = percentile(notifiedMs, 0.99);
  const p50 = percentile(submitMs, 0.5);
  return [
    figure(
      'submit → signed takedown.requested, p50 / p99',
      `${round(percentile(notifiedMs, 0.5))} / ${round(p99)} ms`,
      'p99 ≤ 100 ms',
      p99 <= 100,
      `${count} sequential orders of 1–10 items after ${WARM_UP_ORDERS} to warm up`,
    ),
    figure(
      'the submit call, p50',
      `${round(p50)} ms`,
      '≤ 40 ms',
      p50 <= 40,
      durations.length > 0
        ? `the submit function alone (REPORT lines): p50 ${round(percentile(durations, 0.5))} ms, ` +
            `p99 ${round(percentile(durations, 0.99))} ms`
        : 'no REPORT lines found',
    ),
  ];
}

/** One 10,000-item order: time to the answer (201, or 202 once accepted asynchronously) and to its last part. */
async function largeOrderRows(target: Target): Promise<Row[]> {
  const began = performance.now();
  const { status, id } = await submit(target, 10_000);
  const accepted = performance.now() - began;
  const notified = (await target.platform.allPartsArrival(id, 'takedown.requested', 120_000)) - began;
  return [
    figure(
      '10,000-item order accepted',
      `${round(accepted / 1000)} s`,
      '≤ 2 s',
      accepted <= 2_000,
      `HTTP ${status}`,
    ),
    figure(
      '10,000-item order notified (every part received)',
      `${round(notified / 1000)} s`,
      '≤ 5 s',
      notified <= 5_000,
    ),
  ];
}

async function throughputRow(target: Target, seconds: number): Promise<Row> {
  const headers = { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' };
  const { latencies, result } = await measure({
    url: target.cloud.apiUrl,
    connections: 8,
    duration: seconds,
    timeout: 30,
    requests: [
      {
        method: 'POST',
        path: ORDERS_PATH,
        setupRequest: (request) => ({
          ...request,
          headers: { ...headers, 'idempotency-key': randomUUID() },
          body: orderBody(1 + Math.floor(Math.random() * 10), target.platformId),
        }),
      },
    ],
  });
  const ok = latencies.length - result.non2xx;
  const perSecond = ok / result.duration;
  return figure(
    'small submits per second, 8 connections',
    `${round(perSecond)}/s`,
    '≥ 30/s',
    perSecond >= 30,
    `${ok} created in ${result.duration} s, ${result.non2xx} non-2xx, p50 ${round(percentile(latencies, 0.5))} ms`,
  );
}

export const run: BenchRun = async ({ quick }) => {
  const rows: Row[] = await bundleRows();
  const notes: string[] = [];
  const root = mkdtempSync(join(tmpdir(), 'tenggat-bench-functions-'));
  const logPath = join(root, 'cloud.log');
  const startedAt = performance.now();
  const cloud = await startLocalCloud({
    projectDir: process.cwd(),
    dataDir: join(root, 'data'),
    cdkOutDir: join(root, 'cdk.out'),
    ports: { api: 0, aws: 0, dynamodb: 0, sandbox: 0 },
    policy: 'fast',
    sandbox: false,
    log: (line) => appendFileSync(logPath, `${line}\n`),
  });
  notes.push(`local cloud ready in ${Math.round((performance.now() - startedAt) / 1000)} s (synth included)`);
  const platform = await startBenchPlatform();
  try {
    const platformId = await platform.register(cloud, await clientToken(cloud, OPERATOR_CLIENT));
    const target: Target = { cloud, token: await clientToken(cloud), platform, platformId };
    rows.push(...(await sequentialRows(target, quick ? 30 : 100)));
    // Throughput before the large order, whose notice parts keep the machine busy for a while after it.
    rows.push(await throughputRow(target, quick ? 5 : 10));
    rows.push(...(await largeOrderRows(target)));
    if (platform.badSignatures() > 0)
      throw new ApiBenchError(`${platform.badSignatures()} notifications did not verify`);
    notes.push(
      'latencies are end to end on loopback: API emulator, local Lambda service and local Step Functions share ' +
        'the 2 cores with the functions; the REPORT durations are the functions alone.',
    );
    notes.push(
      'the platform of the benchmark answers every notification 200 and then every item as removed, so orders end.',
    );
    return { name: 'functions', description: "issue 11's figures against their targets", rows, notes };
  } finally {
    await platform.close();
    await cloud.stop();
    if (!process.env.TENGGAT_BENCH_KEEP) rmSync(root, { recursive: true, force: true });
  }
};
