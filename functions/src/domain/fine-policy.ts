import * as z from 'zod';

/**
 * The schemas of SAMAN's points fine (issue 10 §5) that the policy and the submit body share. Kept apart from
 * `fine-formula.ts` so that every function, which parses the policy, does not carry the formula as well.
 */
export const FINE_INDICES = ['content', 'ugc', 'businessScale', 'warning', 'compliance', 'virality'] as const;
export type FineIndex = (typeof FINE_INDICES)[number];
export type FineIndexValues = Partial<Record<FineIndex, number>>;

const indexValue = z
  .number()
  .min(0)
  .max(1)
  .refine(
    (value) => Math.abs(value * 10_000 - Math.round(value * 10_000)) < 1e-6,
    'must have at most 4 decimals',
  );

/** Index values an agency may give with an order or an item (all optional: the policy gives the rest). */
export const fineIndexValuesSchema = z.strictObject(
  Object.fromEntries(FINE_INDICES.map((name) => [name, indexValue.optional()])) as Record<
    FineIndex,
    z.ZodOptional<typeof indexValue>
  >,
);

/** The policy's `fine.points` section (optional fields with defaults, as `serviceGracePeriod`). */
export const pointsFinePolicySchema = z.strictObject({
  maxPoints: z.number().int().positive().default(5_000),
  tariffPerPoint: z.number().int().nonnegative(),
  /** Defaults to `fine.capPerItem`. */
  capPerItem: z.number().int().nonnegative().optional(),
  indexDefaults: z
    .strictObject(
      Object.fromEntries(FINE_INDICES.map((name) => [name, indexValue.default(1)])) as Record<
        FineIndex,
        z.ZodDefault<typeof indexValue>
      >,
    )
    .default({ content: 1, ugc: 1, businessScale: 1, warning: 1, compliance: 1, virality: 1 }),
});

/**
 * Distinct per-item index sets an order may hold. The ST2 audit event records each distinct set once with the
 * items it applies to, and one audit event has to fit a DynamoDB item (400 KB).
 */
export const MAX_FINE_INDEX_SETS = 500;

const indexSetKey = (values: FineIndexValues): string =>
  FINE_INDICES.map((name) => values[name] ?? '').join('|');

/** The first item whose `fineIndices` would be one distinct set too many, with the message naming it. */
export function fineIndexSetProblem(items: readonly { fineIndices?: FineIndexValues }[]): {
  index: number;
  message: string;
} | null {
  const seen = new Set<string>();
  for (const [index, item] of items.entries()) {
    if (item.fineIndices === undefined) continue;
    seen.add(indexSetKey(item.fineIndices));
    if (seen.size > MAX_FINE_INDEX_SETS)
      return {
        index,
        message: `is the ${MAX_FINE_INDEX_SETS + 1}st distinct set of fine indices in this order; at most ${MAX_FINE_INDEX_SETS} are allowed (give shared values once in the order's fineIndices)`,
      };
  }
  return null;
}
