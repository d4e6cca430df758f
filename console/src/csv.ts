import { parse } from 'csv-parse/browser/esm/sync';
import {
  type CsvItem,
  csvParseOptions,
  detectDelimiter,
  type LineError,
  MAX_ITEMS_PER_ORDER,
  MAX_PART_BYTES,
  NO_DELIMITER,
  PartSplitter,
  type RawRecord,
  validateRecord,
} from '../../cli/csv-rules';

/**
 * The upload's CSV: the CLI's own rules (`cli/csv-rules.ts`) over csv-parse's browser build, on the file's text.
 * Every line is checked before anything is sent; over 10,000 items (or 3.5 MB) it becomes several orders.
 */
export interface ParsedCsv {
  parts: CsvItem[][];
  items: number;
  errors: LineError[];
}

export function readItemsCsv(
  text: string,
  limits = { maxItems: MAX_ITEMS_PER_ORDER, maxBytes: MAX_PART_BYTES },
): ParsedCsv {
  const body = text.replace(/^\uFEFF/, '');
  const headerLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = detectDelimiter(headerLine);
  const columns = headerLine
    .split(delimiter === NO_DELIMITER ? /$^/ : delimiter)
    .map((name) => name.replace(/"/g, '').trim().toLowerCase());
  if (!columns.includes('locator'))
    return { parts: [], items: 0, errors: [{ line: 1, message: 'the header has no locator column' }] };
  const errors: LineError[] = [];
  const records = parse(body, csvParseOptions(delimiter, errors)) as unknown as RawRecord[];
  const seen = new Map<string, number>();
  const splitter = new PartSplitter(limits);
  const parts: CsvItem[][] = [];
  let items = 0;
  for (const raw of records) {
    const result = validateRecord(raw, seen);
    if ('message' in result) {
      errors.push(result);
      continue;
    }
    items += 1;
    if (splitter.next(result)) parts.push([]);
    parts[parts.length - 1]?.push(result);
  }
  if (items === 0 && errors.length === 0) errors.push({ line: 2, message: 'the file has no items' });
  errors.sort((left, right) => left.line - right.line);
  return { parts: errors.length > 0 ? [] : parts, items, errors };
}
