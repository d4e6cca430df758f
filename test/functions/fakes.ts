import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { DEFAULT_ASYNC_INTAKE_ITEMS, type IntakeRequest } from '../../functions/src/domain/intake';
import type { NewOrder } from '../../functions/src/domain/new-order';
import { NO_DELIVERY_HEALTH, platformHealthAfter } from '../../functions/src/domain/platform-health';
import type { PolicyDocument } from '../../functions/src/domain/policy';
import type {
  PlatformDeliveryOutcome,
  PlatformRecord,
  PlatformSecrets,
} from '../../functions/src/domain/records';
import { type ExecutionState, executionArnFor } from '../../functions/src/domain/recovery';
import type {
  ChainSigner,
  DomainEvent,
  IdempotencyClaim,
  IdempotencyStore,
  IdempotentResult,
  IntakeBodies,
  IntakeStarter,
  Mailer,
  OutgoingEmail,
  PlatformRepository,
  SecretStore,
  WebhookRequest,
  WebhookResult,
  WebhookSender,
  WorkflowGateway,
} from '../../functions/src/ports';
import type { Deps } from '../../functions/src/use-cases/deps';
import { RecordedExecutions } from './fake-executions';
import { FakePlatformClients, InMemoryPlatformOrders } from './fake-platform-api';
import { InMemoryStaffDirectory } from './fake-staff';
import { InMemoryOrders, InMemoryReportFiles, InMemoryReports } from './fake-stores';
import { InMemorySubscriptionSecrets, InMemorySubscriptions } from './fake-subscriptions';
import { DEFAULT_POLICY } from './policy-fixture';

const clone = <T>(value: T): T => structuredClone(value);

/** A P-256 key in memory, signing like KMS ECDSA_SHA_256 (DER signatures, base64). */
export class InMemoryChainSigner implements ChainSigner {
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  constructor(readonly keyId = 'test-audit-key') {}
  async sign(message: Uint8Array) {
    return { keyId: this.keyId, signature: sign('sha256', message, this.keys.privateKey).toString('base64') };
  }
  async verify(message: Uint8Array, signature: string) {
    return verify('sha256', message, this.keys.publicKey, Buffer.from(signature, 'base64'));
  }
}

export { InMemoryOrders, InMemoryReportFiles, InMemoryReports } from './fake-stores';

export class InMemoryPlatforms implements PlatformRepository {
  platforms = new Map<string, PlatformRecord>();
  async get(platformId: string) {
    const platform = this.platforms.get(platformId);
    return platform ? clone(platform) : null;
  }
  async create(platform: PlatformRecord) {
    if (this.platforms.has(platform.platformId)) return false;
    this.platforms.set(platform.platformId, clone(platform));
    return true;
  }
  async update(platformId: string, set: Partial<PlatformRecord>) {
    const platform = this.platforms.get(platformId);
    if (platform) this.platforms.set(platformId, { ...platform, ...set });
  }
  async list() {
    return [...this.platforms.values()];
  }
  async recordDelivery(platformId: string, outcome: PlatformDeliveryOutcome) {
    const platform = this.platforms.get(platformId);
    if (!platform) return;
    const health = platformHealthAfter(platform.deliveryHealth ?? NO_DELIVERY_HEALTH, outcome);
    this.platforms.set(platformId, { ...platform, deliveryHealth: health });
  }
}

export class InMemoryIdempotency implements IdempotencyStore {
  records = new Map<
    string,
    {
      requestHash: string;
      payload: Record<string, unknown>;
      leaseUntil: number;
      stored: IdempotentResult | null;
    }
  >();
  constructor(private readonly clock: FakeClock) {}
  async claim(input: {
    key: string;
    requestHash: string;
    payload: Record<string, unknown>;
    leaseMs: number;
  }): Promise<IdempotencyClaim> {
    const now = this.clock.now().getTime();
    const record = this.records.get(input.key);
    if (!record) {
      this.records.set(input.key, {
        requestHash: input.requestHash,
        payload: input.payload,
        leaseUntil: now + input.leaseMs,
        stored: null,
      });
      return { state: 'claimed', payload: input.payload };
    }
    if (record.requestHash !== input.requestHash) return { state: 'reused' };
    if (record.stored)
      return { state: 'completed', requestHash: record.requestHash, stored: clone(record.stored) };
    if (record.leaseUntil > now) return { state: 'in_flight' };
    record.leaseUntil = now + input.leaseMs;
    return { state: 'claimed', payload: record.payload };
  }
  async complete(key: string, stored: IdempotentResult) {
    const record = this.records.get(key);
    if (record) record.stored = clone(stored);
  }
  async release(key: string) {
    this.records.delete(key);
  }
}

export class InMemorySecrets implements SecretStore {
  secrets = new Map<string, PlatformSecrets>();
  async get(platformId: string) {
    const value = this.secrets.get(platformId);
    return value ? clone(value) : null;
  }
  async put(platformId: string, secrets: PlatformSecrets) {
    this.secrets.set(platformId, clone(secrets));
  }
}

/** The intake bodies bucket: kept in memory, handed out as copies. */
export class InMemoryIntakeBodies implements IntakeBodies {
  bodies = new Map<string, NewOrder>();
  async put(key: string, order: NewOrder) {
    this.bodies.set(key, clone(order));
  }
  async get(key: string) {
    const body = this.bodies.get(key);
    return body ? clone(body) : null;
  }
}

/** The asynchronous invoke of the intake function: kept, for the test to run (or not) as Lambda would. */
export class RecordingIntake implements IntakeStarter {
  requests: IntakeRequest[] = [];
  async start(request: IntakeRequest) {
    this.requests.push({ ...request });
  }
  /** Takes the requests made so far (the next ones are kept anew). */
  take(): IntakeRequest[] {
    return this.requests.splice(0);
  }
}

export const TEST_STATE_MACHINE_ARN =
  'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow';

/** Step Functions as the use cases see it: executions by ARN with a status each; starts, wakes and redrives kept. */
export class RecordingWorkflow implements WorkflowGateway {
  started: string[] = [];
  woken: { taskToken: string; output: Record<string, unknown> }[] = [];
  redriven: string[] = [];
  executions = new Map<string, ExecutionState>();
  executionArnOf(name: string) {
    return executionArnFor(TEST_STATE_MACHINE_ARN, name);
  }
  async start(orderId: string, options: { name?: string } = {}) {
    const name = options.name ?? orderId;
    if (!this.started.includes(name)) this.started.push(name);
    const arn = this.executionArnOf(name);
    if (!this.executions.has(arn))
      this.executions.set(arn, { status: 'RUNNING', stopDate: null, redriveStatus: null });
    return arn;
  }
  async wake(taskToken: string, output: Record<string, unknown>) {
    this.woken.push({ taskToken, output });
  }
  async describe(executionArn: string): Promise<ExecutionState> {
    return this.executions.get(executionArn) ?? { status: 'NOT_FOUND' };
  }
  async redrive(executionArn: string) {
    this.redriven.push(executionArn);
    this.executions.set(executionArn, { status: 'RUNNING', stopDate: null, redriveStatus: null });
  }
  async listRunning() {
    return new Set(
      [...this.executions].filter(([, state]) => state.status === 'RUNNING').map(([arn]) => arn),
    );
  }
}

/** SES as the email use case sees it: keeps every message; `failNext` makes the next sends throw. */
export class RecordingMailer implements Mailer {
  sent: (OutgoingEmail & { messageId: string })[] = [];
  failNext = 0;
  async send(email: OutgoingEmail) {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw Object.assign(new Error('Email address is not verified.'), { name: 'MessageRejected' });
    }
    const messageId = `ses-${this.sent.length + 1}`;
    this.sent.push({ ...email, messageId });
    return { messageId };
  }
}

/** A platform endpoint: answers with the next queued status (200 when none is queued) and keeps what it got. */
export class FakePlatformEndpoint implements WebhookSender {
  received: WebhookRequest[] = [];
  statuses: { status: number | null; retryAfter?: number }[] = [];
  async send(request: WebhookRequest): Promise<WebhookResult> {
    this.received.push(request);
    const next = this.statuses.shift() ?? { status: 200 };
    return {
      httpStatus: next.status,
      latencyMs: 12,
      retryAfterSeconds: next.retryAfter ?? null,
      error: next.status === null ? 'connection refused' : null,
    };
  }
}

export class FakeClock {
  // Starts at the real time: Standard Webhooks signatures are checked against the system clock.
  constructor(private current = new Date(Math.floor(Date.now() / 1000) * 1000)) {}
  now() {
    return new Date(this.current);
  }
  advance(ms: number) {
    this.current = new Date(this.current.getTime() + ms);
  }
  set(date: Date) {
    this.current = new Date(date);
  }
}

export interface TestWorld {
  deps: Deps;
  orders: InMemoryOrders;
  platforms: InMemoryPlatforms;
  secrets: InMemorySecrets;
  workflow: RecordingWorkflow;
  mailer: RecordingMailer;
  published: DomainEvent[];
  endpoint: FakePlatformEndpoint;
  clock: FakeClock;
  intakeBodies: InMemoryIntakeBodies;
  intake: RecordingIntake;
  platformClients: FakePlatformClients;
  staff: InMemoryStaffDirectory;
  executions: RecordedExecutions;
}

export function testWorld(policy: PolicyDocument = DEFAULT_POLICY): TestWorld {
  const clock = new FakeClock();
  const chainSigner = new InMemoryChainSigner();
  const idempotency = new InMemoryIdempotency(clock);
  const orders = new InMemoryOrders(chainSigner, idempotency);
  const platforms = new InMemoryPlatforms();
  const secrets = new InMemorySecrets();
  const workflow = new RecordingWorkflow();
  const endpoint = new FakePlatformEndpoint();
  const mailer = new RecordingMailer();
  const published: DomainEvent[] = [];
  const intakeBodies = new InMemoryIntakeBodies();
  const intake = new RecordingIntake();
  const platformClients = new FakePlatformClients();
  const staff = new InMemoryStaffDirectory();
  const executions = new RecordedExecutions();
  let orderCounter = 0;
  const deps: Deps = {
    orders,
    orderList: orders,
    openLocators: orders,
    platforms,
    platformOrders: new InMemoryPlatformOrders(orders),
    platformClients,
    idempotency,
    webhookIds: new InMemoryIdempotency(clock),
    secrets,
    workflow,
    executions,
    deployed: true,
    events: { publish: async (events) => void published.push(...events) },
    webhooks: endpoint,
    clock,
    ids: {
      orderId: () => `order-${++orderCounter}`,
      secret: () => `whsec_${randomBytes(24).toString('base64')}`,
      subscriptionId: () => `sub_${randomBytes(12).toString('hex')}`,
    },
    policy,
    webhookRules: { allowLoopback: false, blockedPorts: [] },
    resolveHost: async () => ['93.184.216.34'],
    chainSigner,
    mailer,
    links: { apiUrl: 'https://api.tenggat.test/prod', portalUrl: null },
    reports: new InMemoryReports(orders),
    reportFiles: new InMemoryReportFiles(),
    subscriptions: new InMemorySubscriptions(),
    subscriptionSecrets: new InMemorySubscriptionSecrets(),
    asyncIntakeItems: DEFAULT_ASYNC_INTAKE_ITEMS,
    intakeBodies,
    intake,
    staff,
  };
  return {
    deps,
    orders,
    platforms,
    secrets,
    workflow,
    mailer,
    published,
    endpoint,
    clock,
    intakeBodies,
    intake,
    platformClients,
    staff,
    executions,
  };
}

/** Counts every write the fakes receive (table, idempotency, secrets, workflow, bus), for tests that must see none. */
export function countWrites(world: TestWorld): () => number {
  let writes = 0;
  const count = () => {
    writes += 1;
  };
  counting(
    world.orders,
    ['putItems', 'createOrder', 'commit', 'storeTaskToken', 'erasePersonalData', 'recordDelivery'],
    count,
  );
  counting(world.platforms, ['create', 'update'], count);
  counting(world.secrets, ['put'], count);
  counting(world.workflow, ['start', 'wake', 'redrive'], count);
  counting(world.mailer, ['send'], count);
  for (const store of [world.deps.idempotency, world.deps.webhookIds]) {
    counting(store, ['claim', 'complete', 'release'], count);
  }
  return () => writes + world.published.length;
}

function counting<T extends object>(target: T, methods: readonly (keyof T)[], count: () => void): void {
  for (const method of methods) {
    const original = target[method];
    if (typeof original !== 'function') throw new TypeError(`${String(method)} is not a method`);
    target[method] = ((...args: unknown[]) => {
      count();
      return original.apply(target, args);
    }) as T[keyof T];
  }
}
