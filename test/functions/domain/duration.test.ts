import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidDurationError, parseDurationMs } from '../../../functions/src/domain/duration';

describe('parseDurationMs', () => {
  it('reads the durations the policies use', () => {
    expect(parseDurationMs('PT4H')).toBe(4 * 3_600_000);
    expect(parseDurationMs('PT24H')).toBe(86_400_000);
    expect(parseDurationMs('P1D')).toBe(86_400_000);
    expect(parseDurationMs('PT5M')).toBe(300_000);
    expect(parseDurationMs('PT0S')).toBe(0);
    expect(parseDurationMs('P1DT2H3M4.5S')).toBe(86_400_000 + 7_200_000 + 180_000 + 4_500);
    expect(parseDurationMs('P2W')).toBe(14 * 86_400_000);
  });

  it.each(['', 'P', 'PT', '4H', 'P1M', 'P1Y', 'PT-1S', 'P1DT', 'pt4h'])('refuses %j', (text) => {
    expect(() => parseDurationMs(text)).toThrow(InvalidDurationError);
  });

  it('round-trips any whole number of seconds', () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), (seconds) => parseDurationMs(`PT${seconds}S`) === seconds * 1000),
    );
  });
});
