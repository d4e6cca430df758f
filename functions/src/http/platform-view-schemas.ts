/** The operator's view of a registered platform: its record, delivery health and, once, its secrets. */
import * as z from 'zod';

/** Kept on the platform record by every delivery: reading it costs one item, whatever the platform's traffic. */
export const platformDeliveryHealthSchema = z
  .object({
    state: z
      .enum(['unknown', 'ok', 'failing'])
      .describe('unknown: no webhook attempt yet; failing: the last attempt failed; ok: it succeeded'),
    lastWebhookSuccessAt: z.string().nullable().describe('The last notice every part of which answered 2xx'),
    lastWebhookFailureAt: z.string().nullable(),
    lastWebhookHttpStatus: z
      .number()
      .int()
      .nullable()
      .describe('Of the last failed attempt; null when no answer came'),
    lastWebhookError: z.string().nullable().describe('What went wrong at the last failed attempt'),
    consecutiveWebhookFailures: z.number().int().describe('Failed webhook attempts since the last success'),
    lastEmail: z
      .object({
        at: z.string(),
        orderId: z.string(),
        sent: z.boolean().describe('false when SES refused it or no contact address was registered'),
        error: z.string().nullable(),
      })
      .nullable()
      .describe(
        'The last notice that fell back to email, its webhook having failed through the grace period',
      ),
  })
  .describe("How the platform's deliveries went lately, across all its orders");

export const platformViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  webhookUrl: z.string(),
  contactEmail: z.string(),
  status: z.enum(['active', 'disabled']),
  createdAt: z.string(),
  secretsRotatedAt: z.string().nullable(),
  deliveryHealth: platformDeliveryHealthSchema,
});

export const platformSecretsViewSchema = z.object({
  platform: platformViewSchema,
  notificationSecret: z.string().describe('We sign webhooks to you with this; verify them with it'),
  responseSecret: z.string().describe('Sign your answers to us with this'),
  previousSecretsValidUntil: z.string().nullable(),
});

export type PlatformSecretsViewBody = z.infer<typeof platformSecretsViewSchema>;

/** The 201 of a registration: the secrets, and the platform's app client for the platform-side API (shown once). */
export const registeredPlatformSchema = platformSecretsViewSchema.extend({
  machineClient: z
    .object({
      clientId: z.string(),
      clientSecret: z.string().describe('Shown only in this answer; Tenggat does not keep it'),
      tokenUrl: z.string().describe('POST client_credentials here for a takedown/platform token'),
    })
    .describe("The platform's client-credentials app client (scope takedown/platform)"),
});
export type RegisteredPlatformBody = z.infer<typeof registeredPlatformSchema>;
export type PlatformViewBody = z.infer<typeof platformViewSchema>;
