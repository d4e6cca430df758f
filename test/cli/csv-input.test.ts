import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectDelimiter, readParts, validateCsv } from '../../cli/csv-input';
import { formatLineErrors, idempotencyKey, partReference, type SubmitOptions } from '../../cli/submit';

const dir = mkdtempSync(join(tmpdir(), 'tenggat-cli-csv-'));
let files = 0;
function file(content: string | Buffer): string {
  const path = join(dir, `items-${++files}.csv`);
  writeFileSync(path, content);
  return path;
}
const limits = { maxItems: 10_000, maxBytes: 3_500_000 };

async function allParts(path: string, partLimits = limits) {
  const summary = await validateCsv(path, partLimits);
  const parts: { kind: string; locator: string; line: number }[][] = [];
  for await (const part of readParts(path, summary, partLimits)) parts.push(part);
  return { summary, parts };
}

describe('reading the items CSV', () => {
  it('reads a BOM, ";" as delimiter, quoted fields with the delimiter and line breaks inside', async () => {
    const path = file(
      Buffer.from(
        `\uFEFFlocator;kind;note\r\n"https://judi.example/a;b";url;"first\r\nnote"\r\n@bandar88;account;\r\nvideo-123;content;x\r\n`,
        'utf8',
      ),
    );
    const { summary, parts } = await allParts(path);
    expect(summary.errors).toEqual([]);
    expect(summary.delimiter).toBe(';');
    expect(parts[0]?.map((item) => [item.kind, item.locator])).toEqual([
      ['url', 'https://judi.example/a;b'],
      ['account', '@bandar88'],
      ['content', 'video-123'],
    ]);
  });

  it('takes kind url for an absolute URL and account otherwise when there is no kind column', async () => {
    const { parts } = await allParts(file('locator\nhttps://judi.example/x?a=1,2\nmichat:judi_online_88\n'));
    expect(parts[0]?.map((item) => item.kind)).toEqual(['url', 'account']);
    expect(parts[0]?.[0]?.locator).toBe('https://judi.example/x?a=1,2');
  });

  it('names every bad line by its number and refuses the file', async () => {
    const path = file(
      [
        'locator,kind',
        'https://ok.example/1,url',
        ',url',
        'not a url,url',
        'https://ok.example/2,video',
        'https://ok.example/1,url',
        `https://ok.example/${'x'.repeat(2_100)},url`,
        '"https://ok.example/3",url,extra',
        'https://ok.example/4,url',
      ].join('\n'),
    );
    const summary = await validateCsv(path, limits);
    expect(summary.errors.map((error) => [error.line, error.message])).toEqual([
      [3, 'locator is empty'],
      [4, 'kind url needs an absolute http(s) URL'],
      [5, 'kind "video" is not one of url, account, content'],
      [6, 'duplicates line 2'],
      [7, 'locator is longer than 2048 characters'],
      [8, expect.stringContaining('columns length is 2, got 3')],
    ]);
    expect(formatLineErrors('items.csv', summary).split('\n').at(-1)).toBe(
      'refused: 6 bad line(s); nothing was sent',
    );
  });

  it('refuses a file without a locator column, or without items', async () => {
    expect((await validateCsv(file('url,kind\nhttps://a.example/,url\n'), limits)).errors).toEqual([
      { line: 1, message: 'the header has no locator column' },
    ]);
    expect((await validateCsv(file('locator\n'), limits)).errors).toEqual([
      { line: 2, message: 'the file has no items' },
    ]);
  });

  it('splits into parts of at most the part size, and of at most the byte budget', async () => {
    const lines = Array.from({ length: 25 }, (_, index) => `https://judi.example/slot/${index}`);
    const path = file(`locator\n${lines.join('\n')}\n`);
    const byCount = await allParts(path, { maxItems: 10, maxBytes: 3_500_000 });
    expect(byCount.summary.parts).toEqual([10, 10, 5]);
    expect(byCount.parts.map((part) => part.length)).toEqual([10, 10, 5]);
    expect(byCount.parts[2]?.[0]?.line).toBe(22);
    const bySize = await allParts(path, { maxItems: 10_000, maxBytes: 500 });
    expect(bySize.parts.map((part) => part.length)).toEqual(bySize.summary.parts);
    expect(bySize.summary.parts.length).toBeGreaterThan(1);
    expect(bySize.parts.flat()).toHaveLength(25);
  });

  it('reads 30,000 lines in three parts of 10,000', async () => {
    const path = file(
      `locator\n${Array.from({ length: 30_000 }, (_, index) => `https://judi.example/p/${index}`).join('\n')}\n`,
    );
    const { summary, parts } = await allParts(path);
    expect(summary.items).toBe(30_000);
    expect(parts.map((part) => part.length)).toEqual([10_000, 10_000, 10_000]);
  });

  it('detects the delimiter from the header, ignoring quoted ones', () => {
    expect(detectDelimiter('locator,kind')).toBe(',');
    expect(detectDelimiter('locator;kind')).toBe(';');
    expect(detectDelimiter('"a,b";locator;kind')).toBe(';');
    expect(detectDelimiter('locator')).toBe('\u0000');
  });
});

describe('parts and idempotency keys', () => {
  const options: SubmitOptions = {
    csv: 'x',
    platform: 'michat',
    category: 'gambling',
    legalBasis: ['UU ITE'],
    reason: 'r',
    reference: 'AIS/2026/0042',
    partSize: 10_000,
  };
  const summary = { digest: 'a'.repeat(64), items: 3, parts: [1, 1, 1], errors: [], delimiter: ',' };

  it('suffixes references only when there is more than one part', () => {
    expect(partReference('AIS/2026/0042', 1, 1)).toBe('AIS/2026/0042');
    expect(partReference('AIS/2026/0042', 2, 3)).toBe('AIS/2026/0042-p2');
  });

  it('derives the same key for the same file and part, another for another part, file or parameter', () => {
    const key = idempotencyKey(summary, options, 1);
    expect(key).toBe(idempotencyKey({ ...summary }, { ...options }, 1));
    expect(key.length).toBeLessThanOrEqual(255);
    expect(idempotencyKey(summary, options, 2)).not.toBe(key);
    expect(idempotencyKey({ ...summary, digest: 'b'.repeat(64) }, options, 1)).not.toBe(key);
    expect(idempotencyKey(summary, { ...options, platform: 'tiktok' }, 1)).not.toBe(key);
  });
});
