import * as z from 'zod';
import { FINE_INDICES } from '../domain/fine-policy';

/**
 * What an item view carries besides its status: the fine with every input of its formula (issue 10 §5) and the
 * open item it duplicated when submitted (issue 10 §4). Apart from `schemas.ts` so that file stays readable.
 */

const indexSourceSchema = z.object({
  value: z.number(),
  source: z
    .enum(['item', 'order', 'policy'])
    .describe("Where the value came from: the item's, the order's, or the policy's default"),
});

/** The item's fine with every input of its formula (see docs/reports.md "Fines"). */
export const itemFineSchema = z.discriminatedUnion('model', [
  z.object({
    model: z.literal('points'),
    currency: z.string(),
    indices: z.object(
      Object.fromEntries(FINE_INDICES.map((name) => [name, indexSourceSchema])) as Record<
        (typeof FINE_INDICES)[number],
        typeof indexSourceSchema
      >,
    ),
    indexProduct: z.string().describe('Product of the six indices, exact decimal'),
    maxPoints: z.number().int(),
    points: z.string().describe('indexProduct × maxPoints, exact decimal'),
    tariffPerPoint: z.number().int(),
    uncapped: z.number().int().describe('points × tariffPerPoint, rounded half up to a whole unit'),
    capPerItem: z.number().int(),
    amount: z.number().int(),
    capped: z.boolean(),
    formula: z.string(),
  }),
  z.object({
    model: z.literal('flat'),
    currency: z.string(),
    accruingSince: z.string().nullable(),
    until: z.string(),
    accrualPeriod: z.string(),
    periods: z.number().int(),
    perItemPerPeriod: z.number().int(),
    settledBefore: z.number().int(),
    uncapped: z.number().int(),
    capPerItem: z.number().int(),
    amount: z.number().int(),
    capped: z.boolean(),
    formula: z.string(),
  }),
  z.object({
    model: z.literal('none'),
    currency: z.string(),
    amount: z.literal(0),
    reason: z.enum(['before_st2', 'not_open_at_st2', 'withdrawn']),
    formula: z.string(),
  }),
]);

export const duplicateOfSchema = z.object({
  sameAgency: z.boolean().describe("Whether the other order is the submitting agency's own"),
  orderId: z.string().optional().describe("Only when the other order is the agency's own (or this one)"),
  itemId: z.string().optional(),
});
export const duplicateEntrySchema = duplicateOfSchema.extend({
  index: z.number().int().describe('Position of the item in the submitted `items`, from 0'),
});
