/** What `validateDefinition` reports, and the checks its parts share. */

export type QueryLanguage = 'JSONPath' | 'JSONata';

export type DefinitionProblemCode =
  | 'SCHEMA_VALIDATION_FAILED'
  | 'MISSING_TRANSITION_TARGET'
  | 'MISSING_END_STATE'
  | 'INVALID_JSONATA_EXPRESSION'
  | 'INVALID_JSON_DESCRIPTION';

/** One diagnostic; `String(problem)` renders it as AWS does: `CODE: message at /location`. */
export class DefinitionProblem {
  constructor(
    readonly code: DefinitionProblemCode,
    readonly message: string,
    /** JSON-pointer-like location (`/States/A/Next`); absent for whole-workflow problems. */
    readonly location?: string,
  ) {}

  toString(): string {
    return this.location === undefined
      ? `${this.code}: ${this.message}`
      : `${this.code}: ${this.message} at ${this.location}`;
  }
}

export interface ValidateOptions {
  /** The language of states that name none and whose machine names none (AWS: JSONPath). */
  queryLanguageDefault?: QueryLanguage;
}

/** AWS's InvalidDefinition message: `Invalid State Machine Definition: 'CODE: msg at /loc, CODE: ...'`. */
export function formatInvalidDefinitionMessage(problems: DefinitionProblem[]): string {
  return `Invalid State Machine Definition: '${problems.map(String).join(', ')}'`;
}

/** A `SCHEMA_VALIDATION_FAILED` problem; the definition's root is `/`. */
export function schemaProblem(message: string, location: string): DefinitionProblem {
  return new DefinitionProblem('SCHEMA_VALIDATION_FAILED', message, location === '' ? '/' : location);
}

export function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

export function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}');
}

/** What a path-valued field may hold: any path, a reference path, a read reference path, or a path or intrinsic. */
export type PathKind = 'path' | 'reference' | 'readReference' | 'pathOrIntrinsic';

/** The checks the state-rule validators call back into: report a problem, check a path-valued field. */
export interface DefinitionChecks {
  add(problem: DefinitionProblem): void;
  checkPath(value: unknown, location: string, field: string, kind: PathKind): void;
}
