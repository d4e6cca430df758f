import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../cli/main';

/**
 * `stats` and `export` against a fake API (their routes do not exist yet): the fake answers with documents of the
 * shapes `functions/src/domain/statistics.ts` and the exports produce, and records what the CLI sent.
 */
const statistics = {
  total: block(3, 0.6667),
  platforms: { michat: block(2, 0.5), tiktok: block(1, 1) },
};
function block(orders: number, onTimeRate: number) {
  return {
    orders,
    items: orders * 2,
    removed: { onTime: orders, late: 1, never: 0 },
    onTimeRate,
    timeToComplySeconds: { count: orders, p50: 3_600, p90: 93_784, max: 108_000 },
    stagesReached: { st1: 1, st2: 1, st3: 0 },
    fines: [{ currency: 'IDR', accrued: 15_000_000 * orders, final: 5_000_000, stillGrowing: 0 }],
    contested: { items: 1, upheld: 1, withdrawn: 0 },
    clarifications: { asked: 2 },
    deliveryLatencyMs: { median: 120 },
  };
}

const seen: { method: string; url: string; authorization?: string }[] = [];
const tokenClients: string[] = [];
const posted: { reference: string; items: number; key: string }[] = [];
let server: Server;
let base = '';

function handle(request: IncomingMessage, response: ServerResponse) {
  seen.push({
    method: request.method ?? '',
    url: request.url ?? '',
    authorization: request.headers.authorization,
  });
  const url = new URL(request.url ?? '/', base);
  const json = (status: number, body: unknown) => {
    response.writeHead(status, { 'content-type': 'application/json' });
    response.end(JSON.stringify(body));
  };
  if (url.pathname === '/oauth2/token') {
    const user = Buffer.from((request.headers.authorization ?? '').replace(/^Basic /, ''), 'base64')
      .toString()
      .split(':')[0];
    tokenClients.push(user ?? '');
    return json(200, { access_token: 'token-1', expires_in: 3600 });
  }
  if (url.pathname === '/prod/v1/statistics') {
    if (url.searchParams.get('from') === '2026-13-01')
      return json(422, { title: 'Validation failed', detail: 'from must be a date YYYY-MM-DD' });
    return json(200, { filter: Object.fromEntries(url.searchParams), ...statistics });
  }
  if (url.pathname === '/prod/v1/exports/orders.csv') {
    response.writeHead(303, { location: `${base}/presigned/orders.csv?X-Amz-Signature=abc` });
    return response.end();
  }
  if (url.pathname === '/presigned/orders.csv') {
    response.writeHead(200, { 'content-type': 'text/csv' });
    return response.end('\uFEFForder_id,item_id\r\no1,000001\r\n');
  }
  if (url.pathname === '/prod/v1/takedown-requests' && request.method === 'GET') {
    // A server that already filters by reference: AIS/OLD exists, the rest does not.
    const reference = url.searchParams.get('reference');
    const items =
      reference === 'AIS/OLD-p1'
        ? [{ id: 'old-1', reference, platformId: 'michat', status: 'complied' }]
        : [];
    return json(200, { items, nextCursor: null });
  }
  if (url.pathname === '/prod/v1/takedown-requests' && request.method === 'POST') {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString()) as { reference: string; items: unknown[] };
      posted.push({
        reference: body.reference,
        items: body.items.length,
        key: String(request.headers['idempotency-key']),
      });
      json(201, {
        id: `new-${posted.length}`,
        status: 'notifying',
        duplicates: [
          { index: 0, sameAgency: false },
          ...(body.items.length > 1
            ? [{ index: 1, sameAgency: true, orderId: 'old-1', itemId: '000002' }]
            : []),
        ],
      });
    });
    return;
  }
  if (url.pathname === '/prod/v1/exports/dsa-statements')
    return json(200, { format: 'tenggat-dsa-prefill/v1', batches: [] });
  return json(404, { title: 'Not found' });
}

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function run(...argv: string[]) {
  const cwd = mkdtempSync(join(tmpdir(), 'tenggat-cli-'));
  const config = join(cwd, 'local.json');
  writeFileSync(
    config,
    JSON.stringify({
      apiUrl: `${base}/prod`,
      tokenUrl: `${base}/oauth2/token`,
      clients: {
        'tenggat-operator': { clientId: 'op', clientSecret: 's' },
        'komdigi-ais': { clientId: 'ais', clientSecret: 's', agency: 'komdigi-ais' },
      },
    }),
  );
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (chunk) => out.push(String(chunk)));
  stderr.on('data', (chunk) => err.push(String(chunk)));
  const code = await runCli(['--local-config', config, ...argv], { stdout, stderr, env: {}, cwd });
  return { code, stdout: out.join(''), stderr: err.join(''), cwd };
}

describe('tenggat stats', () => {
  it('prints one row per platform and a total, with rates and durations people read', async () => {
    const result = await run('stats', '--from', '2026-11-01', '--to', '2026-11-30', '--tz', 'Asia/Jakarta');
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split('\n');
    expect(lines[0]).toBe('statistics 2026-11-01 .. 2026-11-30 (Asia/Jakarta)');
    expect(lines[1]).toMatch(
      /^platform\s+orders\s+items\s+on time\s+late\s+never\s+on-time rate\s+p50\s+p90\s+max/,
    );
    const michat = lines.find((line) => line.startsWith('michat')) ?? '';
    expect(michat).toMatch(/^michat\s+2\s+4\s+2\s+1\s+0\s+50\.0 %\s+1h\s+1d 2h 3m\s+1d 6h/);
    expect(michat).toContain('IDR 30,000,000 (final 5,000,000)');
    expect(lines.at(-1)).toMatch(/^total\s+3\s+6\s+.*66\.7 %/);
    expect(
      seen.some(
        (call) =>
          call.url === '/prod/v1/statistics?from=2026-11-01&to=2026-11-30&tz=Asia%2FJakarta' &&
          call.authorization === 'Bearer token-1',
      ),
    ).toBe(true);
  });

  it('picks the first agency client by default and --client another', async () => {
    tokenClients.length = 0;
    await run('stats', '--from', '2026-11-01', '--to', '2026-11-30');
    await run(
      '--client',
      'tenggat-operator',
      'stats',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30',
      '--agency',
      'bpom',
    );
    expect(tokenClients).toEqual(['ais', 'op']);
    expect(seen.some((call) => call.url.endsWith('agencyId=bpom'))).toBe(true);
  });

  it('prints the document with --json', async () => {
    const result = await run('--json', 'stats', '--from', '2026-11-01', '--to', '2026-11-30');
    expect(JSON.parse(result.stdout).platforms.tiktok.onTimeRate).toBe(1);
  });

  it('exits 1 with the problem for a refused query, before that for a malformed date', async () => {
    const refused = await run('stats', '--from', '2026-13-01', '--to', '2026-11-30');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('HTTP 422 Validation failed; from must be a date YYYY-MM-DD');
    const malformed = await run('stats', '--from', '1.11.2026', '--to', '2026-11-30');
    expect(malformed.code).toBe(1);
    expect(malformed.stderr).toContain('--from must be a date YYYY-MM-DD');
  });
});

describe('tenggat export', () => {
  it('follows the 303 to the presigned URL without sending the token there, and writes the file', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'tenggat-export-')), 'orders.csv');
    const result = await run('export', 'orders', '--from', '2026-11-01', '--to', '2026-11-30', '-o', target);
    expect(result.code).toBe(0);
    expect(readFileSync(target, 'utf8')).toBe('\uFEFForder_id,item_id\r\no1,000001\r\n');
    expect(result.stderr).toMatch(/^wrote 32 bytes to /); // 3 bytes of BOM + 29
    const presigned = seen.find((call) => call.url.startsWith('/presigned/'));
    expect(presigned?.authorization).toBeUndefined();
  });

  it('writes the DSA prefill, and refuses an unknown export', async () => {
    const target = join(mkdtempSync(join(tmpdir(), 'tenggat-export-')), 'dsa.json');
    expect(
      (await run('export', 'dsa', '--from', '2026-11-01', '--to', '2026-11-30', '-o', target)).code,
    ).toBe(0);
    expect(JSON.parse(readFileSync(target, 'utf8')).format).toBe('tenggat-dsa-prefill/v1');
    const unknown = await run(
      'export',
      'everything',
      '--from',
      '2026-11-01',
      '--to',
      '2026-11-30',
      '-o',
      target,
    );
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown export everything');
  });
});

describe('tenggat submit with a list route that filters by reference', () => {
  it('skips the parts that exist, sends the rest, shows progress on a terminal and reports duplicates', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'tenggat-submit-')), 'items.csv');
    writeFileSync(
      csv,
      `locator\n${Array.from({ length: 5 }, (_, index) => `https://judi.example/${index}`).join('\n')}\n`,
    );
    const stderr = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 100,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    const progress: string[] = [];
    stderr.on('data', (chunk) => progress.push(String(chunk)));
    const stdout = new PassThrough();
    const out: string[] = [];
    stdout.on('data', (chunk) => out.push(String(chunk)));
    const cwd = mkdtempSync(join(tmpdir(), 'tenggat-cli-'));
    const config = join(cwd, 'local.json');
    writeFileSync(
      config,
      JSON.stringify({
        apiUrl: `${base}/prod`,
        tokenUrl: `${base}/oauth2/token`,
        clients: { 'komdigi-ais': { clientId: 'ais', clientSecret: 's', agency: 'komdigi-ais' } },
      }),
    );
    const argv = [
      '--local-config',
      config,
      '--json',
      'submit',
      '--csv',
      csv,
      '--platform',
      'michat',
      '--category',
      'gambling',
      '--legal-basis',
      'UU ITE',
      '--reason',
      'r',
      '--reference',
      'AIS/OLD',
      '--part-size',
      '2',
    ];
    expect(await runCli(argv, { stdout, stderr, env: {}, cwd })).toBe(0);
    const result = JSON.parse(out.join('')) as {
      orders: { reference: string; created: boolean; orderId: string }[];
      duplicates: unknown[];
    };
    expect(result.orders.map((order) => [order.reference, order.created])).toEqual([
      ['AIS/OLD-p1', false],
      ['AIS/OLD-p2', true],
      ['AIS/OLD-p3', true],
    ]);
    expect(posted.map((entry) => [entry.reference, entry.items])).toEqual([
      ['AIS/OLD-p2', 2],
      ['AIS/OLD-p3', 1],
    ]);
    expect(posted[0]?.key).toMatch(/^tenggat-cli-[0-9a-f]{48}$/);
    // `order` is the part's new order, `orderId` the same agency's open order it duplicates.
    expect(result.duplicates).toEqual([
      { part: 2, order: 'new-1', index: 0, locator: 'https://judi.example/2', sameAgency: false },
      {
        part: 2,
        order: 'new-1',
        index: 1,
        locator: 'https://judi.example/3',
        sameAgency: true,
        orderId: 'old-1',
        itemId: '000002',
      },
      { part: 3, order: 'new-2', index: 0, locator: 'https://judi.example/4', sameAgency: false },
    ]);
    expect(progress.join('')).toMatch(/items .* 5\/5 \| orders 3 \| \d+ items\/s \| ETA/);
    expect(seen.some((call) => call.url.includes('reference=AIS%2FOLD-p3'))).toBe(true);
  });
});

describe('tenggat submit summary', () => {
  it('lists the duplicates under the orders, with what the agency may know of the other order', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'tenggat-submit-')), 'items.csv');
    writeFileSync(csv, 'locator\nhttps://judi.example/a\nhttps://judi.example/b\n');
    const result = await run(
      'submit',
      '--csv',
      csv,
      '--platform',
      'michat',
      '--category',
      'gambling',
      '--legal-basis',
      'UU ITE',
      '--reason',
      'r',
      '--reference',
      'AIS/HUMAN',
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('2 duplicate(s): already open in an order to this platform');
    expect(result.stdout).toMatch(/1\s+0\s+https:\/\/judi\.example\/a\s+another agency's order/);
    expect(result.stdout).toMatch(/1\s+1\s+https:\/\/judi\.example\/b\s+order old-1, item 000002/);
  });
});

describe('connection', () => {
  it('explains what is missing without a local cloud or API settings', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const err: string[] = [];
    stderr.on('data', (chunk) => err.push(String(chunk)));
    const cwd = mkdtempSync(join(tmpdir(), 'tenggat-none-'));
    expect(await runCli(['list'], { stdout, stderr, env: {}, cwd })).toBe(1);
    expect(err.join('')).toContain(
      'start the local cloud with `npm start`, or pass --api, --token-url and --client-id',
    );
    err.length = 0;
    expect(
      await runCli(['--api', base, '--token-url', `${base}/oauth2/token`, '--client-id', 'x', 'list'], {
        stdout,
        stderr,
        env: {},
        cwd,
      }),
    ).toBe(1);
    expect(err.join('')).toContain('set TENGGAT_CLIENT_SECRET');
  });
});
