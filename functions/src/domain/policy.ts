import * as z from 'zod';
import { InvalidDurationError, parseDurationMs } from './duration';
import { pointsFinePolicySchema } from './fine-policy';

export const CATEGORIES = [
  'csam',
  'terrorism',
  'public_order',
  'illegal_drugs_food_cosmetics',
  'pornography',
  'prostitution',
  'gambling',
  'fraud',
  'illegal_lending',
  'hoax',
  'other',
] as const;
export type Category = (typeof CATEGORIES)[number];

export type Urgency = 'urgent' | 'standard';

const isoDuration = z.string().refine(
  (text) => {
    try {
      parseDurationMs(text);
      return true;
    } catch (error) {
      if (error instanceof InvalidDurationError) return false;
      throw error;
    }
  },
  { message: 'must be an ISO 8601 duration such as PT4H, P1D or PT30S' },
);
// zod runs refinements even after the pattern failed; the guard keeps a bad value to one clear message.
const positiveDuration = isoDuration.refine((text) => {
  try {
    return parseDurationMs(text) > 0;
  } catch {
    return true;
  }
}, 'must be longer than zero');

/**
 * Fractions of each deadline's time at which `takedown.deadline_approaching` goes to the platform: strictly between
 * 0 and 1, ascending, at most 5 (`[]` sends none).
 */
export const warnAtSchema = z
  .array(z.number().gt(0).lt(1))
  .max(5)
  .refine((values) => values.every((value, index) => index === 0 || value > (values[index - 1] ?? 0)), {
    message: 'must be strictly ascending',
  })
  .default([0.5, 0.9]);

const stageDeadlines = z.strictObject({
  order: positiveDuration,
  st1: positiveDuration,
  st2: positiveDuration,
});

/**
 * The escalation policy document: read by the CDK app at synth time (which refuses a bad file) and by every
 * function from its `POLICY` environment variable, so both sides accept exactly the same documents.
 */
export const policyDocumentSchema = z.strictObject({
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)'),
  version: z.string().min(1).max(64),
  urgentCategories: z.array(z.enum(CATEGORIES)).min(1),
  deadlines: z.strictObject({ urgent: stageDeadlines, standard: stageDeadlines }),
  deliveryRetrySchedule: z.array(isoDuration).min(1).max(50),
  reviewReminderPeriod: positiveDuration,
  /** How long a notice's webhook may fail before the notice is emailed to the platform's contact address. */
  serviceGracePeriod: z
    .strictObject({ urgent: positiveDuration, standard: positiveDuration })
    .default({ urgent: 'PT15M', standard: 'PT1H' }),
  /** Clarification requests an order may have (TCO Art. 3(8)); one more is refused. */
  maxClarifications: z.number().int().min(0).max(10).default(2),
  warnAt: warnAtSchema,
  /** How long a large order's background intake may stand still before the reconciler resumes it (issue 11). */
  intakeStallPeriod: positiveDuration.default('PT1M'),
  /** What a submission whose locator is already open in another order to the platform gets (issue 10 §4). */
  duplicateLocators: z.enum(['warn', 'reject']).default('warn'),
  fine: z
    .strictObject({
      currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code'),
      perItemPerPeriod: z.number().int().nonnegative(),
      accrualPeriod: positiveDuration,
      capPerItem: z.number().int().nonnegative(),
      /** `flat`: accrual per period from ST2; `points`: SAMAN's one-off fine per item at ST2 (fine-formula.ts). */
      model: z.enum(['flat', 'points']).default('flat'),
      points: pointsFinePolicySchema.optional(),
    })
    .superRefine((fine, context) => {
      if (fine.model === 'points' && fine.points === undefined)
        context.addIssue({ code: 'custom', path: ['points'], message: 'is required when model is "points"' });
    }),
});
/** A policy as the functions use it: every optional field filled with its default. */
export type PolicyDocument = z.output<typeof policyDocumentSchema>;

export class InvalidPolicyError extends Error {
  override name = 'InvalidPolicyError';
}

/** Reads the POLICY document (JSON text or an already parsed value) and fails loudly on any mistake. */
export function parsePolicy(input: unknown): PolicyDocument {
  let value = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new InvalidPolicyError('the policy is not valid JSON', { cause });
    }
  }
  const result = policyDocumentSchema.safeParse(value);
  if (!result.success) {
    throw new InvalidPolicyError(`the policy is invalid: ${z.prettifyError(result.error)}`, {
      cause: result.error,
    });
  }
  return result.data;
}

/** The category decides urgency; an agency's `urgent: true` may only raise it, never lower it. */
export function urgencyOf(policy: PolicyDocument, category: Category, urgentRequested = false): Urgency {
  if (urgentRequested) return 'urgent';
  return policy.urgentCategories.includes(category) ? 'urgent' : 'standard';
}
