import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  cloud,
  getToken,
  OPERATOR,
  OTHER_AGENCY,
  orderBody,
  type PlatformReceiver,
  pdfText,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

interface Block {
  orders: number;
  items: number;
  removed: { onTime: number; late: number; never: number };
  itemsByOutcome: Record<string, number>;
}
interface StatisticsBody {
  total: Block;
  platforms: Record<string, Block>;
}

const today = new Date().toISOString().slice(0, 10);
const year = Number(today.slice(0, 4));

/** One order to a fresh platform, answered `removed` on every item, EU scope so that DSA statements exist. */
describe('reports over HTTP on the local cloud', () => {
  let platformId: string;
  let receiver: PlatformReceiver;
  let orderId: string;

  beforeAll(async () => {
    ({ platformId, receiver } = await startRegisteredPlatform());
    const submitted = await submitOrder(orderBody({ platformId, territorialScope: ['ID', 'NL'] }, 2));
    expect(submitted.status).toBe(201);
    orderId = submitted.body.id;
    const requested = await waitFor(
      () => receiver.received.find((webhook) => webhook.type === 'takedown.requested'),
      { what: 'takedown.requested' },
    );
    await waitForOrder(orderId, (order) => order.deadlineAt !== null);
    const answered = await receiver.answer(
      orderId,
      requested.body.data.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
    );
    expect(answered.status).toBe(200);
    await waitForOrder(orderId, (order) => order.status === 'complied', { what: 'complied' });
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it('counts the order in the statistics of its agency and of the operator, not of another agency', async () => {
    const path = `/v1/statistics?from=${today}&to=${today}`;
    const own = await api<StatisticsBody>('GET', path, { as: AGENCY });
    expect(own.status).toBe(200);
    expect(own.body.platforms[platformId]).toMatchObject({
      orders: 1,
      items: 2,
      removed: { onTime: 2, late: 0, never: 0 },
    });
    const operator = await api<StatisticsBody>('GET', `${path}&platformId=${platformId}`, { as: OPERATOR });
    expect(operator.status).toBe(200);
    expect(operator.body.total).toMatchObject({ orders: 1, items: 2 });
    const other = await api<StatisticsBody>('GET', path, { as: OTHER_AGENCY });
    expect(other.status).toBe(200);
    expect(other.body.platforms[platformId]).toBeUndefined();
    const reversed = await api('GET', `/v1/statistics?from=${today}&to=2000-01-01`, { as: AGENCY });
    expect(reversed.status).toBe(422);
  });

  it('exports the items as CSV for spreadsheets, and the DSA prefill and authority report as JSON', async () => {
    const csv = await api<string>(
      'GET',
      `/v1/exports/orders.csv?from=${today}&to=${today}&platformId=${platformId}`,
      {
        as: AGENCY,
      },
    );
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const rows = csv.body.split('\r\n').filter((row) => row !== '');
    expect(rows[0]?.replace('\uFEFF', '').startsWith('order_id,reference,agency_id,platform_id')).toBe(true);
    expect(rows.slice(1).filter((row) => row.startsWith(`${orderId},`))).toHaveLength(2);

    const dsa = await api<{
      batches: { statements: { tenggatOrderId: string; statement: Record<string, unknown> }[] }[];
    }>('GET', `/v1/exports/dsa-statements?from=${today}&to=${today}&platformId=${platformId}`, {
      as: OPERATOR,
    });
    expect(dsa.status).toBe(200);
    const statements = dsa.body.batches.flatMap((batch) => batch.statements);
    expect(statements.filter((entry) => entry.tenggatOrderId === orderId)).toHaveLength(2);
    expect(statements[0]?.statement.territorial_scope).toEqual(['NL']);

    const report = await api<{ format: string; metrics: { key: string; value: number | null }[] }>(
      'GET',
      `/v1/exports/authority-report?year=${year}`,
      { as: AGENCY },
    );
    expect(report.status).toBe(200);
    expect(report.body.format).toBe('tenggat-authority-report/v1');
    expect(
      report.body.metrics.find((metric) => metric.key === 'orders_issued')?.value,
    ).toBeGreaterThanOrEqual(1);
    const reportCsv = await api<string>('GET', `/v1/exports/authority-report?year=${year}&format=csv`, {
      as: AGENCY,
    });
    expect(reportCsv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
  });

  it('serves the order letter as a PDF whose digest the public verification route knows', async () => {
    const token = await getToken(AGENCY);
    const response = await fetch(`${cloud().apiUrl}/v1/takedown-requests/${orderId}/letters/order`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/pdf' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/pdf');
    const pdf = Buffer.from(await response.arrayBuffer());
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const text = pdfText(pdf);
    expect(text).toContain('SURAT PERINTAH TAKEDOWN');
    expect(text).toContain('TAKEDOWN ORDER');
    const digest = /\/v1\/verify\/([0-9a-f]{64})/.exec(text.replace(/\s+/g, ''))?.[1] ?? '';
    expect(digest).toHaveLength(64);

    const verified = await api<Record<string, unknown>>('GET', `/v1/verify/${digest}`);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ digest, orderId, stage: 'order', current: true });
    expect(JSON.stringify(verified.body)).not.toContain('example.test');

    const notReached = await api('GET', `/v1/takedown-requests/${orderId}/letters/st2`, { as: AGENCY });
    expect(notReached.status).toBe(404);
    const otherAgency = await api('GET', `/v1/takedown-requests/${orderId}/letters/order`, {
      as: OTHER_AGENCY,
    });
    expect(otherAgency.status).toBe(404);
    const unknown = await api('GET', `/v1/verify/${'0'.repeat(64)}`);
    expect(unknown.status).toBe(404);
  });
});
