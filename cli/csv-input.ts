import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { type CsvError, parse } from 'csv-parse';

/**
 * Reading the items CSV of `tenggat submit` (issue 10 §6): a header with a `locator` column and optional `kind`
 * and `note`; BOM, `,` or `;` (detected from the header), quoted fields; any size (two streaming passes: one that
 * validates every line and fixes the parts, one that sends them, so nothing is held but one part at a time).
 */
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

export interface CsvSummary {
  /** SHA-256 of the file's bytes: with the part, it derives the idempotency keys. */
  digest: string;
  items: number;
  /** Number of items in each part, in order. */
  parts: number[];
  errors: LineError[];
  delimiter: string;
}

export interface PartLimits {
  maxItems: number;
  maxBytes: number;
}

const KINDS = new Set<ItemKind>(['url', 'account', 'content']);
// A one-column file: no delimiter can split a locator, whatever commas or semicolons it holds.
const NO_DELIMITER = '\u0000';

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

async function headerLine(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const text = buffer
      .subarray(0, bytesRead)
      .toString('utf8')
      .replace(/^\uFEFF/, '');
    return text.split(/\r?\n/, 1)[0] ?? '';
  } finally {
    await handle.close();
  }
}

/** Approximate JSON size of an item in the request body. */
const itemBytes = (item: CsvItem) =>
  Buffer.byteLength(JSON.stringify({ kind: item.kind, locator: item.locator, note: item.note })) + 1;

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

type RawRecord = { record: Record<string, string>; info: { lines: number } };

function validateRecord(raw: RawRecord, seen: Map<string, number>): CsvItem | LineError {
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

/** Every record of the file with its line number, and the lines csv-parse could not read. */
async function* records(path: string, delimiter: string, errors: LineError[]): AsyncGenerator<RawRecord> {
  const parser = createReadStream(path).pipe(
    parse({
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
    }),
  );
  for await (const entry of parser) yield entry as RawRecord;
}

/** Pass one: reads the whole file, checks every line and fixes where the parts begin. Sends nothing. */
export async function validateCsv(path: string, limits: PartLimits): Promise<CsvSummary> {
  const line = await headerLine(path);
  const delimiter = detectDelimiter(line);
  const columns = line
    .split(delimiter === NO_DELIMITER ? /$^/ : delimiter)
    .map((name) => name.replace(/"/g, '').trim().toLowerCase());
  if (!columns.includes('locator'))
    return {
      digest: '',
      items: 0,
      parts: [],
      errors: [{ line: 1, message: 'the header has no locator column' }],
      delimiter,
    };
  const hash = createHash('sha256');
  const hashing = new Promise<string>((resolve, reject) => {
    createReadStream(path)
      .on('data', (chunk) => hash.update(chunk))
      .on('end', () => resolve(hash.digest('hex')))
      .on('error', reject);
  });
  const errors: LineError[] = [];
  const seen = new Map<string, number>();
  const splitter = new PartSplitter(limits);
  const parts: number[] = [];
  let items = 0;
  for await (const raw of records(path, delimiter, errors)) {
    const result = validateRecord(raw, seen);
    if ('message' in result) {
      errors.push(result);
      continue;
    }
    items += 1;
    if (splitter.next(result)) parts.push(0);
    parts[parts.length - 1] = (parts[parts.length - 1] ?? 0) + 1;
  }
  if (items === 0 && errors.length === 0) errors.push({ line: 2, message: 'the file has no items' });
  errors.sort((left, right) => left.line - right.line);
  return { digest: await hashing, items, parts, errors, delimiter };
}

/** Pass two: the items again, one part at a time (only for a file that validated). */
export async function* readParts(
  path: string,
  summary: CsvSummary,
  limits: PartLimits,
): AsyncGenerator<CsvItem[]> {
  const splitter = new PartSplitter(limits);
  const ignored: LineError[] = [];
  const seen = new Map<string, number>();
  let part: CsvItem[] = [];
  for await (const raw of records(path, summary.delimiter, ignored)) {
    const result = validateRecord(raw, seen);
    if ('message' in result)
      throw new Error(`line ${result.line} changed since it was checked: ${result.message}`);
    if (splitter.next(result) && part.length > 0) {
      yield part;
      part = [];
    }
    part.push(result);
  }
  if (part.length > 0) yield part;
}
