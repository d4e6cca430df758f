import * as z from 'zod';
import { CHAIN_BREAKS } from '../domain/audit-chain';
import { fineIndexSetProblem, fineIndexValuesSchema } from '../domain/fine-policy';
import { ITEM_OUTCOMES, ITEM_STATUSES, ORDER_STATUSES, OUTBOUND_EVENTS, STAGES } from '../domain/order-rules';
import { CATEGORIES } from '../domain/policy';
import { duplicateEntrySchema, duplicateOfSchema, itemFineSchema } from './item-extra-schemas';

export { duplicateEntrySchema, duplicateOfSchema, itemFineSchema } from './item-extra-schemas';

export const MAX_ITEMS_PER_ORDER = 10_000;
export const MAX_LOCATOR_LENGTH = 2_048;

const nonBlank = (max: number) => z.string().trim().min(1).max(max);

export const itemInputSchema = z.strictObject({
  kind: z.enum(['account', 'url', 'content']),
  locator: nonBlank(MAX_LOCATOR_LENGTH).describe(
    'URL, account handle or content id, as the platform knows it',
  ),
  note: z.string().max(2_000).optional(),
  fineIndices: fineIndexValuesSchema
    .optional()
    .describe("SAMAN's fine indices for this item (points model), each in [0, 1]; wins over the order's"),
});

export const submitOrderBodySchema = z
  .strictObject({
    platformId: nonBlank(64),
    category: z.enum(CATEGORIES),
    urgent: z.boolean().optional().describe('Only raises urgency; needs urgencyReason'),
    urgencyReason: z.string().trim().min(1).max(2_000).optional(),
    legalBasis: z.array(nonBlank(500)).min(1).max(20),
    reason: nonBlank(10_000).describe('Statement of reasons'),
    reference: nonBlank(200).describe("The agency's own order number"),
    territorialScope: z
      .array(z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'))
      .min(1)
      .max(250)
      .default(['ID']),
    officer: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('The person acting, recorded in the audit trail'),
    items: z.array(itemInputSchema).min(1).max(MAX_ITEMS_PER_ORDER),
    evidence: z
      .array(
        z.strictObject({ uri: z.string().url().max(2_048), sha256: z.string().regex(/^[a-f0-9]{64}$/i) }),
      )
      .max(100)
      .optional(),
    fineIndices: fineIndexValuesSchema
      .optional()
      .describe("SAMAN's fine indices for every item (points model); the policy gives the ones left out"),
  })
  .superRefine((body, context) => {
    const tooMany = fineIndexSetProblem(body.items);
    if (tooMany !== null)
      context.addIssue({
        code: 'custom',
        path: ['items', tooMany.index, 'fineIndices'],
        message: tooMany.message,
      });
    if (body.urgent === true && body.urgencyReason === undefined) {
      context.addIssue({
        code: 'custom',
        path: ['urgencyReason'],
        message: 'is required when urgent is true',
      });
    }
    const seen = new Map<string, number>();
    body.items.forEach((item, index) => {
      const first = seen.get(item.locator);
      if (first === undefined) seen.set(item.locator, index);
      else
        context.addIssue({
          code: 'custom',
          path: ['items', index, 'locator'],
          message: `duplicates items[${first}].locator`,
        });
    });
  });
export type SubmitOrderBody = z.infer<typeof submitOrderBodySchema>;

const officerField = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .optional()
  .describe('The person acting, recorded in the audit trail');

export const withdrawalBodySchema = z.strictObject({ reason: nonBlank(2_000), officer: officerField });
export type WithdrawalBody = z.infer<typeof withdrawalBodySchema>;

export const reviewBodySchema = z.strictObject({
  itemIds: z.array(nonBlank(64)).min(1).max(1_000),
  decision: z.enum(['uphold', 'withdraw']),
  note: nonBlank(2_000),
  officer: officerField,
});
export type ReviewBody = z.infer<typeof reviewBodySchema>;

export const REJECTION_CODES = [
  'manifest_error',
  'insufficient_information',
  'force_majeure',
  'legal_objection',
  'not_our_service',
] as const;

export const platformAnswerSchema = z
  .strictObject({
    itemId: nonBlank(64),
    outcome: z.enum(ITEM_OUTCOMES),
    reason: z.strictObject({ code: z.enum(REJECTION_CODES), explanation: nonBlank(2_000) }).optional(),
    actedAt: z.iso
      .datetime({ offset: true })
      .optional()
      .describe('When the platform says it acted (its claim)'),
  })
  .superRefine((answer, context) => {
    if (answer.outcome === 'rejected' && answer.reason === undefined) {
      context.addIssue({ code: 'custom', path: ['reason'], message: 'is required when outcome is rejected' });
    }
  });

export const clarificationAnswerBodySchema = z.strictObject({
  answer: nonBlank(2_000).describe(
    "The agency's answer; the platform's clock runs again once it receives it",
  ),
  officer: nonBlank(200).optional(),
});
export type ClarificationAnswerBody = z.infer<typeof clarificationAnswerBodySchema>;

export const clarificationRequestSchema = z.strictObject({
  question: nonBlank(2_000).describe('What the platform needs to know to act on the order (TCO Art. 3(8))'),
});

export const platformResponsesBodySchema = z
  .strictObject({
    takedownRequestId: nonBlank(64),
    items: z.array(platformAnswerSchema).min(1).max(MAX_ITEMS_PER_ORDER).optional(),
    clarificationRequest: clarificationRequestSchema
      .optional()
      .describe(
        'Instead of items: asks the agency to clarify the order; the clock stops until the answer arrives',
      ),
  })
  .superRefine((body, context) => {
    const given = [body.items, body.clarificationRequest].filter((part) => part !== undefined).length;
    if (given !== 1) {
      context.addIssue({
        code: 'custom',
        path: given === 0 ? ['items'] : ['clarificationRequest'],
        message:
          given === 0
            ? 'is required (or clarificationRequest)'
            : 'cannot come with items: send one or the other',
      });
    }
  });
export type PlatformResponsesBody = z.infer<typeof platformResponsesBodySchema>;

export const personalDataErasureBodySchema = z.strictObject({
  requestReference: nonBlank(200).describe(
    'Reference of the lawful erasure request (UU PDP 27/2022) being carried out; recorded in the audit trail',
  ),
});
export const personalDataErasureResultSchema = z.object({
  orderId: z.string(),
  erasedEvents: z.number().int().describe('Audit events whose personal data was removed'),
  erasedItems: z.number().int().describe('Items whose locator and note were removed'),
  erasedAt: z.string().describe('When the erasure was carried out; a repeated request answers the first one'),
});
export type PersonalDataErasureResultBody = z.infer<typeof personalDataErasureResultSchema>;

export const registerPlatformBodySchema = z.strictObject({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2 to 63 characters'),
  name: nonBlank(200),
  webhookUrl: z.string().url().max(2_048),
  contactEmail: z.email().max(320),
});
export type RegisterPlatformBody = z.infer<typeof registerPlatformBodySchema>;

export const listOrdersQuerySchema = z.strictObject({
  status: z.enum(ORDER_STATUSES).optional(),
  stage: z.enum(STAGES).optional().describe('The escalation stage the order is at'),
  agencyId: nonBlank(64)
    .optional()
    .describe(
      'Operators: one agency (without it, every agency, newest first); an agency may give only its own',
    ),
  platformId: nonBlank(64).optional(),
  reference: nonBlank(200)
    .optional()
    .describe("Orders whose reference is exactly this (the agency's own reference, trimmed as on submit)"),
  locator: z
    .string()
    .min(1)
    .max(2_048)
    .optional()
    .describe('Orders with an item whose locator is this one, normalized as duplicate detection does'),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  cursor: z.string().max(4_000).optional(),
});

export const pageQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(1_000).default(100),
  cursor: z.string().max(2_000).optional(),
});

// Responses

export const itemCountsSchema = z.object({
  total: z.number().int(),
  pending: z.number().int(),
  resolved: z.number().int(),
  disputed: z.number().int(),
  withdrawn: z.number().int(),
});

export const itemViewSchema = z.object({
  id: z.string(),
  kind: z.enum(['account', 'url', 'content']),
  locator: z.string().nullable().describe('null once erased on a lawful personal data erasure request'),
  status: z.enum(ITEM_STATUSES),
  outcome: z.enum(ITEM_OUTCOMES).nullable(),
  reason: z.object({ code: z.string(), explanation: z.string() }).nullable(),
  answeredAt: z.string().nullable(),
  actedAt: z.string().nullable(),
  onTime: z.boolean().nullable(),
  deadlineAt: z.string().nullable(),
  fineAccrued: z.number().int(),
  fine: itemFineSchema,
  duplicate: duplicateOfSchema
    .nullable()
    .describe('As found at submission: the open item with the same normalized locator, if any'),
});

export const stageEntrySchema = z.object({
  stage: z.enum(STAGES),
  at: z.string(),
  deadlineAt: z.string().nullable(),
});

export const clarificationViewSchema = z.object({
  seq: z.number().int(),
  question: z.string().nullable(),
  askedAt: z.string(),
  answer: z.string().nullable(),
  answeredAt: z.string().nullable(),
  receivedAt: z
    .string()
    .nullable()
    .describe('When the platform received the answer: the clock ran again from here'),
});

export const deliveryAttemptViewSchema = z.object({
  at: z.string(),
  noticeId: z.string().nullable().describe('The notice of the outbox this attempt delivered'),
  channel: z.enum(['webhook', 'email']),
  messageId: z.string().nullable().describe('The SES message id of an email attempt'),
  event: z.enum(OUTBOUND_EVENTS),
  stage: z.enum(STAGES),
  attempt: z.number().int(),
  part: z.number().int(),
  parts: z.number().int(),
  webhookId: z.string(),
  httpStatus: z.number().int().nullable(),
  latencyMs: z.number(),
  error: z.string().nullable(),
});

export const orderSummarySchema = z.object({
  id: z.string(),
  agencyId: z.string(),
  platformId: z.string(),
  reference: z.string(),
  category: z.enum(CATEGORIES),
  status: z.enum(ORDER_STATUSES),
  stage: z.enum(STAGES),
  urgency: z.enum(['urgent', 'standard']),
  createdAt: z.string(),
  servedAt: z
    .string()
    .nullable()
    .describe('When the order was served (first webhook 2xx, or the fallback email accepted by SES)'),
  servedVia: z.enum(['webhook', 'email']).nullable(),
  notifiedAt: z
    .string()
    .nullable()
    .describe('The first webhook acknowledgement; null while served by email only'),
  deadlineAt: z
    .string()
    .nullable()
    .describe('Of the current stage; null before service and while the clock is paused'),
  clockPausedSince: z.string().nullable().describe('The clock stopped for an open clarification request'),
  itemCounts: itemCountsSchema,
  itemsAccepted: z
    .number()
    .int()
    .describe('Items written so far: grows while the order is `accepting`, then equals itemCounts.total'),
});

export const noticeViewSchema = z.object({
  id: z.string(),
  event: z.enum(OUTBOUND_EVENTS),
  stage: z.enum(STAGES),
  createdAt: z.string(),
  webhook: z.object({
    state: z.enum(['pending', 'delivered', 'gave_up', 'cancelled']),
    attempts: z.number().int(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    lastError: z.string().nullable(),
  }),
  email: z.object({
    state: z.enum(['scheduled', 'sent', 'not_needed', 'failed']),
    dueAt: z.string(),
    sentAt: z.string().nullable(),
    lastError: z.string().nullable(),
    deliveryEvent: z.object({ type: z.string(), at: z.string() }).nullable(),
  }),
});

export const orderViewSchema = orderSummarySchema.extend({
  legalBasis: z.array(z.string()),
  reason: z.string().nullable().describe('null once erased on a lawful personal data erasure request'),
  territorialScope: z.array(z.string()),
  officer: z.string().nullable(),
  personalDataErasedAt: z
    .string()
    .nullable()
    .describe("When officer, reason and the items' locators were erased; null if never"),
  evidence: z.array(z.object({ uri: z.string(), sha256: z.string() })),
  policy: z.object({ name: z.string(), version: z.string() }),
  fine: z.object({
    currency: z.string(),
    model: z.enum(['flat', 'points']),
    accrued: z.number().int().describe("The order's total: the sum of its items' fines"),
    fineIndices: fineIndexValuesSchema.nullable().describe('The indices the agency gave for every item'),
  }),
  items: z.array(itemViewSchema),
  nextItemsCursor: z.string().nullable(),
  stageHistory: z.array(stageEntrySchema),
  deliveries: z.array(deliveryAttemptViewSchema),
  notices: z
    .array(noticeViewSchema)
    .describe("The order's outbox: every notice owed to the platform and how it went"),
  withdrawal: z.object({ reason: z.string().nullable(), at: z.string() }).nullable(),
  executionArn: z.string().nullable().describe("The order's current Step Functions execution"),
  webhookHealth: z.object({
    state: z.enum(['unknown', 'ok', 'failing']),
    lastAttemptAt: z.string().nullable(),
    lastError: z.string().nullable(),
    lastHttpStatus: z.number().int().nullable(),
    failingSince: z.string().nullable(),
  }),
  clarification: clarificationViewSchema.nullable().describe('The open clarification request'),
  clarifications: z.array(clarificationViewSchema).describe('The closed ones, oldest first'),
  duplicateCount: z.number().int().describe('How many items were duplicates when the order was submitted'),
});
export type OrderViewBody = z.infer<typeof orderViewSchema>;
export const submittedOrderSchema = orderViewSchema.extend({
  duplicates: z
    .array(duplicateEntrySchema)
    .describe(
      'Each item whose normalized locator is open in another order to the same platform, or repeats an earlier item',
    ),
});
export type SubmittedOrderBody = z.infer<typeof submittedOrderSchema>;

export const orderListItemSchema = orderSummarySchema.extend({
  fine: z.object({
    currency: z.string(),
    accrued: z
      .number()
      .int()
      .nullable()
      .describe(
        'The fine accrued so far (0 before stage 2); null for an order of more than 100 items past stage 2, ' +
          'whose fine the order view gives',
      ),
  }),
});
export const orderListSchema = z.object({
  items: z.array(orderListItemSchema),
  nextCursor: z.string().nullable(),
});
export type OrderListBody = z.infer<typeof orderListSchema>;
export const itemPageSchema = z.object({ items: z.array(itemViewSchema), nextCursor: z.string().nullable() });
export type ItemPageBody = z.infer<typeof itemPageSchema>;
const sha256Hex = z.string().describe('SHA-256, lowercase hex');
const chainHeadSchema = z.object({
  orderId: z.string(),
  seq: z.number().int(),
  digest: sha256Hex,
  signedAt: z.string(),
  keyId: z.string().nullable(),
  algorithm: z.literal('ECDSA_SHA_256').optional(),
  signature: z.string().nullable().describe('DER encoded ECDSA P-256 signature, base64'),
});
export const auditPageSchema = z.object({
  items: z.array(
    z.object({
      seq: z.number().int(),
      at: z.string(),
      actor: z.object({ kind: z.string(), id: z.string(), officer: z.string().optional() }),
      action: z.string(),
      stage: z.enum(STAGES),
      details: z.record(z.string(), z.unknown()),
      digest: sha256Hex.describe(
        'SHA-256 of the canonical JSON of the event without its personal data, which enters by its own digest',
      ),
      previousDigest: sha256Hex.describe("The previous event's digest; 64 zeros for the first event"),
      personalDataDigest: sha256Hex
        .nullable()
        .describe(
          'SHA-256 of the salted personal data (officer, notes, reasons); null when the event had none',
        ),
      personalDataErasedAt: z
        .string()
        .nullable()
        .describe('When the personal data was erased on a lawful request; the digest still chains the event'),
      signedHead: chainHeadSchema
        .nullable()
        .describe('The head signed when this event was the newest: every signed head is kept with its event'),
    }),
  ),
  nextCursor: z.string().nullable(),
  head: chainHeadSchema.nullable().describe('The last event, signed with the audit signing key'),
  verification: z
    .object({
      valid: z.boolean(),
      checkedEvents: z.number().int(),
      brokenAt: z.number().int().optional().describe('The sequence number where the chain first breaks'),
      reason: z.enum(CHAIN_BREAKS).optional(),
    })
    .describe('The whole chain checked by the server, whatever page was asked for'),
});

export type AuditPageBody = z.infer<typeof auditPageSchema>;

export const platformResponsesResultSchema = z.union([
  z.object({
    takedownRequestId: z.string(),
    results: z.array(
      z.object({ itemId: z.string(), result: z.enum(['applied', 'already_final', 'not_found']) }),
    ),
  }),
  z.object({ takedownRequestId: z.string(), clarification: clarificationViewSchema }),
]);

export type PlatformResponsesResultBody = z.infer<typeof platformResponsesResultSchema>;

export const problemSchema = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  instance: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
