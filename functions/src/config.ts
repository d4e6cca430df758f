import * as z from 'zod';
import { DEFAULT_ASYNC_INTAKE_ITEMS } from './domain/intake';
import { type PolicyDocument, parsePolicy } from './domain/policy';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

const envSchema = z.object({
  TABLE_NAME: z.string().min(1),
  POLICY: z.string().min(2),
  STATE_MACHINE_ARN: z.string().min(1).optional(),
  EVENT_BUS_NAME: z.string().min(1).optional(),
  AGENCY_CLIENTS: z.string().optional(),
  PLATFORM_SECRET_PREFIX: z.string().default('tenggat/platforms/'),
  PLATFORM_SECRET_KMS_KEY_ID: z.string().min(1).optional(),
  SUBSCRIPTION_SECRET_PREFIX: z.string().default('tenggat/subscriptions/'),
  SUBSCRIPTION_SECRET_KMS_KEY_ID: z.string().min(1).optional(),
  AUDIT_SIGNING_KEY_ID: z.string().min(1).optional(),
  MAIL_FROM: z.email().optional(),
  SES_CONFIGURATION_SET: z.string().min(1).optional(),
  PUBLIC_API_URL: z
    .string()
    .regex(/^https?:\/\//, 'must be an http(s) URL')
    .optional(),
  PORTAL_URL: z.url().optional(),
  REPORTS_BUCKET: z.string().min(1).optional(),
  ASYNC_INTAKE_ITEMS: z.coerce.number().int().min(0).default(DEFAULT_ASYNC_INTAKE_ITEMS),
  INTAKE_BUCKET: z.string().min(1).optional(),
  INTAKE_FUNCTION_NAME: z.string().min(1).optional(),
  MACHINE_USER_POOL_ID: z.string().min(1).optional(),
  MACHINE_TOKEN_URL: z
    .string()
    .regex(/^https?:\/\//, 'must be an http(s) URL')
    .optional(),
  STAFF_USER_POOL_ID: z.string().min(1).optional(),
  ALLOW_LOOPBACK_WEBHOOKS: z.enum(['true', 'false']).default('false'),
  BLOCKED_WEBHOOK_PORTS: z
    .string()
    .default('')
    .refine((text) => text.split(',').every((port) => port.trim() === '' || /^\d{1,5}$/.test(port.trim())), {
      message: 'must be a comma separated list of ports',
    }),
});

export interface Config {
  tableName: string;
  policy: PolicyDocument;
  stateMachineArn: string | null;
  eventBusName: string | null;
  agencyClients: Record<string, string>;
  platformSecretPrefix: string;
  /** Customer managed key for new platform secrets; the account default key when absent. */
  platformSecretKmsKeyId: string | null;
  /** Where agency subscription secrets are kept, and the key new ones are encrypted with. */
  subscriptionSecretPrefix: string;
  subscriptionSecretKmsKeyId: string | null;
  /** Asymmetric KMS key that signs audit chain heads; heads stay unsigned (and verify as such) when absent. */
  auditSigningKeyId: string | null;
  allowLoopbackWebhooks: boolean;
  blockedWebhookPorts: number[];
  /** The notice emails' sender and SES configuration set. */
  mailFrom: string | null;
  sesConfigurationSet: string | null;
  /** Where platforms answer, printed in notice emails; the web console's URL when there is one. */
  publicApiUrl: string | null;
  portalUrl: string | null;
  /** Where letters and exports too large for a Lambda response go. */
  reportsBucket: string | null;
  /** Orders with more items are accepted in the background (`tenggat:asyncIntakeItems`). */
  asyncIntakeItems: number;
  /** Where the bodies of orders accepted in the background are kept (`intake/<orderId>.json`). */
  intakeBucket: string | null;
  /** The intake function, invoked asynchronously to write an accepting order's items. */
  intakeFunctionName: string | null;
  /** The machine user pool where platforms' app clients are created, and their token URL. */
  machineUserPoolId: string | null;
  machineTokenUrl: string | null;
  /** The people's user pool (operator: platform groups and staff users). */
  staffUserPoolId: string | null;
}

export type Need =
  | 'stateMachine'
  | 'eventBus'
  | 'agencyClients'
  | 'mail'
  | 'intakeBucket'
  | 'intakeFunction'
  | 'machineClients'
  | 'staffUserPool';
interface NeededFields {
  stateMachine: 'stateMachineArn';
  eventBus: 'eventBusName';
  agencyClients: never;
  mail: 'mailFrom' | 'publicApiUrl';
  intakeBucket: 'intakeBucket';
  intakeFunction: 'intakeFunctionName';
  machineClients: 'machineUserPoolId' | 'machineTokenUrl';
  staffUserPool: 'staffUserPoolId';
}
/** The configuration with the variables a function needs known to be there. */
export type ConfigWith<N extends Need> = Config & { [K in NeededFields[N]]: string };

/** Parsed once per cold start; a missing or malformed variable stops the function before it serves anything. */
export function loadConfig<N extends Need>(env: NodeJS.ProcessEnv, needs: readonly N[]): ConfigWith<N> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigurationError(`invalid environment: ${z.prettifyError(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  const values = parsed.data;
  let agencyClients: Record<string, string> = {};
  if (values.AGENCY_CLIENTS !== undefined) {
    const result = z.record(z.string(), z.string()).safeParse(safeJson(values.AGENCY_CLIENTS));
    if (!result.success)
      throw new ConfigurationError('AGENCY_CLIENTS must be a JSON object of client id → agency id');
    agencyClients = result.data;
  }
  const config: Config = {
    tableName: values.TABLE_NAME,
    policy: parsePolicy(values.POLICY),
    stateMachineArn: values.STATE_MACHINE_ARN ?? null,
    eventBusName: values.EVENT_BUS_NAME ?? null,
    agencyClients,
    platformSecretPrefix: values.PLATFORM_SECRET_PREFIX,
    platformSecretKmsKeyId: values.PLATFORM_SECRET_KMS_KEY_ID ?? null,
    subscriptionSecretPrefix: values.SUBSCRIPTION_SECRET_PREFIX,
    subscriptionSecretKmsKeyId: values.SUBSCRIPTION_SECRET_KMS_KEY_ID ?? null,
    auditSigningKeyId: values.AUDIT_SIGNING_KEY_ID ?? null,
    allowLoopbackWebhooks: values.ALLOW_LOOPBACK_WEBHOOKS === 'true',
    blockedWebhookPorts: values.BLOCKED_WEBHOOK_PORTS.split(',')
      .map((port) => port.trim())
      .filter((port) => port !== '')
      .map(Number),
    mailFrom: values.MAIL_FROM ?? null,
    sesConfigurationSet: values.SES_CONFIGURATION_SET ?? null,
    publicApiUrl: values.PUBLIC_API_URL?.replace(/\/$/, '') ?? null,
    portalUrl: values.PORTAL_URL?.replace(/\/$/, '') ?? null,
    reportsBucket: values.REPORTS_BUCKET ?? null,
    asyncIntakeItems: values.ASYNC_INTAKE_ITEMS,
    intakeBucket: values.INTAKE_BUCKET ?? null,
    intakeFunctionName: values.INTAKE_FUNCTION_NAME ?? null,
    machineUserPoolId: values.MACHINE_USER_POOL_ID ?? null,
    machineTokenUrl: values.MACHINE_TOKEN_URL ?? null,
    staffUserPoolId: values.STAFF_USER_POOL_ID ?? null,
  };
  const needed = needs as readonly Need[];
  if (needed.includes('stateMachine') && config.stateMachineArn === null) {
    throw new ConfigurationError('STATE_MACHINE_ARN is required');
  }
  if (needed.includes('eventBus') && config.eventBusName === null)
    throw new ConfigurationError('EVENT_BUS_NAME is required');
  if (needed.includes('mail') && (config.mailFrom === null || config.publicApiUrl === null))
    throw new ConfigurationError('MAIL_FROM and PUBLIC_API_URL are required');
  if (needed.includes('intakeBucket') && config.intakeBucket === null)
    throw new ConfigurationError('INTAKE_BUCKET is required');
  if (needed.includes('intakeFunction') && config.intakeFunctionName === null)
    throw new ConfigurationError('INTAKE_FUNCTION_NAME is required');
  if (
    needed.includes('machineClients') &&
    (config.machineUserPoolId === null || config.machineTokenUrl === null)
  )
    throw new ConfigurationError('MACHINE_USER_POOL_ID and MACHINE_TOKEN_URL are required');
  if (needed.includes('staffUserPool') && config.staffUserPoolId === null)
    throw new ConfigurationError('STAFF_USER_POOL_ID is required');
  if (needed.includes('agencyClients') && values.AGENCY_CLIENTS === undefined) {
    throw new ConfigurationError('AGENCY_CLIENTS is required');
  }
  return config as ConfigWith<N>;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
