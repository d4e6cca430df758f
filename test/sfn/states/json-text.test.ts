import { describe, expect, it } from 'vitest';
import { certainlyFits, JsonText } from '../../../local/sfn/engine/runner/json-text';

const LIMIT = 256 * 1024;
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value));

describe('an output sized without its text', () => {
  it('is certain of small values and never certain of one over the limit', () => {
    expect(
      certainlyFits({ payload: 'x'.repeat(64), step: 99, nested: [true, null, { a: 1.5 }] }, LIMIT),
    ).toBe(true);
    const over = { text: 'x'.repeat(LIMIT) };
    expect(bytes(over)).toBeGreaterThan(LIMIT);
    expect(certainlyFits(over, LIMIT)).toBe(false);
  });

  it('counts the worst escape of every unit, so a text that is all escapes still fits when it says so', () => {
    // A control character is written as \\u001f: 6 bytes for one unit.
    const units = Math.floor((LIMIT - 2) / 6);
    const escapes = '\u001f'.repeat(units);
    expect(certainlyFits(escapes, LIMIT)).toBe(true);
    expect(bytes(escapes)).toBeLessThanOrEqual(LIMIT);
    expect(certainlyFits(`${escapes}\u001f`, LIMIT)).toBe(false);
  });

  it('counts the longest numbers JSON writes (25 characters), so an array of them just over the limit is not certain', () => {
    const longest = -0.0000012345678901234567;
    expect(JSON.stringify(longest)).toHaveLength(25);
    // 10,083 of them with their commas take 262,159 bytes: 15 over.
    const numbers = Array.from({ length: 10_083 }, () => longest);
    expect(bytes(numbers)).toBeGreaterThan(LIMIT);
    expect(certainlyFits(numbers, LIMIT)).toBe(false);
    const fewer = numbers.slice(0, 10_000);
    expect(bytes(fewer)).toBeLessThanOrEqual(LIMIT);
    expect(certainlyFits(fewer, LIMIT)).toBe(true);
  });

  it('is never certain of what only its text can size (toJSON, a boxed number, bigint)', () => {
    expect(certainlyFits({ when: new Date(0) }, LIMIT)).toBe(false);
    expect(certainlyFits({ custom: { toJSON: () => 'x'.repeat(LIMIT) } }, LIMIT)).toBe(false);
    expect(certainlyFits({ boxed: new Number(1) }, LIMIT)).toBe(false);
    expect(certainlyFits({ count: 1n }, LIMIT)).toBe(false);
    expect(certainlyFits(Object.assign(Object.create(null), { bare: true }), LIMIT)).toBe(true);
  });

  it('writes the text once, as JSON.stringify does (undefined as null)', () => {
    const value = { list: [1, 'two', undefined], skipped: undefined };
    const text = new JsonText(value);
    expect(text.text).toBe(JSON.stringify(value));
    expect(text.text).toBe(text.text);
    expect(new JsonText(undefined).text).toBe('null');
    expect(new JsonText({ ignored: true }, '"given"').text).toBe('"given"');
  });
});
