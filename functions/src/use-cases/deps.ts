import type { PolicyDocument } from '../domain/policy';
import type { WebhookUrlRules } from '../domain/webhook-url-policy';
import type {
  ChainSigner,
  Clock,
  EventPublisher,
  ExecutionReader,
  IdempotencyStore,
  IdGenerator,
  IntakeBodies,
  IntakeStarter,
  Mailer,
  OpenLocatorIndex,
  OrderList,
  OrderRepository,
  PlatformClients,
  PlatformOrderIndex,
  PlatformRepository,
  ReportFiles,
  ReportStore,
  SecretStore,
  StaffDirectory,
  SubscriptionRepository,
  SubscriptionSecretStore,
  WebhookSender,
  WorkflowGateway,
} from '../ports';

/** Everything a use case may depend on; each use case picks what it needs. */
export interface Deps {
  orders: OrderRepository;
  /** The order list's merged, bounded queries (GET /v1/takedown-requests). */
  orderList: OrderList;
  /** The open-locators index, for duplicate detection on submit. */
  openLocators: OpenLocatorIndex;
  platforms: PlatformRepository;
  /** The orders addressed to each platform (`byPlatform`). */
  platformOrders: PlatformOrderIndex;
  /** Each platform's app clients in the machine user pool. */
  platformClients: PlatformClients;
  /** Agency Idempotency-Key records (IDEMPOTENCY#...). */
  idempotency: IdempotencyStore;
  /** Platform webhook-id records (WEBHOOK#...). */
  webhookIds: IdempotencyStore;
  secrets: SecretStore;
  workflow: WorkflowGateway;
  /** Reads executions for the operator's execution view. */
  executions: ExecutionReader;
  /** False on the local cloud (`TENGGAT_LOCAL=true`): links to the AWS console lead nowhere there. */
  deployed: boolean;
  events: EventPublisher;
  webhooks: WebhookSender;
  clock: Clock;
  ids: IdGenerator;
  policy: PolicyDocument;
  webhookRules: WebhookUrlRules;
  /** Resolves a host name to its addresses, checked before every delivery. */
  resolveHost: (hostname: string) => Promise<string[]>;
  /** Verifies audit chain heads on read; null where the function has no key (heads are then reported unsigned). */
  chainSigner: ChainSigner | null;
  /** Sends the fallback notice emails. */
  mailer: Mailer;
  /** Where platforms answer (printed in notice emails), and the web console when there is one. */
  links: { apiUrl: string; portalUrl: string | null };
  /** Orders by creation time and the letters issued (statistics, exports, letters, verification). */
  reports: ReportStore;
  /** Where files too large for a Lambda response go; null where no bucket is configured. */
  reportFiles: ReportFiles | null;
  /** Agency subscriptions and their signing secrets. */
  subscriptions: SubscriptionRepository;
  subscriptionSecrets: SubscriptionSecretStore;
  /** Orders with more items than this are accepted in the background (`tenggat:asyncIntakeItems`). */
  asyncIntakeItems: number;
  /** The bodies of orders accepted in the background. */
  intakeBodies: IntakeBodies;
  /** Starts (or resumes) the background intake of an accepting order. */
  intake: IntakeStarter;
  /** The people's user pool: platform groups and staff users. */
  staff: StaffDirectory;
}
