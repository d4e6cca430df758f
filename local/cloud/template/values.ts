/** Small readers for resolved template values, each failing with the place it was reading. */
import type { JsonObject } from './types';

export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

export const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const asString = (value: unknown, what: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${what}: expected a string, got ${JSON.stringify(value)}`);
};

export const asStringArray = (value: unknown, what: string): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map((v, i) => asString(v, `${what}[${i}]`)) : [];

/** `{ "prefix.name": "'value'" }` response parameters → `{ name: value }` (API Gateway quotes literals). */
export function quotedParameters(parameters: unknown, prefix: string): Record<string, string> {
  if (!isObject(parameters)) return {};
  return Object.fromEntries(
    Object.entries(parameters)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, v]) => [key.slice(prefix.length), String(v).replace(/^'|'$/g, '')]),
  );
}
