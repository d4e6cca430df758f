import { describe, expect, it } from 'vitest';
import { applyResultPath, InvalidResultPathError, ResultPathMatchFailure } from '../../../local/sfn/jsonpath';

describe('applyResultPath', () => {
  const input = { comment: 'An input', details: { id: 1 } };

  it('replaces the input with the result for $ or no ResultPath', () => {
    expect(applyResultPath(input, { ok: true }, '$')).toEqual({ ok: true });
    expect(applyResultPath(input, 'x', undefined)).toBe('x');
  });

  it('discards the result for a null ResultPath', () => {
    expect(applyResultPath(input, { ok: true }, null)).toBe(input);
  });

  it('writes the result into the input, creating missing objects, without mutating it', () => {
    expect(applyResultPath(input, 'Hello', '$.taskresult')).toEqual({ ...input, taskresult: 'Hello' });
    expect(applyResultPath(input, 7, '$.a.b.c')).toEqual({ ...input, a: { b: { c: 7 } } });
    expect(applyResultPath(input, 2, '$.details.count')).toEqual({ ...input, details: { id: 1, count: 2 } });
    expect(input).toEqual({ comment: 'An input', details: { id: 1 } });
  });

  it('writes into an existing array element', () => {
    expect(applyResultPath({ list: [{}, {}] }, 'x', '$.list[1].v')).toEqual({ list: [{}, { v: 'x' }] });
  });

  it('fails with States.ResultPathMatchFailure when a step is not an object', () => {
    const error = captureError(() => applyResultPath({ comment: 'text' }, 1, '$.comment.inner'));
    expect(error).toBeInstanceOf(ResultPathMatchFailure);
    expect(error).toMatchObject({ error: 'States.ResultPathMatchFailure' });
    expect(() => applyResultPath('scalar input', 1, '$.field')).toThrow(ResultPathMatchFailure);
  });

  it('refuses paths that are not reference paths', () => {
    expect(() => applyResultPath({}, 1, '$.a[*]')).toThrow(InvalidResultPathError);
    expect(() => applyResultPath({}, 1, '$$.Execution')).toThrow(InvalidResultPathError);
  });
});

function captureError(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
