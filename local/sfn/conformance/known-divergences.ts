/** The committed list of corpus cases the engine is known to get wrong, with the reason. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const KNOWN_DIVERGENCES_FILE = fileURLToPath(new URL('./known-divergences.json', import.meta.url));

export class KnownDivergencesFileError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KnownDivergencesFileError';
  }
}

export interface KnownDivergence {
  name: string;
  why: string;
}

export function readKnownDivergences(file = KNOWN_DIVERGENCES_FILE): KnownDivergence[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new KnownDivergencesFileError(`cannot read ${file}`, { cause: error });
  }
  if (!Array.isArray(parsed)) throw new KnownDivergencesFileError(`${file}: expected a JSON array`);
  return parsed.map((entry, index) => {
    const { name, why } = (entry ?? {}) as { name?: unknown; why?: unknown };
    if (typeof name !== 'string' || typeof why !== 'string') {
      throw new KnownDivergencesFileError(`${file}[${index}]: expected { "name": string, "why": string }`);
    }
    return { name, why };
  });
}

/** Failures not in the list (these fail CI) and listed cases that passed (the list can shrink). */
export function compareWithKnown<Report extends { name: string; lenient: boolean }>(
  reports: Report[],
  known: KnownDivergence[],
) {
  const knownNames = new Set(known.map((entry) => entry.name));
  return {
    unexpectedFailures: reports.filter((report) => !report.lenient && !knownNames.has(report.name)),
    nowPassing: reports.filter((report) => report.lenient && knownNames.has(report.name)),
  };
}
