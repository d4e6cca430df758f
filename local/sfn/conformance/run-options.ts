import { resolve } from 'node:path';
import { parseArgs } from 'node:util';

export class ConformanceUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConformanceUsageError';
  }
}

export interface RunOptions {
  corpusDir: string;
  only?: string;
  area?: string;
  concurrency: number;
  checkKnown: boolean;
  resultsFile?: string;
  /** An execution still running after this long counts as failed and is stopped. */
  caseTimeoutSeconds: number;
}

export function parseRunArgs(argv: string[]): RunOptions {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        only: { type: 'string' };
        area: { type: 'string' };
        concurrency: { type: 'string' };
        'check-known': { type: 'boolean' };
        results: { type: 'string' };
        'case-timeout': { type: 'string' };
      };
      allowPositionals: true;
      strict: true;
    }>
  >;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        only: { type: 'string' },
        area: { type: 'string' },
        concurrency: { type: 'string' },
        'check-known': { type: 'boolean' },
        results: { type: 'string' },
        'case-timeout': { type: 'string' },
      },
    });
  } catch (error) {
    throw new ConformanceUsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const [corpusDir, ...extra] = parsed.positionals;
  if (!corpusDir || extra.length > 0)
    throw new ConformanceUsageError('expected exactly one corpus directory');
  const positiveInt = (flag: string, text: string | undefined, fallback: number) => {
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new ConformanceUsageError(`${flag}: not a positive integer: ${text}`);
    return value;
  };
  const { values } = parsed;
  return {
    corpusDir: resolve(corpusDir),
    ...(values.only !== undefined ? { only: values.only } : {}),
    ...(values.area !== undefined ? { area: values.area } : {}),
    concurrency: positiveInt('--concurrency', values.concurrency, 64),
    checkKnown: values['check-known'] === true,
    ...(values.results !== undefined ? { resultsFile: resolve(values.results) } : {}),
    caseTimeoutSeconds: positiveInt('--case-timeout', values['case-timeout'], 150),
  };
}
