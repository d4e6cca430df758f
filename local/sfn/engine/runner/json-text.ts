/**
 * A state's input or output and its JSON text, written when first asked for: by a durable store as it writes
 * the step, by the history's reader for an in-memory engine. Writing every output as text at once was the
 * largest cost of a Pass chain in memory (profiled: JSON.stringify, ~0.5 µs of ~5 µs a step). Sound because
 * the engine never changes a value once a state has produced it (ResultPath, Parameters and the rest build
 * new ones).
 */
export class JsonText {
  private value: unknown;
  private written: string | undefined;

  constructor(value: unknown, text?: string) {
    this.value = text === undefined ? value : undefined;
    this.written = text;
  }

  get text(): string {
    if (this.written === undefined) {
      this.written = JSON.stringify(this.value ?? null);
      this.value = undefined;
    }
    return this.written;
  }
}

/** The most UTF-8 bytes one UTF-16 unit of a string takes in JSON text (`\u001f`). */
const BYTES_PER_UNIT = 6;
/** The longest number JSON.stringify writes: 17 digits after `-0.00000` (`-0.0000012345678901234567`). */
const NUMBER_BYTES = 25;

/**
 * Whether `value`'s JSON text certainly takes at most `limit` UTF-8 bytes, from an upper bound that needs no
 * text (every string unit counted as an escape). False means "not certain": the caller writes the text and
 * counts. Values a plain walk cannot size (toJSON, a boxed primitive, a class instance, bigint) are never certain.
 */
export function certainlyFits(value: unknown, limit: number): boolean {
  return remainingBytes(value, limit) >= 0;
}

function remainingBytes(value: unknown, budget: number): number {
  switch (typeof value) {
    case 'string':
      return budget - (value.length * BYTES_PER_UNIT + 2);
    case 'number':
      return budget - NUMBER_BYTES;
    case 'boolean':
    case 'undefined':
      return budget - 5;
    case 'object': {
      if (value === null) return budget - 4;
      let left = budget - 2;
      if (Array.isArray(value)) {
        for (let index = 0; index < value.length && left >= 0; index++) {
          left = remainingBytes(value[index], left - 1);
        }
        return left;
      }
      // Only plain objects are walked: JSON writes a boxed number or one with toJSON as something else.
      const prototype = Object.getPrototypeOf(value);
      if ((prototype !== Object.prototype && prototype !== null) || 'toJSON' in value) return -1;
      for (const key in value) {
        left = remainingBytes(
          (value as Record<string, unknown>)[key],
          left - (key.length * BYTES_PER_UNIT + 3),
        );
        if (left < 0) return left;
      }
      return left;
    }
    default:
      return -1;
  }
}
