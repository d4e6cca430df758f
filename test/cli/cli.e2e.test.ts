import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, cloud, SANDBOX_PLATFORM } from '../e2e/harness';

/** The real `tenggat` binary (cli/tenggat.mjs, as `npx tenggat` runs it) against the shared local cloud. */
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tenggat-cli-e2e-'));
const localConfig = join(dir, 'local.json');

async function tenggat(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(
      process.execPath,
      ['cli/tenggat.mjs', '--local-config', localConfig, ...argv],
      {
        cwd: process.cwd(),
        env: { ...process.env, TENGGAT_CLIENT_SECRET: '' },
        timeout: 80_000,
      },
    );
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return {
      code: typeof failed.code === 'number' ? failed.code : -1,
      stdout: failed.stdout ?? '',
      stderr: failed.stderr ?? '',
    };
  }
}

function csv(lines: string[]): string {
  const path = join(dir, `items-${randomBytes(4).toString('hex')}.csv`);
  writeFileSync(path, `\uFEFFlocator;kind\r\n${lines.join('\r\n')}\r\n`);
  return path;
}

const submitArgs = (file: string, reference: string) => [
  'submit',
  '--csv',
  file,
  '--platform',
  SANDBOX_PLATFORM,
  '--category',
  'gambling',
  '--legal-basis',
  'UU ITE Pasal 27 ayat (2)',
  '--legal-basis',
  'PP 71/2019',
  '--reason',
  'Promotes online gambling (AIS crawler).',
  '--reference',
  reference,
];

beforeAll(() => {
  const target = cloud();
  writeFileSync(
    localConfig,
    JSON.stringify({ apiUrl: target.apiUrl, tokenUrl: target.tokenUrl, clients: target.clients }),
    { mode: 0o600 },
  );
});

describe('tenggat against the local cloud', () => {
  const run = randomBytes(4).toString('hex');
  const reference = `AIS/CLI/${run}`;
  const file = csv(
    Array.from({ length: 5 }, (_, index) => `https://judi-${run}.example/slot/${index + 1};url`),
  );
  let orderIds: string[] = [];

  it('submit splits the file into parts with -p<n> references and creates one order per part', async () => {
    const result = await tenggat('--json', ...submitArgs(file, reference), '--part-size', '2');
    expect(result.code, result.stderr).toBe(0);
    const output = JSON.parse(result.stdout) as {
      orders: { reference: string; items: number; created: boolean; orderId: string }[];
    };
    expect(output.orders.map((order) => [order.reference, order.items, order.created])).toEqual([
      [`${reference}-p1`, 2, true],
      [`${reference}-p2`, 2, true],
      [`${reference}-p3`, 1, true],
    ]);
    orderIds = output.orders.map((order) => order.orderId);
    const first = await api<{ reference: string; items: { locator: string }[] }>(
      'GET',
      `/v1/takedown-requests/${orderIds[0]}`,
      { as: 'komdigi-ais' },
    );
    expect(first.body.items.map((item) => item.locator)).toEqual([
      `https://judi-${run}.example/slot/1`,
      `https://judi-${run}.example/slot/2`,
    ]);
  });

  it('running the same submit again creates nothing new', async () => {
    const result = await tenggat(...submitArgs(file, reference), '--part-size', '2');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('0 order(s) created, 3 already there');
    for (const id of orderIds) expect(result.stdout).toContain(id);
  });

  it('refuses a file with bad lines with exit code 1, naming each, and sends nothing', async () => {
    const bad = csv([
      `https://judi-${run}.example/ok;url`,
      'not a url;url',
      `https://judi-${run}.example/ok;url`,
      ';account',
    ]);
    const badReference = `${reference}-bad`;
    const result = await tenggat(...submitArgs(bad, badReference));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${bad}:3: kind url needs an absolute http(s) URL`);
    expect(result.stderr).toContain(`${bad}:4: duplicates line 2`);
    expect(result.stderr).toContain(`${bad}:5: locator is empty`);
    expect(result.stderr).toContain('nothing was sent');
    const listed = await tenggat('--json', 'list', '--limit', '100');
    expect(
      (JSON.parse(listed.stdout) as { items: { reference: string }[] }).items.map((order) => order.reference),
    ).not.toContain(badReference);
  });

  it('status shows one order, watch follows it until it is final, list shows the parts', async () => {
    const id = orderIds[2] as string;
    const watched = await tenggat('watch', id, '--interval', '1', '--timeout', '60');
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout.trim().split('\n').at(-1)).toMatch(/\scomplied\s+order\s+1\/1 resolved/);
    const status = await tenggat('status', id);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/status\s+complied/);
    expect(status.stdout).toContain(`${reference}-p3`);
    const asJson = JSON.parse((await tenggat('--json', 'status', id)).stdout) as {
      id: string;
      status: string;
    };
    expect(asJson).toMatchObject({ id, status: 'complied' });
    const listed = await tenggat('list', '--limit', '50');
    expect(listed.code).toBe(0);
    for (const part of ['p1', 'p2', 'p3']) expect(listed.stdout).toContain(`${reference}-${part}`);
  });

  it('stats and export read the reports routes: the parts are counted and exported today', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const stats = await tenggat(
      '--json',
      'stats',
      '--from',
      today,
      '--to',
      today,
      '--platform',
      SANDBOX_PLATFORM,
    );
    expect(stats.code, stats.stderr).toBe(0);
    const body = JSON.parse(stats.stdout) as { platforms: Record<string, { orders: number; items: number }> };
    // The three parts were served today (at least: other tests submit to the sandbox too).
    expect(body.platforms[SANDBOX_PLATFORM]?.orders).toBeGreaterThanOrEqual(3);
    const table = await tenggat('stats', '--from', today, '--to', today);
    expect(table.stdout).toMatch(/\btotal\b/);
    const output = join(dir, 'orders.csv');
    const exported = await tenggat('export', 'orders', '--from', today, '--to', today, '-o', output);
    expect(exported.code, exported.stderr).toBe(0);
    const text = readFileSync(output, 'utf8');
    expect(text.startsWith('\uFEFForder_id,')).toBe(true);
    for (const id of orderIds) expect(text).toContain(`${id},`);
  });

  it('status of an unknown order exits 1', async () => {
    const result = await tenggat('status', '00000000-0000-4000-8000-000000000000');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('no order');
  });
});
