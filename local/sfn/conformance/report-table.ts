import type { ExecutionResult } from './corpus';

/** How one corpus case ended on the local engine, against AWS's recording. */
export interface CaseReport {
  name: string;
  area: string;
  result: ExecutionResult;
  lenient: boolean;
  strict: boolean;
  reasons: string[];
  /** Null when AWS recorded no history for the case (or it is an Express execution). */
  history: boolean | null;
  /** The engine's event types, kept when they differ from AWS's so the results file shows what happened. */
  historyTypes?: string[];
  millis: number;
}

const percent = (part: number, whole: number) =>
  whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)}%`;

export function formatTable(reports: CaseReport[]): string {
  const areas = [...new Set(reports.map((report) => report.area))].sort();
  const rows = [['area', 'lenient', '', 'strict', '', 'history', '']];
  const row = (label: string, group: CaseReport[]) => {
    const lenient = group.filter((report) => report.lenient).length;
    const strict = group.filter((report) => report.strict).length;
    const withHistory = group.filter((report) => report.history !== null);
    const history = withHistory.filter((report) => report.history === true).length;
    rows.push([
      label,
      `${lenient}/${group.length}`,
      percent(lenient, group.length),
      `${strict}/${group.length}`,
      percent(strict, group.length),
      `${history}/${withHistory.length}`,
      percent(history, withHistory.length),
    ]);
  };
  for (const area of areas)
    row(
      area,
      reports.filter((report) => report.area === area),
    );
  row('TOTAL', reports);
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((cells) => (cells[column] ?? '').length))) ?? [];
  return rows
    .map((cells) =>
      cells
        .map((cell, column) =>
          column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}
