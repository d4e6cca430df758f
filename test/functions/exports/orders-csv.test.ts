import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  ORDERS_CSV_COLUMNS,
  type OrderWithItems,
  ordersCsvStream,
} from '../../../functions/src/exports/orders-csv';
import { itemRecord, orderRecord } from '../report-fixtures';

const now = new Date('2026-12-01T02:00:00Z');

async function text(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string));
  return Buffer.concat(chunks).toString('utf8');
}

function sample(): OrderWithItems[] {
  const order = orderRecord({ orderId: 'o1', stage: 'st2', st2At: '2026-11-29T01:00:05.000Z' });
  return [
    {
      order,
      items: [
        itemRecord('o1', 1, {
          status: 'resolved',
          outcome: 'removed',
          answeredAt: '2026-11-27T02:00:00.000Z',
          onTime: true,
          answeredAtStage: 'order',
        }),
        itemRecord('o1', 2, { kind: 'account', locator: '=HYPERLINK("http://evil.example","click")' }),
        itemRecord('o1', 3, { locator: 'https://michat.example/p?a=1,b="2"\r\nnext line, with ünïcödé' }),
      ],
    },
  ];
}

describe('orders CSV', () => {
  it('starts with a UTF-8 BOM, separates records with CRLF and has one row per item', async () => {
    const csv = await text(ordersCsvStream(sample(), now));
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    expect(csv.endsWith('\r\n')).toBe(true);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...ORDERS_CSV_COLUMNS]);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatchObject({
      order_id: 'o1',
      platform_id: 'michat',
      item_status: 'resolved',
      outcome: 'removed',
      served_at: '2026-11-27T01:00:05.000Z',
      deadline_at: '2026-11-28T01:00:05.000Z',
      answered_at: '2026-11-27T02:00:00.000Z',
      on_time: 'yes',
      stage: 'order',
      fine: '0',
      currency: 'IDR',
    });
    // Pending at ST2 since 11-29 01:00:05: three periods started by 12-01 02:00.
    expect(rows[1]).toMatchObject({ item_status: 'pending', on_time: '', stage: 'st2', fine: '15000000' });
  });

  it('keeps commas, quotes, line breaks and non-ASCII text intact (RFC 4180 quoting)', async () => {
    const rows = parse(await text(ordersCsvStream(sample(), now)), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows[2]?.locator).toBe('https://michat.example/p?a=1,b="2"\r\nnext line, with ünïcödé');
  });

  it('neutralizes cells a spreadsheet would run as a formula', async () => {
    const rows = parse(await text(ordersCsvStream(sample(), now)), { bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows[1]?.locator).toBe('\'=HYPERLINK("http://evil.example","click")');
  });

  it('streams: the first bytes go out before the source is read to the end', async () => {
    let produced = 0;
    async function* source(): AsyncGenerator<OrderWithItems> {
      for (let index = 0; index < 1_000; index += 1) {
        const order = orderRecord({ orderId: `o${index}` });
        produced += 1;
        yield { order, items: Array.from({ length: 100 }, (_, seq) => itemRecord(order.orderId, seq + 1)) };
      }
    }
    const stream = ordersCsvStream(source(), now);
    for await (const _chunk of stream) break;
    expect(produced).toBeLessThan(1_000);
  });

  it('fails the stream when the source fails, so a truncated export never looks complete', async () => {
    async function* broken(): AsyncGenerator<OrderWithItems> {
      yield* sample();
      throw new Error('DynamoDB throttled');
    }
    await expect(text(ordersCsvStream(broken(), now))).rejects.toThrow('DynamoDB throttled');
  });
});
