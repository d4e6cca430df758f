import * as z from 'zod';
import { CATEGORIES } from '../domain/policy';

// The HTTP contract of the reports function: statistics, exports, letters, verification.

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
const id = z.string().trim().min(1).max(64);

export const statisticsQuerySchema = z.strictObject({
  from: day.describe('First day (inclusive) of servedAt, in tz'),
  to: day.describe('Last day (inclusive) of servedAt, in tz'),
  tz: z
    .string()
    .min(1)
    .max(64)
    .default('UTC')
    .describe('IANA time zone the days are counted in, e.g. Asia/Jakarta'),
  platformId: id.optional(),
  agencyId: id.optional().describe('Operators only; an agency always sees its own orders'),
  category: z.enum(CATEGORIES).optional(),
});

export const exportQuerySchema = z.strictObject({
  from: day,
  to: day,
  platformId: id.optional(),
});

export const authorityReportQuerySchema = z.strictObject({
  year: z.coerce.number().int().min(2000).max(2100),
  format: z.enum(['json', 'csv']).default('json'),
});

const count = z.number().int().min(0);
const durationSummary = z.object({
  count,
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  max: z.number().nullable(),
});

export const statisticsBlockSchema = z.object({
  orders: count,
  items: count,
  ordersByStatus: z.record(z.string(), count),
  itemsByStatus: z.record(z.string(), count),
  itemsByOutcome: z.record(z.string(), count),
  removed: z.object({ onTime: count, late: count, never: count }),
  onTimeRate: z.number().min(0).max(1).nullable(),
  timeToComplySeconds: durationSummary,
  stagesReached: z.object({ st1: count, st2: count, st3: count }),
  fines: z.array(
    z.object({
      currency: z.string(),
      accrued: z.number(),
      final: z.number().describe('Stopped growing (not "paid")'),
      stillGrowing: z.number(),
    }),
  ),
  contested: z.object({
    items: count,
    upheld: count,
    withdrawn: count,
    awaitingDecision: count,
    reasons: z.record(z.string(), count),
  }),
  clarifications: z.object({ asked: count, answered: count, orders: count }),
  deliveryLatencyMs: z.object({ attempts: count, median: z.number().nullable() }),
});

export const statisticsSchema = z.object({
  filter: z.object({
    from: z.string(),
    to: z.string(),
    zone: z.string(),
    platformId: z.string().optional(),
    agencyId: z.string().optional(),
    category: z.string().optional(),
  }),
  generatedAt: z.string(),
  quantileRelativeAccuracy: z.number(),
  total: statisticsBlockSchema,
  platforms: z.record(z.string(), statisticsBlockSchema),
});

export const dsaPrefillSchema = z.object({
  format: z.literal('tenggat-dsa-prefill/v1'),
  generatedAt: z.string(),
  from: z.string(),
  to: z.string(),
  platformIds: z.array(z.string()),
  note: z.string(),
  skipped: z.object({ ordersOutsideEuEea: count, itemsNotActedOn: count }),
  batches: z.array(
    z.object({
      batch: z.number().int(),
      statements: z.array(
        z.object({
          tenggatOrderId: z.string(),
          tenggatItemId: z.string(),
          platformId: z.string(),
          locator: z.string().nullable(),
          toComplete: z.array(z.string()),
          warnings: z.array(z.string()),
          statement: z.record(z.string(), z.unknown()).describe('DSA Transparency Database statement fields'),
        }),
      ),
    }),
  ),
});

export const authorityReportSchema = z.object({
  format: z.literal('tenggat-authority-report/v1'),
  year: z.number().int(),
  agencyId: z.string().nullable(),
  zone: z.string(),
  generatedAt: z.string(),
  metrics: z.array(
    z.object({
      section: z.string(),
      key: z.string(),
      label: z.string(),
      value: z.number().nullable(),
      unit: z.string(),
      note: z.string(),
    }),
  ),
  notCovered: z.array(z.string()),
});

export const letterVerificationSchema = z.object({
  digest: z.string(),
  orderId: z.string(),
  stage: z.enum(['order', 'st1', 'st2', 'st3', 'withdrawal']),
  issuedAt: z.string(),
  current: z.boolean().describe("Whether the order's record still hashes to this digest"),
  checkedAt: z.string(),
});

export type StatisticsBody = z.infer<typeof statisticsSchema>;
export type DsaPrefillBody = z.infer<typeof dsaPrefillSchema>;
export type AuthorityReportBody = z.infer<typeof authorityReportSchema>;
export type LetterVerificationBody = z.infer<typeof letterVerificationSchema>;
