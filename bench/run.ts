/**
 * `npm run bench [-- <name filter>] [--quick]`: runs every `bench/*.bench.ts` one after the other, prints each
 * report and writes it to `bench/results/<name>.json` together with the machine it ran on.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchReport, BenchRun } from './bench-report';

const BENCH_DIR = fileURLToPath(new URL('.', import.meta.url));
const RESULTS_DIR = join(BENCH_DIR, 'results');

export class BenchFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchFileError';
  }
}

export function findBenchFiles(directory = BENCH_DIR, filter?: string): string[] {
  return readdirSync(directory)
    .filter((file) => file.endsWith('.bench.ts'))
    .filter((file) => filter === undefined || file.includes(filter))
    .sort()
    .map((file) => join(directory, file));
}

export function formatRows(rows: BenchReport['rows']): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? '')))];
  const widths = columns.map((_, index) => Math.max(...cells.map((line) => (line[index] ?? '').length)));
  return cells
    .map((line) =>
      line
        .map((cell, index) =>
          index === 0 ? cell.padEnd(widths[index] ?? 0) : cell.padStart(widths[index] ?? 0),
        )
        .join('  '),
    )
    .join('\n');
}

async function runFile(file: string, quick: boolean): Promise<BenchReport> {
  const module = (await import(pathToFileURL(file).href)) as { run?: unknown };
  if (typeof module.run !== 'function') throw new BenchFileError(`${file} does not export run()`);
  return (module.run as BenchRun)({ quick });
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const filter = argv.find((arg) => !arg.startsWith('--'));
  const files = findBenchFiles(BENCH_DIR, filter);
  if (files.length === 0) {
    process.stderr.write(`bench: no bench/*.bench.ts file matches ${filter ?? ''}\n`);
    return 2;
  }
  mkdirSync(RESULTS_DIR, { recursive: true });
  const machine = {
    node: process.version,
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryBytes: totalmem(),
  };
  let failures = 0;
  for (const file of files) {
    process.stderr.write(`bench: running ${file}\n`);
    try {
      const report = await runFile(file, quick);
      process.stdout.write(`\n## ${report.name}: ${report.description}\n\n${formatRows(report.rows)}\n`);
      for (const note of report.notes) process.stdout.write(`- ${note}\n`);
      const target = join(RESULTS_DIR, `${report.name}.json`);
      writeFileSync(
        target,
        `${JSON.stringify({ ...report, quick, machine, date: new Date().toISOString() }, null, 2)}\n`,
      );
      process.stdout.write(`(written to ${target})\n`);
    } catch (error) {
      failures++;
      process.stderr.write(
        `bench: ${file} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
    }
  }
  return failures > 0 ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
