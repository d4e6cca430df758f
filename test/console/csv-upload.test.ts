import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateCsv } from '../../cli/csv-input';
import { readItemsCsv } from '../../console/src/csv';

const limits = { maxItems: 10_000, maxBytes: 3_500_000 };

describe("the console's CSV upload reads files as the CLI does", () => {
  it('accepts BOM, semicolons and quoted fields, and defaults the kind', () => {
    const parsed = readItemsCsv('\uFEFFlocator;kind\n"https://x.example/a;b";\n@someone;\n', limits);
    expect(parsed.errors).toEqual([]);
    expect(parsed.parts[0]?.map(({ kind, locator }) => ({ kind, locator }))).toEqual([
      { kind: 'url', locator: 'https://x.example/a;b' },
      { kind: 'account', locator: '@someone' },
    ]);
  });

  it('names every bad line, like the CLI, and sends nothing', async () => {
    const text = 'locator,kind\nhttps://x.example/1,url\nnot a url,url\nhttps://x.example/1,\n,account\n';
    const parsed = readItemsCsv(text, limits);
    const path = join(mkdtempSync(join(tmpdir(), 'csv-')), 'items.csv');
    writeFileSync(path, text);
    const cli = await validateCsv(path, limits);
    expect(parsed.errors).toEqual(cli.errors);
    expect(parsed.errors.map((error) => error.line)).toEqual([3, 4, 5]);
    expect(parsed.parts).toEqual([]);
  });

  it('cuts 25,001 lines into orders of at most 10,000 items', () => {
    const lines = Array.from({ length: 25_001 }, (_, index) => `https://x.example/${index}`);
    const parsed = readItemsCsv(`locator\n${lines.join('\n')}\n`, limits);
    expect(parsed.parts.map((part) => part.length)).toEqual([10_000, 10_000, 5_001]);
  });

  it('refuses a file without a locator column', () => {
    expect(readItemsCsv('url\nhttps://x.example/\n', limits).errors).toEqual([
      { line: 1, message: 'the header has no locator column' },
    ]);
  });
});
