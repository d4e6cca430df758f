/**
 * Shared helpers for end-to-end tests against the local cloud started by `global-setup.ts` (one per vitest run).
 * Everything goes through HTTP, as an agency, a platform or an operator would.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { inject } from 'vitest';

export interface E2eClient {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  agency?: string;
}

/** What the global setup hands to every e2e test file (the shape of `.tenggat/local.json` plus the log path). */
export interface E2eCloud {
  apiUrl: string;
  /** The web console, on the API's origin. */
  consoleUrl: string;
  tokenUrl: string;
  awsEndpoint: string;
  dynamodbEndpoint: string;
  clients: Record<string, E2eClient>;
  platforms: Record<string, { webhookUrl: string; notificationSecret: string; responseSecret: string }>;
  /** Every line the local cloud logged (progress lines included), one per line. */
  progressLogPath: string;
  /** `.tenggat/local.json` of this cloud: it gains the staff users made at run time. */
  localJsonPath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    tenggatCloud: E2eCloud;
    /** The same stack under the `fast-points` policy (SAMAN's points fine). */
    tenggatPointsCloud: E2eCloud;
  }
}

export class E2eHarnessError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'E2eHarnessError';
  }
}

export const AGENCY = 'komdigi-ais';
export const OTHER_AGENCY = 'polri-siber';
export const OPERATOR = 'tenggat-operator';
export const SANDBOX_PLATFORM = 'michat-sandbox';
export const STATE_MACHINE_ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:Tenggat-OrderWorkflow';

export function cloud(): E2eCloud {
  const provided = inject('tenggatCloud');
  if (!provided) throw new E2eHarnessError('no local cloud: run e2e tests through the vitest "e2e" project');
  return provided;
}

/** The cloud whose policy fines by SAMAN's points model (`fast-points`). */
export function pointsCloud(): E2eCloud {
  const provided = inject('tenggatPointsCloud');
  if (!provided) throw new E2eHarnessError('no points cloud: run e2e tests through the vitest "e2e" project');
  return provided;
}

const tokens = new Map<string, { token: string; expiresAt: number }>();

/** An access token for a client declared in `config/agencies.json` (client credentials, HTTP Basic). */
export async function getToken(clientName: string, target: E2eCloud = cloud()): Promise<string> {
  const key = `${target.tokenUrl}#${clientName}`;
  const cached = tokens.get(key);
  if (cached && cached.expiresAt > Date.now() + 60_000) return cached.token;
  const client = target.clients[clientName];
  if (!client) throw new E2eHarnessError(`no client ${clientName} in the local cloud`);
  const response = await fetch(target.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  const body = (await response.json()) as { access_token?: string; expires_in?: number };
  if (!response.ok || !body.access_token)
    throw new E2eHarnessError(`token for ${clientName}: ${response.status} ${JSON.stringify(body)}`);
  tokens.set(key, { token: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 });
  return body.access_token;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** One call to the REST API; `token` is a bearer token or a client name (then a token is fetched). */
export async function api<T = Record<string, unknown>>(
  method: string,
  path: string,
  options: {
    token?: string;
    as?: string;
    body?: unknown;
    headers?: Record<string, string>;
    target?: E2eCloud;
  } = {},
): Promise<ApiResponse<T>> {
  const target = options.target ?? cloud();
  const token = options.token ?? (options.as ? await getToken(options.as, target) : undefined);
  const headers: Record<string, string> = { ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${target.apiUrl}${path}`, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    // not JSON: keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T };
}

export interface ItemView {
  id: string;
  kind: string;
  locator: string;
  status: string;
  outcome: string | null;
  reason: { code: string; explanation: string } | null;
  answeredAt: string | null;
  actedAt: string | null;
  onTime: boolean | null;
  deadlineAt: string | null;
  fineAccrued: number;
}

export interface OrderView {
  id: string;
  agencyId: string;
  platformId: string;
  status: string;
  stage: string;
  urgency: string;
  createdAt: string;
  servedAt: string | null;
  servedVia: 'webhook' | 'email' | null;
  notifiedAt: string | null;
  deadlineAt: string | null;
  clockPausedSince: string | null;
  executionArn: string | null;
  webhookHealth: { state: string; lastError: string | null; lastHttpStatus: number | null };
  clarification: { seq: number; question: string; answer: string | null; receivedAt: string | null } | null;
  clarifications: { seq: number; question: string; answer: string | null; receivedAt: string | null }[];
  notices: {
    id: string;
    event: string;
    stage: string;
    webhook: { state: string; attempts: number };
    email: { state: string; sentAt: string | null };
  }[];
  itemCounts: { total: number; pending: number; resolved: number; disputed: number; withdrawn: number };
  /** Items written so far: grows while a large order is `accepting`. */
  itemsAccepted: number;
  items: ItemView[];
  stageHistory: { stage: string; at: string; deadlineAt: string | null }[];
  deliveries: {
    at: string;
    noticeId: string | null;
    channel: 'webhook' | 'email';
    event: string;
    stage: string;
    attempt: number;
    webhookId: string;
    httpStatus: number | null;
    error: string | null;
  }[];
  fine: { currency: string; accrued: number };
  withdrawal: { reason: string; at: string } | null;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: { kind: string; id: string; officer?: string };
  action: string;
  stage: string;
  details: Record<string, unknown>;
}

export function orderBody(overrides: Record<string, unknown> = {}, itemCount = 2): Record<string, unknown> {
  const run = randomBytes(4).toString('hex');
  return {
    platformId: SANDBOX_PLATFORM,
    category: 'gambling',
    legalBasis: ['UU ITE Pasal 27 ayat (2)'],
    reason: 'Online gambling promotion reported by the public.',
    reference: `E2E/${run}`,
    officer: 'Test Officer',
    items: Array.from({ length: itemCount }, (_, index) => ({
      kind: 'url',
      locator: `https://example.test/${run}/${index + 1}`,
    })),
    ...overrides,
  };
}

/** Submits an order as `agency` (default komdigi-ais); expects 201 unless `expectStatus` says otherwise. */
export async function submitOrder(
  body: Record<string, unknown> = orderBody(),
  options: { as?: string; idempotencyKey?: string; target?: E2eCloud } = {},
): Promise<ApiResponse<OrderView>> {
  return api<OrderView>('POST', '/v1/takedown-requests', {
    as: options.as ?? AGENCY,
    body,
    headers: { 'idempotency-key': options.idempotencyKey ?? randomUUID() },
    target: options.target,
  });
}

export async function getOrder(orderId: string, as = AGENCY, target?: E2eCloud): Promise<OrderView> {
  const response = await api<OrderView>('GET', `/v1/takedown-requests/${orderId}`, { as, target });
  if (response.status !== 200)
    throw new E2eHarnessError(`GET order ${orderId}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

export async function getAudit(orderId: string, as = AGENCY, target?: E2eCloud): Promise<AuditEntry[]> {
  const entries: AuditEntry[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const response = await api<{ items: AuditEntry[]; nextCursor: string | null }>(
      'GET',
      `/v1/takedown-requests/${orderId}/audit${query}`,
      { as, target },
    );
    if (response.status !== 200)
      throw new E2eHarnessError(`GET audit ${orderId}: ${response.status} ${JSON.stringify(response.body)}`);
    entries.push(...response.body.items);
    cursor = response.body.nextCursor;
  } while (cursor);
  return entries;
}

/** A platform's client-credentials app client for the platform-side API, as its registration answers it once. */
export interface MachineClient {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
}

/** Registers a platform as the operator; returns its secrets and its app client (shown once). */
export async function registerPlatform(
  webhookUrl: string,
  id = `e2e-${randomBytes(5).toString('hex')}`,
  target?: E2eCloud,
): Promise<{ id: string; notificationSecret: string; responseSecret: string; machineClient: MachineClient }> {
  const response = await api<{
    notificationSecret: string;
    responseSecret: string;
    machineClient: MachineClient;
  }>('POST', '/v1/platforms', {
    as: OPERATOR,
    body: { id, name: `E2E platform ${id}`, webhookUrl, contactEmail: 'e2e@example.com' },
    target,
  });
  if (response.status !== 201)
    throw new E2eHarnessError(`register ${id}: ${response.status} ${JSON.stringify(response.body)}`);
  return { id, ...response.body };
}

// The platform receiver (a platform of our own on loopback) lives in its own module.
export * from './platform-receiver';

/** Polls until `predicate` returns a truthy value; returns it. */
export async function waitFor<T>(
  predicate: () => Promise<T | undefined | null | false> | T | undefined | null | false,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 20_000);
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline)
      throw new E2eHarnessError(`timed out waiting for ${options.what ?? 'a condition'}`, {
        cause: lastError,
      });
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}

export async function waitForOrder(
  orderId: string,
  accept: (order: OrderView) => boolean,
  options: { timeoutMs?: number; as?: string; target?: E2eCloud; what?: string } = {},
): Promise<OrderView> {
  return waitFor(
    async () => {
      const order = await getOrder(orderId, options.as, options.target);
      return accept(order) ? order : undefined;
    },
    { timeoutMs: options.timeoutMs, what: options.what ?? `order ${orderId}` },
  );
}

export interface BusEvent {
  id: string;
  time: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: { orderId?: string; platformId?: string } & Record<string, unknown>;
  receivedAt: string;
}

/** EventBridge events the local cloud recorded (`GET /_local/events`), oldest first. */
export async function listEvents(
  filter: { detailType?: string; orderId?: string } = {},
  target: E2eCloud = cloud(),
): Promise<BusEvent[]> {
  const query = filter.detailType ? `?detailType=${encodeURIComponent(filter.detailType)}` : '';
  const response = await fetch(`${target.awsEndpoint}/_local/events${query}`);
  const body = (await response.json()) as { events: BusEvent[] };
  return filter.orderId
    ? body.events.filter((event) => event.detail.orderId === filter.orderId)
    : body.events;
}

/** A Step Functions client pointed at the local cloud's AWS endpoint. */
export function sfnClient(target: E2eCloud = cloud()): SFNClient {
  return new SFNClient({
    endpoint: target.awsEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'e2e', secretAccessKey: 'e2e' },
  });
}

/** Every line the local cloud logged so far. */
export function progressLog(target: E2eCloud = cloud()): string[] {
  return readFileSync(target.progressLogPath, 'utf8').split('\n').filter(Boolean);
}

/** Seconds of an ISO 8601 duration as the `fast` policy writes them (`PT6S`, `PT1M`). */
export function durationSeconds(iso: string): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?$/.exec(iso);
  if (!match) throw new E2eHarnessError(`unsupported duration ${iso}`);
  return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Number(match[3] ?? 0);
}

export const fastPolicy = JSON.parse(readFileSync('config/policies/fast.json', 'utf8')) as {
  deadlines: Record<'urgent' | 'standard', { order: string; st1: string; st2: string }>;
  deliveryRetrySchedule: string[];
  serviceGracePeriod: Record<'urgent' | 'standard', string>;
  maxClarifications: number;
  warnAt: number[];
  intakeStallPeriod: string;
  fine: { perItemPerPeriod: number; accrualPeriod: string; capPerItem: number };
};

/** Waits until the order's execution ended (every event its steps publish is on the bus by then); its status. */
export async function waitForExecutionEnd(
  orderId: string,
  target: E2eCloud = cloud(),
  timeoutMs = 20_000,
): Promise<string> {
  const client = sfnClient(target);
  const executionArn = `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${orderId}`;
  return waitFor(
    async () => {
      const { status } = await client.send(new DescribeExecutionCommand({ executionArn }));
      return status !== 'RUNNING' ? status : undefined;
    },
    { timeoutMs, what: `the execution of ${orderId} to end` },
  );
}

export interface OutboxEmail {
  messageId: string;
  sentAt: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number }[];
}

/** Every email the local cloud sent (SES and SNS email subscriptions), oldest first. */
export async function listEmails(
  filter: { to?: string } = {},
  target: E2eCloud = cloud(),
): Promise<OutboxEmail[]> {
  const query = filter.to ? `?to=${encodeURIComponent(filter.to)}` : '';
  const response = await fetch(`${target.awsEndpoint}/_local/emails${query}`);
  return ((await response.json()) as { emails: OutboxEmail[] }).emails;
}

/**
 * Makes a function's next `failures` invocations crash (`PUT /_local/faults`); with `payloadContains` (an order id)
 * only that order's, so that tests sharing the cloud are not touched.
 */
export async function injectFaults(
  functionName: string,
  failures: number,
  payloadContains?: string,
  target: E2eCloud = cloud(),
) {
  const response = await fetch(`${target.awsEndpoint}/_local/faults`, {
    method: 'PUT',
    body: JSON.stringify({ functionName, failures, ...(payloadContains ? { payloadContains } : {}) }),
  });
  if (!response.ok) throw new E2eHarnessError(`faults for ${functionName}: ${response.status}`);
}

/** Runs a schedule of the template now and answers what its target returned. */
export async function runSchedule(
  name: string,
  target: E2eCloud = cloud(),
): Promise<Record<string, unknown>> {
  const response = await fetch(`${target.awsEndpoint}/_local/schedules/${name}/run`, { method: 'POST' });
  if (!response.ok)
    throw new E2eHarnessError(`schedule ${name}: ${response.status} ${await response.text()}`);
  return (await response.json()) as Record<string, unknown>;
}

/** The ARN of an order's first execution (named by the order id). */
export const executionArnOf = (orderId: string, name = orderId): string =>
  `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${name}`;

/** The text of a PDF (a letter), read back with `pdftotext` from Debian's poppler-utils (installed when missing). */
export { pdfText } from '../functions/letters/poppler';
