import { z } from 'zod';
import { InvalidDurationError, parseDurationMs } from './duration';

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
  { message: 'must be an ISO 8601 duration such as PT4H or P1D' },
);

const stageDeadlines = z.strictObject({ order: isoDuration, st1: isoDuration, st2: isoDuration });

export const policyDocumentSchema = z.strictObject({
  name: z.string().min(1),
  version: z.string().min(1),
  urgentCategories: z.array(z.enum(CATEGORIES)),
  deadlines: z.strictObject({ urgent: stageDeadlines, standard: stageDeadlines }),
  deliveryRetrySchedule: z.array(isoDuration).min(1),
  reviewReminderPeriod: isoDuration,
  fine: z.strictObject({
    currency: z.string().length(3),
    perItemPerPeriod: z.number().int().nonnegative(),
    accrualPeriod: isoDuration,
    capPerItem: z.number().int().nonnegative(),
  }),
});
export type PolicyDocument = z.infer<typeof policyDocumentSchema>;

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
