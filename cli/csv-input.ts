import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { parse } from 'csv-parse';
import {
  type CsvItem,
  csvParseOptions,
  detectDelimiter,
  type LineError,
  NO_DELIMITER,
  type PartLimits,
  PartSplitter,
  type RawRecord,
  validateRecord,
} from './csv-rules';

export {
  type CsvItem,
  detectDelimiter,
  type ItemKind,
  isAbsoluteHttpUrl,
  type LineError,
  MAX_ITEMS_PER_ORDER,
  MAX_LOCATOR_LENGTH,
  MAX_NOTE_LENGTH,
  MAX_PART_BYTES,
  type PartLimits,
  PartSplitter,
} from './csv-rules';

/**
 * Reading the items CSV of `tenggat submit` (issue 10 §6): a header with a `locator` column and optional `kind`
 * and `note`; BOM, `,` or `;` (detected from the header), quoted fields; any size (two streaming passes: one that
 * validates every line and fixes the parts, one that sends them, so nothing is held but one part at a time).
 */
export interface CsvSummary {
  /** SHA-256 of the file's bytes: with the part, it derives the idempotency keys. */
  digest: string;
  items: number;
  /** Number of items in each part, in order. */
  parts: number[];
  errors: LineError[];
  delimiter: string;
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

/** Every record of the file with its line number, and the lines csv-parse could not read. */
async function* records(path: string, delimiter: string, errors: LineError[]): AsyncGenerator<RawRecord> {
  const parser = createReadStream(path).pipe(parse(csvParseOptions(delimiter, errors)));
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
