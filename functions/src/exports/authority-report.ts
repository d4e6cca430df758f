import { stringify } from 'csv-stringify/sync';
import type { Statistics } from '../domain/statistics';
import { SPREADSHEET_CSV, textCell } from './csv-cells';

/**
 * `GET /v1/exports/authority-report?year=` (issue 10 §2): the counts an authority publishes under Art. 8 of
 * Regulation (EU) 2021/784 (TCO) that Tenggat can know, each labelled as what it is. Built from the statistics
 * of the year (whatever the statistics cost, this costs), so it never reads the orders themselves.
 *
 * What Tenggat cannot know is listed in `notCovered` instead of being guessed: specific measures (Art. 5),
 * the scrutiny of orders (Art. 4), penalties actually imposed (Art. 18) and court proceedings.
 */
export interface ReportMetric {
  section: string;
  key: string;
  label: string;
  value: number | null;
  unit: 'count' | 'seconds' | 'ratio' | string;
  /** What the number is, and what it is not. */
  note: string;
}

export interface AuthorityReport {
  format: 'tenggat-authority-report/v1';
  year: number;
  /** The agency the report covers, or null for every agency (operators). */
  agencyId: string | null;
  zone: string;
  generatedAt: string;
  metrics: ReportMetric[];
  notCovered: string[];
}

export const yearFilter = (year: number, zone = 'Asia/Jakarta') => ({
  from: `${year}-01-01`,
  to: `${year}-12-31`,
  zone,
});

const REASONS: Record<string, string> = {
  force_majeure:
    'Not removed: force majeure or de facto impossibility claimed by the platform (cf. TCO Art. 3(7))',
  manifest_error: 'Not removed: manifest errors claimed by the platform (cf. TCO Art. 3(8))',
  insufficient_information:
    'Not removed: insufficient information claimed by the platform (cf. TCO Art. 3(8))',
  legal_objection: 'Not removed: legal objection raised by the platform',
  not_our_service: 'Not removed: the platform says the content is not on its service',
};

type Block = Statistics['total'];
type Row = [section: string, key: string, label: string, value: number | null, unit: string, note: string];
const toMetric = ([section, key, label, value, unit, note]: Row): ReportMetric => ({
  section,
  key,
  label,
  value,
  unit,
  note,
});

function removalRows(total: Block, accuracy: number): Row[] {
  const within = `Over resolved items; within ${Math.round(accuracy * 1000) / 10} % (histogram).`;
  return [
    [
      'orders',
      'orders_issued',
      'Removal orders issued and served',
      total.orders,
      'count',
      'Orders served to a platform in the year (by day of service). Orders never served are not counted.',
    ],
    [
      'orders',
      'items_ordered',
      'Items named in those orders',
      total.items,
      'count',
      'URLs, accounts and content ids.',
    ],
    [
      'removal',
      'items_removed_on_time',
      'Items removed or disabled by the deadline',
      total.removed.onTime,
      'count',
      'Removed, access restricted or account suspended, answered by the deadline in force.',
    ],
    [
      'removal',
      'items_removed_late',
      'Items removed or disabled after the deadline',
      total.removed.late,
      'count',
      'Taken down, but after the deadline.',
    ],
    [
      'removal',
      'items_never_removed',
      'Items not removed when the order ended',
      total.removed.never,
      'count',
      'Still pending or disputed when the order became final (mostly ST3 referrals for blocking).',
    ],
    [
      'removal',
      'items_not_found',
      'Items the platform reported as not found',
      total.itemsByOutcome.not_found ?? 0,
      'count',
      "The platform's claim; not verified by Tenggat.",
    ],
    [
      'removal',
      'time_to_comply_p50',
      'Speed of removal: median time from service to answer',
      total.timeToComplySeconds.p50,
      'seconds',
      within,
    ],
    [
      'removal',
      'time_to_comply_p90',
      'Speed of removal: 90th percentile',
      total.timeToComplySeconds.p90,
      'seconds',
      within,
    ],
    [
      'removal',
      'on_time_rate',
      'Share of due items removed by the deadline',
      total.onTimeRate,
      'ratio',
      'On time / (on time + late + never).',
    ],
  ];
}

function reasonRows(total: Block): Row[] {
  return Object.entries(total.contested.reasons)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([code, count]): Row => [
        'not_removed_reasons',
        `reason_${code}`,
        REASONS[code] ?? `Not removed: ${code}`,
        count,
        'count',
        'Items the platform rejected with this reason (last reason given).',
      ],
    );
}

function contestAndFineRows(total: Block): Row[] {
  return [
    [
      'contests',
      'items_contested',
      'Items contested by the platform',
      total.contested.items,
      'count',
      'Rejected by the platform (a review within Tenggat, not an administrative or judicial review).',
    ],
    [
      'contests',
      'contests_upheld',
      'Contested items the agency upheld',
      total.contested.upheld,
      'count',
      'The platform was told to act after all.',
    ],
    [
      'contests',
      'contests_withdrawn',
      'Contested items the agency withdrew',
      total.contested.withdrawn,
      'count',
      'The agency accepted the objection.',
    ],
    [
      'contests',
      'contests_awaiting',
      'Contested items awaiting the agency',
      total.contested.awaitingDecision,
      'count',
      'No decision yet.',
    ],
    [
      'escalation',
      'orders_reached_st2',
      'Orders that reached the fine notice (ST2)',
      total.stagesReached.st2,
      'count',
      'Escalation under the policy.',
    ],
    [
      'escalation',
      'orders_reached_st3',
      'Orders referred for blocking (ST3)',
      total.stagesReached.st3,
      'count',
      'Referral, not the blocking itself.',
    ],
    ...total.fines.flatMap((fine): Row[] => [
      [
        'fines',
        `fines_accrued_${fine.currency}`,
        `Fines accrued (${fine.currency})`,
        fine.accrued,
        fine.currency,
        'Computed under the escalation policy; not penalties imposed and not payments.',
      ],
      [
        'fines',
        `fines_final_${fine.currency}`,
        `Of which final (${fine.currency})`,
        fine.final,
        fine.currency,
        'Stopped growing (items answered or withdrawn, or orders final). "Final" is not "paid".',
      ],
    ]),
  ];
}

export function buildAuthorityReport(input: {
  statistics: Statistics;
  year: number;
  agencyId: string | null;
}): AuthorityReport {
  const { total, quantileRelativeAccuracy } = input.statistics;
  return {
    format: 'tenggat-authority-report/v1',
    year: input.year,
    agencyId: input.agencyId,
    zone: input.statistics.filter.zone,
    generatedAt: input.statistics.generatedAt,
    metrics: [
      ...removalRows(total, quantileRelativeAccuracy),
      ...reasonRows(total),
      ...contestAndFineRows(total),
    ].map(toMetric),
    notCovered: [
      'Removal orders subject to scrutiny under TCO Art. 4 (not recorded in Tenggat).',
      'Specific measures under TCO Art. 5 (not recorded in Tenggat).',
      'Penalties imposed under TCO Art. 18 and their payment (Tenggat computes fines, it does not impose them).',
      'Administrative or judicial review proceedings and their outcomes (outside Tenggat).',
    ],
  };
}

export const AUTHORITY_REPORT_COLUMNS = ['section', 'key', 'label', 'value', 'unit', 'note'] as const;

/** The report as CSV for spreadsheets (one metric per row; the uncovered items as rows with no value). */
export function authorityReportCsv(report: AuthorityReport): string {
  const rows = [
    [...AUTHORITY_REPORT_COLUMNS],
    ...report.metrics.map((entry) => [
      entry.section,
      entry.key,
      textCell(entry.label),
      entry.value === null ? '' : String(entry.value),
      entry.unit,
      textCell(entry.note),
    ]),
    ...report.notCovered.map((text, index) => [
      'not_covered',
      `not_covered_${index + 1}`,
      textCell(text),
      '',
      '',
      '',
    ]),
  ];
  return stringify(rows, SPREADSHEET_CSV);
}
