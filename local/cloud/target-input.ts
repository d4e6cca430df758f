/**
 * What an EventBridge rule passes to a target: the whole event, `Input` (a fixed JSON text), `InputPath` (a part of
 * the event) or `InputTransformer` (`InputPathsMap` + `InputTemplate`, with the `aws.events.*` variables).
 */
import type { TargetInputSpec } from './template';

export class TargetInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetInputError';
  }
}

/** EventBridge's JSONPath subset: `$`, `$.a.b`, `$.a[0]`, `$['a-b']`. Undefined when the path is not there. */
export function readJsonPath(root: unknown, path: string): unknown {
  if (!path.startsWith('$')) throw new TargetInputError(`JSON path must start with $: ${path}`);
  const tokens = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']+)'\]|\["([^"]+)"\]/g)];
  const consumed = tokens.map((token) => token[0]).join('');
  if (consumed !== path.slice(1)) throw new TargetInputError(`unsupported JSON path ${path}`);
  let current: unknown = root;
  for (const token of tokens) {
    const key = token[1] ?? token[3] ?? token[4];
    if (current === null || typeof current !== 'object') return undefined;
    current =
      key !== undefined
        ? (current as Record<string, unknown>)[key]
        : (current as unknown[])[Number(token[2])];
    if (current === undefined) return undefined;
  }
  return current;
}

/** Replaces `<name>` placeholders: inside a JSON string as text, elsewhere as JSON (strings quoted). */
function fillTemplate(
  template: string,
  values: Record<string, unknown>,
  raw: Record<string, string>,
): string {
  const jsonShaped = /^\s*[{["]/.test(template);
  let out = '';
  let inString = false;
  for (let i = 0; i < template.length; i++) {
    const char = template[i] ?? '';
    if (char === '\\' && inString) {
      out += char + (template[i + 1] ?? '');
      i++;
      continue;
    }
    if (char === '"') inString = !inString;
    const placeholder = char === '<' ? /^<([A-Za-z0-9_.-]+)>/.exec(template.slice(i)) : null;
    const rawText = placeholder?.[1] !== undefined ? raw[placeholder[1]] : undefined;
    if (placeholder && rawText !== undefined) {
      out += rawText;
      i += placeholder[0].length - 1;
      continue;
    }
    if (placeholder?.[1] && Object.hasOwn(values, placeholder[1])) {
      const value = values[placeholder[1]];
      if (inString || !jsonShaped) {
        const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
        out += jsonShaped ? JSON.stringify(text).slice(1, -1) : text;
      } else {
        out += value === undefined ? 'null' : JSON.stringify(value);
      }
      i += placeholder[0].length - 1;
      continue;
    }
    out += char;
  }
  return out;
}

/** The payload text a target receives for one event. */
export function targetInputFor(
  spec: TargetInputSpec,
  event: Record<string, unknown>,
  rule: { name: string; arn: string; ingestionTime: string },
): string {
  if (spec.input !== undefined) return spec.input;
  if (spec.inputPath !== undefined) return JSON.stringify(readJsonPath(event, spec.inputPath) ?? null);
  if (spec.inputTransformer) {
    const { detail: _detail, ...withoutDetail } = event;
    const values: Record<string, unknown> = {
      'aws.events.rule-arn': rule.arn,
      'aws.events.rule-name': rule.name,
      'aws.events.event.ingestion-time': rule.ingestionTime,
    };
    for (const [name, path] of Object.entries(spec.inputTransformer.inputPathsMap)) {
      values[name] = readJsonPath(event, path);
    }
    // The whole event goes in unescaped, as AWS documents (usable only as a JSON value).
    return fillTemplate(spec.inputTransformer.inputTemplate, values, {
      'aws.events.event.json': JSON.stringify(event),
      'aws.events.event': JSON.stringify(withoutDetail),
    });
  }
  return JSON.stringify(event);
}
