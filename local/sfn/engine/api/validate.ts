import { SfnApiError } from '../../errors';
import { validateDefinition } from '../jsonpath-bridge';
import type { EngineCore } from './engine-core';
import { optionalString, type WireInput, type WireOutput } from './wire';

interface Diagnostic {
  severity: 'ERROR' | 'WARNING';
  code: string;
  message: string;
  location?: string;
}

function diagnosticsOf(text: string): Diagnostic[] {
  if (text.trim() === '') {
    return [
      { severity: 'ERROR', code: 'MISSING_DESCRIPTION', message: 'Received a null or empty workflow input.' },
    ];
  }
  let definition: unknown;
  try {
    definition = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return [{ severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message }];
  }
  if (!definition || typeof definition !== 'object' || Array.isArray(definition)) {
    return [
      { severity: 'ERROR', code: 'SCHEMA_VALIDATION_FAILED', message: 'The definition must be an object' },
    ];
  }
  return validateDefinition(definition, { queryLanguageDefault: 'JSONPath' }).map((problem) => ({
    severity: 'ERROR',
    code: problem.code,
    message: problem.message,
    ...(problem.location === undefined ? {} : { location: problem.location }),
  }));
}

/**
 * ValidateStateMachineDefinition: the problems CreateStateMachine would refuse, as diagnostics instead of an
 * error. `result` is FAIL when any ERROR is present; `maxResults` (default 100) truncates the list.
 */
export function validateStateMachineDefinition(_core: EngineCore, input: WireInput): WireOutput {
  if (typeof input.definition !== 'string') {
    throw new SfnApiError(
      'ValidationException',
      "1 validation error detected: Value null at 'definition' failed to satisfy constraint: Member must not be null",
    );
  }
  const type = optionalString(input, 'type') ?? 'STANDARD';
  if (type !== 'STANDARD' && type !== 'EXPRESS') {
    throw new SfnApiError('ValidationException', `Value '${type}' at 'type' failed to satisfy constraint`);
  }
  const severity = optionalString(input, 'severity') ?? 'ERROR';
  if (severity !== 'ERROR' && severity !== 'WARNING') {
    throw new SfnApiError(
      'ValidationException',
      `Value '${severity}' at 'severity' failed to satisfy constraint`,
    );
  }
  const maxResults = input.maxResults;
  const limit = typeof maxResults === 'number' && maxResults > 0 ? Math.min(maxResults, 100) : 100;
  // Every diagnostic found here is an ERROR, so either severity threshold keeps all of them.
  const all = diagnosticsOf(input.definition);
  return {
    result: all.some((diagnostic) => diagnostic.severity === 'ERROR') ? 'FAIL' : 'OK',
    diagnostics: all.slice(0, limit),
    truncated: all.length > limit,
  };
}
