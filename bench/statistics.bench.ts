/**
 * Statistics benchmark (pure, in memory): 100,000 orders of a year, 3 items each, over 10 platforms, 3 agencies
 * and 11 categories. Measures the full recompute, the size of the counter cells a query reads (and so its
 * DynamoDB cost), the query from cells and the deltas of one change. Also the 10,000-item letter.
 * The table benchmark (orders seeded into DynamoDB) needs the adapter and is the lead's part.
 */
import { performance } from 'node:perf_hooks';
import defaultPolicy from '../config/policies/default.json';
import { UNKNOWN_WEBHOOK_HEALTH } from '../functions/src/domain/new-order';
import { CATEGORIES, parsePolicy } from '../functions/src/domain/policy';
import type { ItemRecord } from '../functions/src/domain/records';
import {
  cellMatches,
  counterReadPlan,
  growingFines,
  statisticsFromCells,
  statisticsFromOrders,
} from '../functions/src/domain/statistics';
import {
  type CounterCell,
  mergeCells,
  type OrderSnapshot,
  orderContribution,
  statisticsDeltas,
} from '../functions/src/domain/statistics-counters';
import { renderLetterPdf } from '../functions/src/letters/render-letter';
import type { BenchReport, BenchRun } from './bench-report';

const policy = parsePolicy(defaultPolicy);
const ZONES = ['UTC', 'Asia/Jakarta'];
const HOUR = 3_600_000;

function random(seed: number) {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

function makeOrders(count: number): OrderSnapshot[] {
  const next = random(42);
  const start = Date.parse('2026-01-01T00:00:00Z');
  const orders: OrderSnapshot[] = [];
  for (let index = 0; index < count; index += 1) {
    const servedAt = new Date(
      start + Math.floor(next() * 365 * 24) * HOUR + Math.floor(next() * HOUR),
    ).toISOString();
    const escalated = next() < 0.1;
    const orderId = `o${index}`;
    const finalizedAt = new Date(Date.parse(servedAt) + (escalated ? 96 : 3) * HOUR).toISOString();
    const order = {
      orderId,
      agencyId: ['komdigi-ais', 'polri-siber', 'bpom'][index % 3] as string,
      platformId: `platform-${index % 10}`,
      category: CATEGORIES[index % CATEGORIES.length] ?? 'other',
      urgency: 'standard' as const,
      urgent: false,
      urgencyReason: null,
      legalBasis: ['UU ITE'],
      reason: 'r',
      reference: `R/${index}`,
      territorialScope: ['ID'],
      officer: null,
      evidence: [],
      status: escalated ? ('referred_for_blocking' as const) : ('complied' as const),
      stage: escalated ? ('st3' as const) : ('order' as const),
      createdAt: servedAt,
      notifiedAt: servedAt,
      servedAt,
      servedVia: 'webhook' as const,
      deadlineAt: null,
      st2At: escalated ? new Date(Date.parse(servedAt) + 48 * HOUR).toISOString() : null,
      stageHistory: [
        { stage: 'order' as const, at: servedAt, deadlineAt: null },
        ...(escalated
          ? (['st1', 'st2', 'st3'] as const).map((stage) => ({ stage, at: servedAt, deadlineAt: null }))
          : []),
      ],
      itemCounts: { total: 3, pending: 0, resolved: 3, disputed: 0, withdrawn: 0 },
      policy,
      version: 1,
      auditSeq: 1,
      auditHead: null,
      taskToken: null,
      executionArn: null,
      recoveries: 0,
      noticeSeq: 1,
      webhookHealth: UNKNOWN_WEBHOOK_HEALTH,
      clarification: null,
      clarifications: [],
      clockPausedSince: null,
      clockPauses: [],
      lastReviewReminderAt: null,
      disputedSince: null,
      finalizedAt,
      withdrawal: null,
    };
    const items: ItemRecord[] = Array.from({ length: 3 }, (_, seq) => ({
      orderId,
      itemId: String(seq + 1).padStart(6, '0'),
      seq: seq + 1,
      kind: 'url',
      locator: `https://x.example/${index}/${seq}`,
      note: null,
      status: escalated && seq === 0 ? 'pending' : 'resolved',
      outcome: escalated && seq === 0 ? null : 'removed',
      reason: null,
      answeredAt:
        escalated && seq === 0
          ? null
          : new Date(Date.parse(servedAt) + Math.floor(next() * 30 * HOUR)).toISOString(),
      actedAt: null,
      onTime: escalated && seq === 0 ? null : next() < 0.8,
      answeredAtStage: 'order',
      deadlineAt: null,
      fineSettled: 0,
      fineAccruingSince: null,
      review: null,
    }));
    orders.push({ order, items, deliveries: [] });
  }
  return orders;
}

const time = <T>(work: () => T): [T, number] => {
  const started = performance.now();
  const result = work();
  return [result, Math.round(performance.now() - started)];
};

const bytes = (cells: CounterCell[]) =>
  cells.reduce((sum, cell) => sum + Buffer.byteLength(JSON.stringify(cell)), 0);

export const run: BenchRun = async ({ quick }) => {
  const count = quick ? 10_000 : 100_000;
  const orders = makeOrders(count);
  const year = { from: '2026-01-01', to: '2026-12-31', zone: 'Asia/Jakarta' };
  const week = { from: '2026-06-01', to: '2026-06-07', zone: 'Asia/Jakarta' };
  const [, recomputeMs] = time(() => statisticsFromOrders(orders, year, new Date('2027-01-01T00:00:00Z')));
  const [cells, cellsMs] = time(() => {
    const merged = new Map<string, CounterCell>();
    for (const snapshot of orders) mergeCells(merged, orderContribution(snapshot, ZONES));
    return [...merged.values()];
  });
  const rows: BenchReport['rows'] = [];
  for (const [name, filter] of [
    ['year', year],
    ['week', week],
  ] as const) {
    const plan = counterReadPlan(filter.from, filter.to);
    const read = cells.filter((cell) => cellMatches(cell, filter, plan));
    const size = bytes(read);
    const [, queryMs] = time(() =>
      statisticsFromCells(read, growingFines([], filter, new Date()), filter, new Date()),
    );
    rows.push({
      query: name,
      orders: count,
      cellsRead: read.length,
      kilobytesRead: Math.round(size / 1024),
      // Eventually consistent Query: 0.5 RCU per 4 KB read.
      readCapacityUnits: Math.ceil(size / 8192),
      partitionsQueried: plan.months.length + new Set(plan.days.map((day) => day.slice(0, 7))).size,
      queryMs,
    });
  }
  const sample = orders[0] as OrderSnapshot;
  const changed = {
    ...sample,
    items: sample.items.map((item) => ({
      ...item,
      status: 'resolved' as const,
      outcome: 'removed' as const,
    })),
  };
  const [, deltasMs] = time(() => {
    for (let index = 0; index < 10_000; index += 1) statisticsDeltas(sample, changed, ZONES);
  });
  const letterItems = quick ? 2_000 : 10_000;
  const letterOrder = {
    ...sample.order,
    stage: 'st2' as const,
    st2At: sample.order.servedAt ?? null,
    finalizedAt: null,
    withdrawal: null,
  };
  const [letter, letterMs] = await (async () => {
    const started = performance.now();
    const rendered = await renderLetterPdf({
      stage: 'order',
      order: letterOrder,
      items: Array.from({ length: letterItems }, (_, index) => ({
        ...(sample.items[0] as ItemRecord),
        itemId: String(index + 1).padStart(6, '0'),
        locator: `https://judi.example/slot/${index + 1}?ref=ais`,
      })),
      agency: { id: 'komdigi-ais', name: 'Komdigi AIS' },
      platform: { id: 'michat', name: 'MiChat' },
      auditHead: null,
      verifyUrlBase: 'https://api.tenggat.example/v1/verify',
      now: new Date(),
    });
    return [rendered, Math.round(performance.now() - started)] as const;
  })();
  return {
    name: 'statistics',
    description: `statistics over ${count} orders (3 items each), counter cells, deltas, and a ${letterItems}-item letter`,
    rows,
    notes: [
      `full recompute from the orders (one year): ${recomputeMs} ms; building all counter cells (2 zones, day + month): ${cellsMs} ms for ${cells.length} cells (${Math.round(bytes(cells) / 1024)} KB)`,
      `deltas of one change (2 zones): ${(deltasMs / 10_000).toFixed(3)} ms each; they touch at most 4 cells (zone × day/month) per (platform, agency, category)`,
      `letter with ${letterItems} items: ${letterMs} ms, ${letter.pdf.length} bytes, ${letter.pages} pages`,
      'cells read = month cells for whole months + day cells for the partial months at either end; RCU for eventually consistent reads; the query cost grows with the number of (platform, agency, category) combinations active in the period, not with the number of orders',
    ],
  };
};
