/**
 * The rules of the items CSV (issue 10 §6), without any Node API: shared by the CLI's streaming reader
 * (`csv-input.ts`) and the web console's upload, so both accept and refuse the same lines.
 */
import type { CsvError, Options as CsvParseOptions } from 'csv-parse';

export const MAX_ITEMS_PER_ORDER = 10_000;
export const MAX_LOCATOR_LENGTH = 2_048;
export const MAX_NOTE_LENGTH = 2_000;
/** Stay well under the API's 4 MB body limit whatever the locators' length. */
export const MAX_PART_BYTES = 3_500_000;

export type ItemKind = 'url' | 'account' | 'content';

export interface CsvItem {
  line: number;
  kind: ItemKind;
  locator: string;
  note?: string;
}

export interface LineError {
  line: number;
  message: string;
}

export interface PartLimits {
  maxItems: number;
  maxBytes: number;
}

export const KINDS = new Set<ItemKind>(['url', 'account', 'content']);
// A one-column file: no delimiter can split a locator, whatever commas or semicolons it holds.
export const NO_DELIMITER = '\u0000';

export function isAbsoluteHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** The delimiter of the header line: the more frequent of `,` and `;` outside quotes, none for one column. */
export function detectDelimiter(headerLine: string): string {
  let commas = 0;
  let semicolons = 0;
  let quoted = false;
  for (const character of headerLine) {
    if (character === '"') quoted = !quoted;
    else if (!quoted && character === ',') commas += 1;
    else if (!quoted && character === ';') semicolons += 1;
  }
  if (commas === 0 && semicolons === 0) return NO_DELIMITER;
  return semicolons > commas ? ';' : ',';
}

const encoder = new TextEncoder();

/** Approximate JSON size of an item in the request body. */
const itemBytes = (item: CsvItem) =>
  encoder.encode(JSON.stringify({ kind: item.kind, locator: item.locator, note: item.note })).length + 1;

/** Cuts the stream of items into parts: a new part when the next item would break either limit. */
export class PartSplitter {
  private count = 0;
  private bytes = 0;
  constructor(private readonly limits: PartLimits) {}
  /** True when `item` starts a new part. */
  next(item: CsvItem): boolean {
    const size = itemBytes(item);
    const starts =
      this.count > 0 && (this.count >= this.limits.maxItems || this.bytes + size > this.limits.maxBytes);
    if (starts) {
      this.count = 0;
      this.bytes = 0;
    }
    this.count += 1;
    this.bytes += size;
    return starts || this.count === 1;
  }
}

export type RawRecord = { record: Record<string, string>; info: { lines: number } };

/** One record → the item it names, or why its line is refused (`seen`: locators so far → their line). */
export function validateRecord(raw: RawRecord, seen: Map<string, number>): CsvItem | LineError {
  const line = raw.info.lines;
  const locator = (raw.record.locator ?? '').trim();
  const kindText = (raw.record.kind ?? '').trim().toLowerCase();
  const note = raw.record.note?.trim();
  if (locator === '') return { line, message: 'locator is empty' };
  if (locator.length > MAX_LOCATOR_LENGTH)
    return { line, message: `locator is longer than ${MAX_LOCATOR_LENGTH} characters` };
  if (kindText !== '' && !KINDS.has(kindText as ItemKind))
    return { line, message: `kind "${kindText}" is not one of url, account, content` };
  const kind: ItemKind =
    kindText === '' ? (isAbsoluteHttpUrl(locator) ? 'url' : 'account') : (kindText as ItemKind);
  if (kind === 'url' && !isAbsoluteHttpUrl(locator))
    return { line, message: 'kind url needs an absolute http(s) URL' };
  if (note !== undefined && note.length > MAX_NOTE_LENGTH)
    return { line, message: `note is longer than ${MAX_NOTE_LENGTH} characters` };
  const first = seen.get(locator);
  if (first !== undefined) return { line, message: `duplicates line ${first}` };
  seen.set(locator, line);
  return { line, kind, locator, ...(note ? { note } : {}) };
}

/** One order keeps the reference; several get `-p<n>` (the CLI and the console name parts alike). */
export const partReference = (reference: string, part: number, parts: number) =>
  parts > 1 ? `${reference}-p${part}` : reference;

/**
 * csv-parse's options for an items file, the CLI's stream and the console's upload alike: header names trimmed and
 * lower-cased, the line of each record kept, empty lines skipped, and each line it cannot read kept in `errors`.
 */
export function csvParseOptions(delimiter: string, errors: LineError[]): CsvParseOptions {
  return {
    bom: true,
    delimiter,
    columns: (header: string[]) => header.map((name) => name.trim().toLowerCase()),
    info: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined) => {
      if (error)
        errors.push({
          line: (error as CsvError & { lines?: number }).lines ?? 0,
          message: error.message.replace(/^Invalid Record Length: /, ''),
        });
    },
  };
}
