import * as z from 'zod';
import { SUBSCRIPTION_EVENTS } from '../domain/subscriptions';

/** `events` is checked against the list by the use case, so that a 422 names every unknown event at once. */
export const createSubscriptionBodySchema = z.strictObject({
  url: z.string().url().max(2_048).describe('https; loopback only on the local cloud'),
  events: z
    .array(z.string().max(80))
    .min(1)
    .max(SUBSCRIPTION_EVENTS.length * 2)
    .optional()
    .describe(`Which events to receive (default: all): ${SUBSCRIPTION_EVENTS.join(', ')}`),
});
export type CreateSubscriptionBody = z.infer<typeof createSubscriptionBodySchema>;

export const subscriptionViewSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(SUBSCRIPTION_EVENTS)),
  status: z.enum(['active', 'disabled']).describe('`disabled` after the endpoint answered 410 Gone'),
  createdAt: z.string(),
  disabledAt: z.string().nullable(),
  lastDelivery: z
    .object({
      at: z.string(),
      event: z.string(),
      attempt: z.number().int(),
      httpStatus: z.number().int().nullable(),
      error: z.string().nullable(),
    })
    .nullable(),
});
export type SubscriptionViewBody = z.infer<typeof subscriptionViewSchema>;

export const createdSubscriptionSchema = z.object({
  subscription: subscriptionViewSchema,
  secret: z.string().describe('whsec_...: verify our signatures with it. Shown only in this answer'),
});
export type CreatedSubscriptionBody = z.infer<typeof createdSubscriptionSchema>;

export const subscriptionListSchema = z.object({ subscriptions: z.array(subscriptionViewSchema) });
export type SubscriptionListBody = z.infer<typeof subscriptionListSchema>;
