import { StatesError } from '../errors';
import { isJsonObject } from './json-value';
import { type PathSegment, parsePath } from './path-syntax';

/**
 * AWS's `States.ResultPathMatchFailure`: the ResultPath cannot be applied to the state input
 * (a step of the path runs into a value that is not an object).
 */
export class ResultPathMatchFailure extends StatesError {
  constructor(resultPath: string, input: unknown) {
    super(
      'States.ResultPathMatchFailure',
      `Unable to apply ResultPath "${resultPath}" to input ${JSON.stringify(input)}`,
    );
    this.name = 'ResultPathMatchFailure';
  }
}

/** The ResultPath is not a definite reference path (`$`, `$.a.b`, `$['a']`, `$.a[0]`). */
export class InvalidResultPathError extends Error {
  constructor(readonly resultPath: string) {
    super(`The ResultPath '${resultPath}' is not a valid reference path`);
    this.name = 'InvalidResultPathError';
  }
}

/**
 * Combines a state's input with its result the way ResultPath does: `null` keeps the input unchanged,
 * `$` (or absent) replaces it, any other reference path writes the result there, creating missing
 * intermediate objects. The input is not mutated.
 */
export function applyResultPath(
  input: unknown,
  result: unknown,
  resultPath: string | null | undefined,
): unknown {
  if (resultPath === null) return input;
  if (resultPath === undefined || resultPath === '$') return result;
  const parsed = parsePath(resultPath);
  if (parsed.root.kind !== 'input' || !parsed.definite || parsed.segments.some(isNotReferenceStep)) {
    throw new InvalidResultPathError(resultPath);
  }
  return writeAt(input, parsed.segments, 0, result, resultPath, input);
}

function isNotReferenceStep(segment: PathSegment): boolean {
  return segment.kind !== 'property' && segment.kind !== 'index';
}

function writeAt(
  target: unknown,
  segments: PathSegment[],
  position: number,
  result: unknown,
  resultPath: string,
  input: unknown,
): unknown {
  const segment = segments[position];
  if (!segment) return result;
  if (segment.kind === 'property') {
    const name = segment.names[0] ?? '';
    if (target !== undefined && !isJsonObject(target)) throw new ResultPathMatchFailure(resultPath, input);
    const base = isJsonObject(target) ? target : {};
    return { ...base, [name]: writeAt(base[name], segments, position + 1, result, resultPath, input) };
  }
  if (segment.kind === 'index' && Array.isArray(target)) {
    const requested = segment.indexes[0] ?? 0;
    const index = requested < 0 ? target.length + requested : requested;
    if (index < 0 || index >= target.length) throw new ResultPathMatchFailure(resultPath, input);
    const copy = [...target];
    copy[index] = writeAt(target[index], segments, position + 1, result, resultPath, input);
    return copy;
  }
  throw new ResultPathMatchFailure(resultPath, input);
}
