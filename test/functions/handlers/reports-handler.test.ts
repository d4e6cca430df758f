import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { statisticsFromOrders } from '../../../functions/src/domain/statistics';
import type { OrderSnapshot } from '../../../functions/src/domain/statistics-counters';
import { craftedOrders } from '../crafted-orders';
import { InMemoryReportFiles, InMemoryReports, type TestWorld, testWorld } from '../fakes';
import { pdfText as pdfTextOf } from '../letters/poppler';
import { itemRecord, orderRecord } from '../report-fixtures';
import { AGENCY_CLIENTS, apiEvent, lambdaContext, OPERATOR_CLIENT, setFunctionEnv } from './api-event';

const OPERATOR_SCOPE = 'takedown/admin takedown/read';
const now = new Date('2026-12-02T06:00:00.000Z');

function seed(world: TestWorld, snapshots: readonly OrderSnapshot[]): void {
  for (const { order, items, deliveries } of snapshots) {
    world.orders.orders.set(order.orderId, structuredClone(order));
    void world.orders.putItems([...items], order);
    world.orders.deliveries.push(...(deliveries ?? []));
  }
}

async function reportsHandler(world: TestWorld, inlineLimitBytes = 4_000_000, maxOrdersPerReport?: number) {
  setFunctionEnv();
  const { makeHandler } = await import('../../../functions/src/handlers/reports');
  return makeHandler({
    ...world.deps,
    agencyClients: AGENCY_CLIENTS,
    agencyIds: ['komdigi-ais', 'polri-siber'],
    inlineLimitBytes,
    maxOrdersPerReport,
  });
}

async function call(
  world: TestWorld,
  input: Parameters<typeof apiEvent>[0],
  inlineLimitBytes?: number,
  maxOrdersPerReport?: number,
): Promise<APIGatewayProxyResult> {
  const handler = await reportsHandler(world, inlineLimitBytes, maxOrdersPerReport);
  return handler(apiEvent(input), lambdaContext);
}

const asOperator = { clientId: OPERATOR_CLIENT, scope: OPERATOR_SCOPE };

describe('GET /v1/statistics', () => {
  let world: TestWorld;
  beforeEach(() => {
    world = testWorld();
    world.clock.set(now);
    seed(world, craftedOrders());
  });

  it('gives an operator every agency, with the numbers of the full recompute', async () => {
    const response = await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-27', to: '2026-11-30' },
      ...asOperator,
    });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    const expected = statisticsFromOrders(
      craftedOrders(),
      { from: '2026-11-27', to: '2026-11-30', zone: 'UTC' },
      now,
    );
    expect(body).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(body.total.orders).toBe(4);
    expect(body.total.items).toBe(10);
    expect(body.total.removed).toEqual({ onTime: 3, late: 1, never: 1 });
    expect(body.total.fines).toEqual([
      { currency: 'IDR', accrued: 40_000_000, final: 15_000_000, stillGrowing: 25_000_000 },
    ]);
    expect(Object.keys(body.platforms)).toEqual(['michat', 'tiktok']);
  });

  it('gives an agency its own orders only, whatever agencyId it asks for', async () => {
    const response = await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-27', to: '2026-11-30', agencyId: 'polri-siber' },
    });
    const body = JSON.parse(response.body);
    expect(response.statusCode).toBe(200);
    expect(body.filter.agencyId).toBe('komdigi-ais');
    expect(body.total.orders).toBe(2);
    expect(Object.keys(body.platforms)).toEqual(['michat']);
  });

  it('counts days in WIB when asked', async () => {
    const response = await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-29', to: '2026-11-29', tz: 'Asia/Jakarta' },
      ...asOperator,
    });
    expect(JSON.parse(response.body).total.orders).toBe(2);
  });

  it('reads only the orders created around the period, not the whole history', async () => {
    const old = Array.from({ length: 30 }, (_, index) => ({
      order: orderRecord({
        orderId: `old-${index}`,
        createdAt: '2025-01-05T00:00:00.000Z',
        servedAt: '2025-01-05T00:00:05.000Z',
      }),
      items: [itemRecord(`old-${index}`, 1)],
    }));
    seed(world, old);
    const reports = world.deps.reports as InMemoryReports;
    reports.ordersRead = 0;
    await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-27', to: '2026-11-30' },
      ...asOperator,
    });
    expect(reports.ordersRead).toBe(6);
  });

  it('refuses a period holding more orders than one call may read, naming the limit', async () => {
    const response = await call(
      world,
      {
        method: 'GET',
        resource: '/v1/statistics',
        query: { from: '2026-11-27', to: '2026-11-30' },
        ...asOperator,
      },
      undefined,
      5,
    );
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('more than 5 orders');
  });

  it('refuses a reversed range and an unknown zone with 422', async () => {
    for (const query of <Record<string, string>[]>[
      { from: '2026-11-30', to: '2026-11-27' },
      { from: '2026-11-27', to: '2026-11-30', tz: 'Mars/Olympus' },
      { from: '2025-01-01', to: '2026-11-30' },
    ]) {
      const response = await call(world, { method: 'GET', resource: '/v1/statistics', query, ...asOperator });
      expect(response.statusCode, JSON.stringify(query)).toBe(422);
    }
  });

  it('refuses a token without the read scope and an undeclared client', async () => {
    const noScope = await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-27', to: '2026-11-30' },
      scope: 'takedown/write',
    });
    expect(noScope.statusCode).toBe(403);
    const stranger = await call(world, {
      method: 'GET',
      resource: '/v1/statistics',
      query: { from: '2026-11-27', to: '2026-11-30' },
      clientId: 'client-unknown',
    });
    expect(stranger.statusCode).toBe(403);
  });
});

describe('GET /v1/exports/*', () => {
  let world: TestWorld;
  beforeEach(() => {
    world = testWorld();
    world.clock.set(now);
    seed(world, craftedOrders());
  });

  it('answers the orders CSV with a BOM, one row per item of the agency', async () => {
    const response = await call(world, {
      method: 'GET',
      resource: '/v1/exports/orders.csv',
      query: { from: '2026-11-27', to: '2026-11-27' },
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers?.['content-disposition']).toContain('tenggat-orders-2026-11-27-2026-11-27.csv');
    expect(response.body.startsWith('\uFEFForder_id,')).toBe(true);
    const rows = response.body.trim().split('\r\n');
    // komdigi-ais created o1, o2, o5, o6 on the 27th: 3 + 2 + 1 + 1 items.
    expect(rows).toHaveLength(1 + 7);
    expect(rows.some((row) => row.startsWith('o3,'))).toBe(false);
  });

  it('sends a CSV larger than a Lambda response to S3 and answers 303 to a short-lived link', async () => {
    const response = await call(
      world,
      {
        method: 'GET',
        resource: '/v1/exports/orders.csv',
        query: { from: '2026-11-27', to: '2026-11-27' },
        ...asOperator,
      },
      200,
    );
    expect(response.statusCode).toBe(303);
    const files = (world.deps.reportFiles as InMemoryReportFiles).files;
    const [key, file] = [...files.entries()][0] ?? [];
    expect(response.headers?.location).toContain(String(key));
    expect(file?.expiresInSeconds).toBeLessThanOrEqual(300);
    expect(
      file?.body
        .toString('utf8')
        .split('\r\n')
        .filter((row) => row !== ''),
    ).toHaveLength(1 + 12);
  });

  it('answers the DSA prefill for orders with EU/EEA scope only', async () => {
    const eu = orderRecord({ orderId: 'eu-1', territorialScope: ['ID', 'DE'] });
    seed(world, [
      {
        order: eu,
        items: [
          itemRecord('eu-1', 1, {
            status: 'resolved',
            outcome: 'removed',
            answeredAt: '2026-11-27T03:00:00.000Z',
            onTime: true,
          }),
        ],
      },
    ]);
    const response = await call(world, {
      method: 'GET',
      resource: '/v1/exports/dsa-statements',
      query: { from: '2026-11-27', to: '2026-11-30' },
      ...asOperator,
    });
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(response.body);
    const statements = body.batches.flatMap((batch: { statements: unknown[] }) => batch.statements);
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      tenggatItemId: expect.stringContaining('eu-1'),
      statement: { territorial_scope: ['DE'], decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'] },
    });
  });

  it('answers the authority report of a year as JSON and as CSV', async () => {
    world.clock.set(new Date('2027-01-10T00:00:00.000Z'));
    const json = await call(world, {
      method: 'GET',
      resource: '/v1/exports/authority-report',
      query: { year: '2026' },
      ...asOperator,
    });
    expect(json.statusCode).toBe(200);
    const report = JSON.parse(json.body);
    expect(report).toMatchObject({ format: 'tenggat-authority-report/v1', year: 2026, agencyId: null });
    const metric = (key: string) => report.metrics.find((row: { key: string }) => row.key === key)?.value;
    // The crafted set: 5 orders served in 2026 (O6 in December too), 2 reached ST2, 1 ST3.
    expect(metric('orders_issued')).toBe(5);
    expect(metric('orders_reached_st2')).toBe(2);
    expect(metric('orders_reached_st3')).toBe(1);
    const csv = await call(world, {
      method: 'GET',
      resource: '/v1/exports/authority-report',
      query: { year: '2026', format: 'csv' },
    });
    expect(csv.headers?.['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.body.startsWith('\uFEFFsection,key,label,value,unit,note')).toBe(true);
  });
});

describe('letters and their verification', () => {
  let world: TestWorld;
  const pdfText = (pdf: Buffer): string => pdfTextOf(pdf, { layout: true });
  beforeEach(() => {
    world = testWorld();
    world.clock.set(now);
    seed(world, craftedOrders());
  });

  const letter = (orderId: string, stage: string, who: object = {}) =>
    call(world, {
      method: 'GET',
      resource: '/v1/takedown-requests/{id}/letters/{stage}',
      pathParameters: { id: orderId, stage },
      ...who,
    });

  it('answers the PDF of a reached stage, base64 for API Gateway, and remembers its digest', async () => {
    const response = await letter('o2', 'st2');
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toBe('application/pdf');
    expect(response.isBase64Encoded).toBe(true);
    const pdf = Buffer.from(response.body, 'base64');
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('o2');
    const digest = /\/v1\/verify\/([0-9a-f]{64})/.exec(text.replace(/\s+/g, ''))?.[1];
    expect(digest).toBeDefined();
    const reports = world.deps.reports as InMemoryReports;
    expect([...reports.letters.values()]).toEqual([
      expect.objectContaining({ orderId: 'o2', stage: 'st2', issuedAt: now.toISOString() }),
    ]);
  });

  it('is 404 for a stage not reached, an unknown stage and another agency’s order', async () => {
    expect((await letter('o1', 'st2')).statusCode).toBe(404);
    expect((await letter('o1', 'st9')).statusCode).toBe(404);
    expect((await letter('o3', 'order')).statusCode).toBe(404);
    expect((await letter('o3', 'order', asOperator)).statusCode).toBe(200);
  });

  it('verifies an issued digest publicly, and says when the record changed since', async () => {
    await letter('o1', 'order');
    const reports = world.deps.reports as InMemoryReports;
    const [digest] = [...reports.letters.keys()];
    const verify = () =>
      call(world, {
        method: 'GET',
        resource: '/v1/verify/{sha256}',
        pathParameters: { sha256: String(digest) },
        clientId: null,
      });
    const first = await verify();
    expect(first.statusCode).toBe(200);
    const body = JSON.parse(first.body);
    expect(body).toEqual({
      digest,
      orderId: 'o1',
      stage: 'order',
      issuedAt: now.toISOString(),
      current: true,
      checkedAt: now.toISOString(),
    });
    // No content of the order in the answer: no locator, reference, legal basis or officer.
    expect(first.body).not.toMatch(/AIS\/2026|UU ITE|Rina|http/);
    const items = world.orders.items.get('o1');
    const item = items?.values().next().value;
    if (item) items?.set(item.itemId, { ...item, outcome: 'restricted' });
    expect(JSON.parse((await verify()).body).current).toBe(false);
    const unknown = await call(world, {
      method: 'GET',
      resource: '/v1/verify/{sha256}',
      pathParameters: { sha256: 'f'.repeat(64) },
      clientId: null,
    });
    expect(unknown.statusCode).toBe(404);
  });
});
