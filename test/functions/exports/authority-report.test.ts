import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { statisticsFromOrders } from '../../../functions/src/domain/statistics';
import {
  authorityReportCsv,
  buildAuthorityReport,
  yearFilter,
} from '../../../functions/src/exports/authority-report';
import { itemRecord, orderRecord } from '../report-fixtures';

const now = new Date('2027-01-05T00:00:00Z');

function orders() {
  const served = '2026-03-02T02:00:00.000Z';
  const a = orderRecord({
    orderId: 'a',
    servedAt: served,
    notifiedAt: served,
    status: 'complied',
    finalizedAt: '2026-03-02T05:00:00.000Z',
  });
  const b = orderRecord({
    orderId: 'b',
    servedAt: '2026-12-31T20:00:00.000Z',
    notifiedAt: '2026-12-31T20:00:00.000Z',
  });
  const lastYear = orderRecord({
    orderId: 'c',
    servedAt: '2025-12-31T12:00:00.000Z',
    notifiedAt: '2025-12-31T12:00:00.000Z',
  });
  return [
    {
      order: a,
      items: [
        itemRecord('a', 1, {
          status: 'resolved',
          outcome: 'removed',
          answeredAt: '2026-03-02T03:00:00.000Z',
          onTime: true,
        }),
        itemRecord('a', 2, {
          status: 'withdrawn',
          outcome: 'rejected',
          reason: { code: 'force_majeure', explanation: 'Outage.' },
          review: { decision: 'withdraw', note: 'ok', at: '2026-03-02T04:00:00.000Z' },
        }),
      ],
    },
    { order: b, items: [itemRecord('b', 1)] },
    { order: lastYear, items: [itemRecord('c', 1)] },
  ];
}

describe('authority report (TCO Art. 8)', () => {
  // 2026-12-31 20:00 UTC is 2027-01-01 03:00 in Jakarta: order b belongs to 2027 in WIB.
  const statistics = statisticsFromOrders(orders(), yearFilter(2026), now);
  const report = buildAuthorityReport({ statistics, year: 2026, agencyId: null });
  const value = (key: string) => report.metrics.find((entry) => entry.key === key)?.value;

  it('counts the year in the time zone asked for', () => {
    expect(value('orders_issued')).toBe(1);
    expect(value('items_ordered')).toBe(2);
    const utc = buildAuthorityReport({
      statistics: statisticsFromOrders(orders(), yearFilter(2026, 'UTC'), now),
      year: 2026,
      agencyId: null,
    });
    expect(utc.metrics.find((entry) => entry.key === 'orders_issued')?.value).toBe(2);
  });

  it('reports removals, reasons for not removing and contests, labelled as what they are', () => {
    expect(value('items_removed_on_time')).toBe(1);
    expect(value('reason_force_majeure')).toBe(1);
    expect(report.metrics.find((entry) => entry.key === 'reason_force_majeure')?.label).toContain(
      'TCO Art. 3(7)',
    );
    expect(value('contests_withdrawn')).toBe(1);
    expect(report.metrics.find((entry) => entry.key === 'fines_final_IDR')?.note).toContain('not "paid"');
    expect(report.notCovered.join(' ')).toContain('Art. 18');
  });

  it('as CSV: BOM, one metric per row, what is not covered listed', () => {
    const csv = authorityReportCsv(report);
    expect(csv.charCodeAt(0)).toBe(0xfeff);
    const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
    expect(rows.find((row) => row.key === 'orders_issued')?.value).toBe('1');
    expect(rows.filter((row) => row.section === 'not_covered')).toHaveLength(4);
  });
});
