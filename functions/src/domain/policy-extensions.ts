import * as z from 'zod';
import { type PolicyDocument, warnAtSchema } from './policy';

/**
 * Proposed optional policy fields of issue 10 (alerts and duplicates), read with their defaults so that orders
 * stored under an older policy behave as the defaults say. Meant to be merged into `policyDocumentSchema` by
 * the lead; until then `policyExtensionsOf` reads them from the stored document.
 *
 * - `warnAt`: in the policy schema now (`warnAtSchema`); read here too so that an order stored before the field
 *   existed gets the default `[0.5, 0.9]`.
 * - `duplicateLocators`: `warn` (report duplicates in the submit response) or `reject` (422 naming the items).
 */
export const policyExtensionsSchema = z.object({
  warnAt: warnAtSchema,
  duplicateLocators: z.enum(['warn', 'reject']).default('warn'),
});
export type PolicyExtensions = z.infer<typeof policyExtensionsSchema>;

export function policyExtensionsOf(policy: PolicyDocument): PolicyExtensions {
  const stored = policy as Omit<PolicyDocument, 'warnAt'> & { warnAt?: unknown; duplicateLocators?: unknown };
  return policyExtensionsSchema.parse({ warnAt: stored.warnAt, duplicateLocators: stored.duplicateLocators });
}

/** When each warning falls: `start + fraction × (deadline − start)`, only those still ahead of `now`. */
export function warningTimes(start: Date, deadline: Date, warnAt: readonly number[], now: Date): Date[] {
  const span = deadline.getTime() - start.getTime();
  if (span <= 0) return [];
  return warnAt
    .map((fraction) => new Date(start.getTime() + Math.round(span * fraction)))
    .filter((at) => at.getTime() > now.getTime());
}
