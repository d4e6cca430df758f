import { describe, expect, it } from 'vitest';
import { initialLanguage } from '../../console/src/language';
import { en } from '../../console/src/messages-en';
import { id } from '../../console/src/messages-id';
import { formatDuration, formatLocal, formatUtc } from '../../console/src/time';

describe('console times', () => {
  it("shows a time in the viewer's zone, WIB by name in Indonesian, and the UTC value for the hover", () => {
    const at = '2026-03-01T17:30:00Z';
    expect(formatLocal(at, 'id-ID', 'Asia/Jakarta')).toMatch(/2 Mar 2026.*00[.:]30 WIB/);
    expect(formatLocal(at, 'en-GB', 'Europe/London')).toMatch(/1 Mar 2026.*17:30 GMT/);
    expect(formatUtc(at)).toBe('2026-03-01T17:30:00Z (UTC)');
  });

  it('writes a countdown in days, hours, minutes or seconds', () => {
    expect(formatDuration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(formatDuration(-(2 * 3_600_000 + 5 * 60_000))).toBe('2 h 05 m');
    expect(formatDuration(45_000)).toBe('45 s');
  });
});

describe('console language', () => {
  it("takes the person's choice, else the browser's first known language, else Indonesian", () => {
    expect(initialLanguage('en', ['id-ID'])).toBe('en');
    expect(initialLanguage(null, ['fr-FR', 'en-US', 'id'])).toBe('en');
    expect(initialLanguage(null, ['fr-FR'])).toBe('id');
    expect(initialLanguage('xx', undefined)).toBe('id');
  });

  it('has every message in both languages, with the same placeholders', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort();
    for (const key of Object.keys(id) as (keyof typeof id)[])
      expect(placeholders(en[key]), key).toEqual(placeholders(id[key]));
  });
});
