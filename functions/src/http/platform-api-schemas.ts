import * as z from 'zod';
import { ORDER_STATUSES, STAGES } from '../domain/order-rules';
import { CATEGORIES } from '../domain/policy';
import {
  clarificationRequestSchema,
  clarificationViewSchema,
  itemCountsSchema,
  itemViewSchema,
  MAX_ITEMS_PER_ORDER,
  platformAnswerSchema,
} from './schemas';

// The platform-side API (issue 9): what a platform's staff and scripts read and send with a `takedown/platform`
// token. The views stay within what the webhooks carry, plus the order's and items' statuses and deadlines.

/** The signed endpoint's `items`, without `takedownRequestId`: the path names the order. */
export const platformOrderAnswersBodySchema = z.strictObject({
  items: z
    .array(platformAnswerSchema)
    .min(1)
    .max(MAX_ITEMS_PER_ORDER)
    .describe('Per-item answers; send a large order in parts of at most 1,000 items'),
});
export type PlatformOrderAnswersBody = z.infer<typeof platformOrderAnswersBodySchema>;

export const platformClarificationBodySchema = clarificationRequestSchema;

export const platformOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(2_000).optional(),
});

// What the agency's item view shows but the webhooks do not (onTime, the fine's breakdown) is left out.
export const platformItemSchema = itemViewSchema
  .pick({
    id: true,
    kind: true,
    locator: true,
    status: true,
    outcome: true,
    reason: true,
    answeredAt: true,
    actedAt: true,
    deadlineAt: true,
  })
  .extend({
    fineAccrued: z.number().int().describe('What the item accrued so far (the fine notice carries the same)'),
  });

export const platformOrderSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  category: z.enum(CATEGORIES),
  urgency: z.enum(['urgent', 'standard']),
  status: z.enum(ORDER_STATUSES),
  stage: z.enum(STAGES),
  createdAt: z.string(),
  servedAt: z.string().nullable(),
  deadlineAt: z
    .string()
    .nullable()
    .describe('Of the current stage; null before service and while the clock is paused'),
  clockPausedSince: z.string().nullable(),
  itemCounts: itemCountsSchema,
  itemsAccepted: z.number().int(),
});

const chainHeadSchema = z.object({
  orderId: z.string(),
  seq: z.number().int(),
  digest: z.string(),
  signedAt: z.string(),
  keyId: z.string().nullable(),
  algorithm: z.literal('ECDSA_SHA_256').optional(),
  signature: z.string().nullable(),
});

export const platformOrderViewSchema = platformOrderSummarySchema.extend({
  legalBasis: z.array(z.string()),
  reason: z.string().nullable(),
  territorialScope: z.array(z.string()),
  fine: z.object({
    currency: z.string(),
    perItemPerPeriod: z.number(),
    accrualPeriod: z.string(),
    capPerItem: z.number(),
  }),
  withdrawalReason: z.string().nullable(),
  clarification: clarificationViewSchema.nullable(),
  clarifications: z.array(clarificationViewSchema),
  auditHead: chainHeadSchema.nullable().describe("The order's signed audit chain head, as webhooks carry it"),
  items: z.array(platformItemSchema),
  nextItemsCursor: z.string().nullable(),
});

export const platformOrderListSchema = z.object({
  items: z.array(platformOrderSummarySchema),
  nextCursor: z.string().nullable(),
});
export const platformItemPageSchema = z.object({
  items: z.array(platformItemSchema),
  nextCursor: z.string().nullable(),
});

export type PlatformOrderViewBody = z.infer<typeof platformOrderViewSchema>;
export type PlatformOrderListBody = z.infer<typeof platformOrderListSchema>;
export type PlatformItemPageBody = z.infer<typeof platformItemPageSchema>;
