import { readFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { parseDurationMs } from '../functions/src/domain/duration';
import { DEFAULT_ASYNC_INTAKE_ITEMS } from '../functions/src/domain/intake';
import { CATEGORIES, type PolicyDocument, policyDocumentSchema } from '../functions/src/domain/policy';

/** Thrown when a configuration file is missing, unreadable or breaks its schema; synth stops with this message. */
export class ConfigurationError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConfigurationError';
  }
}

/** Converts an ISO 8601 duration such as `PT4H` or `P1D` into seconds, with the functions' own parser. */
export function durationToSeconds(duration: string): number {
  try {
    return parseDurationMs(duration) / 1000;
  } catch (cause) {
    throw new ConfigurationError(`"${duration}" is not an ISO 8601 duration like PT4H, P1D or PT30S`, {
      cause,
    });
  }
}

const identifier = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'must be lower-case letters, digits and dashes (at most 63)');

export const categories = CATEGORIES;

/** The same schema the functions apply to their `POLICY` variable: one definition, so synth refuses what they would. */
export const policySchema = policyDocumentSchema;

/** The escalation policy handed to the functions as the `POLICY` environment variable. */
export type EscalationPolicy = PolicyDocument;

const principal = z.strictObject({ id: identifier, name: z.string().min(1).max(200) });
/** Operators may give an address: the operator alerts topic subscribes it by email. */
const operator = principal.extend({ email: z.email().optional() });

export const agenciesSchema = z
  .strictObject({
    agencies: z.array(principal).min(1),
    operators: z.array(operator).min(1),
  })
  .superRefine((value, context) => {
    const seen = new Set<string>();
    for (const [index, entry] of [...value.agencies, ...value.operators].entries()) {
      if (seen.has(entry.id)) {
        context.addIssue({
          code: 'custom',
          message: `id "${entry.id}" is declared twice`,
          path: [index, 'id'],
        });
      }
      seen.add(entry.id);
    }
  });

/** Agencies (each gets an app client) and operators (each gets an admin client). */
export type AgencyDeclaration = z.infer<typeof agenciesSchema>;

/** Everything the stack reads from configuration and CDK context. */
export interface TenggatConfig {
  readonly agencies: AgencyDeclaration;
  readonly policy: EscalationPolicy;
  /** Lets webhook URLs use `http://` on loopback addresses (local cloud only). */
  readonly allowLoopbackWebhooks: boolean;
  /** Loopback ports a webhook URL may never use (the local cloud's own). */
  readonly blockedWebhookPorts: readonly number[];
  /** Sender of the notice emails; its domain is the SES identity. */
  readonly mailFrom: string;
  /** Base URL platforms answer to, printed in notice emails; null = the API stage URL. */
  readonly publicApiUrl: string | null;
  /** Orders with more items are accepted in the background (202, status `accepting`). */
  readonly asyncIntakeItems: number;
  /** The token URL handed to platforms' app clients; null = the machine pool domain's `/oauth2/token`. */
  readonly tokenUrl: string | null;
}

/** Where to find the configuration and which context values were given. */
export interface LoadConfigOptions {
  /** Folder holding `agencies.json` and `policies/`. @default `<cwd>/config` */
  readonly configDirectory?: string;
  /** Value of context `tenggat:policy`: a policy name under `policies/` or a path to a JSON file. @default 'default' */
  readonly policy?: unknown;
  /** Value of context `tenggat:allowLoopbackWebhooks` (boolean or "true"/"false"). @default false */
  readonly allowLoopbackWebhooks?: unknown;
  /** Value of context `tenggat:blockedWebhookPorts` (comma list or array of ports). @default none */
  readonly blockedWebhookPorts?: unknown;
  /** Value of context `tenggat:mailFrom`. @default DEFAULT_MAIL_FROM */
  readonly mailFrom?: unknown;
  /** Value of context `tenggat:publicApiUrl` (an https URL, or http on loopback). @default the API stage URL */
  readonly publicApiUrl?: unknown;
  /** Value of context `tenggat:asyncIntakeItems` (a whole number of items). @default DEFAULT_ASYNC_INTAKE_ITEMS */
  readonly asyncIntakeItems?: unknown;
  /** Value of context `tenggat:tokenUrl` (an https URL, or http on loopback). @default the pool domain's */
  readonly tokenUrl?: unknown;
}

export const DEFAULT_MAIL_FROM = 'takedown@tenggat.example';

function parseMailFrom(value: unknown): string {
  if (value === undefined || value === null || value === '') return DEFAULT_MAIL_FROM;
  const parsed = z.email().safeParse(value);
  if (!parsed.success) {
    throw new ConfigurationError(
      `Context tenggat:mailFrom must be an email address, got ${JSON.stringify(value)}`,
    );
  }
  return parsed.data;
}

function parsePublicApiUrl(value: unknown, name = 'tenggat:publicApiUrl'): string | null {
  if (value === undefined || value === null || value === '') return null;
  let url: URL;
  try {
    url = new URL(String(value));
  } catch (cause) {
    throw new ConfigurationError(`Context ${name} must be a URL, got ${JSON.stringify(value)}`, {
      cause,
    });
  }
  const loopback = url.hostname === '127.0.0.1' || url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !(loopback && url.protocol === 'http:')) {
    throw new ConfigurationError(`Context ${name} must use https (http only on loopback)`);
  }
  return url.toString().replace(/\/$/, '');
}

function parseAsyncIntakeItems(value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_ASYNC_INTAKE_ITEMS;
  const items = Number(value);
  if (!Number.isInteger(items) || items < 0) {
    throw new ConfigurationError(
      `Context tenggat:asyncIntakeItems must be a whole number of items, got ${JSON.stringify(value)}`,
    );
  }
  return items;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `  - ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new ConfigurationError(`Cannot read ${what} at ${path}`, { cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError(`${what} at ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function parseWith<T>(schema: z.ZodType<T>, value: unknown, what: string, path: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ConfigurationError(`${what} at ${path} is invalid:\n${describeIssues(parsed.error)}`, {
      cause: parsed.error,
    });
  }
  return parsed.data;
}

function resolvePolicyPath(configDirectory: string, policy: unknown): string {
  const choice = policy === undefined || policy === null || policy === '' ? 'default' : policy;
  if (typeof choice !== 'string') {
    throw new ConfigurationError('Context tenggat:policy must be a policy name or a path to a JSON file');
  }
  if (/^[a-z0-9-]+$/.test(choice)) {
    return join(configDirectory, 'policies', `${choice}.json`);
  }
  return isAbsolute(choice) ? choice : resolve(choice);
}

function parseBoolean(value: unknown, key: string): boolean {
  if (value === undefined || value === null || value === false || value === 'false') return false;
  if (value === true || value === 'true') return true;
  throw new ConfigurationError(`Context ${key} must be true or false, got ${JSON.stringify(value)}`);
}

function parsePorts(value: unknown): number[] {
  if (value === undefined || value === null || value === '') return [];
  const parts = Array.isArray(value) ? value : String(value).split(',');
  return parts.map((part) => {
    const port = Number(String(part).trim());
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new ConfigurationError(
        `Context tenggat:blockedWebhookPorts must be a comma list of ports, got ${JSON.stringify(value)}`,
      );
    }
    return port;
  });
}

/** Reads and validates `agencies.json`, the chosen policy and the context switches. */
export function loadConfig(options: LoadConfigOptions = {}): TenggatConfig {
  const configDirectory = options.configDirectory ?? join(process.cwd(), 'config');
  const agenciesPath = join(configDirectory, 'agencies.json');
  const agencies = parseWith(
    agenciesSchema,
    readJsonFile(agenciesPath, 'Agency declaration'),
    'Agency declaration',
    agenciesPath,
  );
  const policyPath = resolvePolicyPath(configDirectory, options.policy);
  const policy = parseWith(
    policySchema,
    readJsonFile(policyPath, 'Escalation policy'),
    'Escalation policy',
    policyPath,
  );
  return {
    agencies,
    policy,
    allowLoopbackWebhooks: parseBoolean(options.allowLoopbackWebhooks, 'tenggat:allowLoopbackWebhooks'),
    blockedWebhookPorts: parsePorts(options.blockedWebhookPorts),
    mailFrom: parseMailFrom(options.mailFrom),
    publicApiUrl: parsePublicApiUrl(options.publicApiUrl),
    asyncIntakeItems: parseAsyncIntakeItems(options.asyncIntakeItems),
    tokenUrl: parsePublicApiUrl(options.tokenUrl, 'tenggat:tokenUrl'),
  };
}
