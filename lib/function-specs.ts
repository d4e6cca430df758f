/** One row per Lambda function: its entry, budget, size, time and the grants it needs (least privilege). */
import { Duration } from 'aws-cdk-lib';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** The CDK ids of the design contract; also the functions' logical ids in the template. */
export const FUNCTION_IDS = [
  'SubmitOrderFunction',
  'ReadOrdersFunction',
  'WithdrawOrderFunction',
  'ReviewItemsFunction',
  'PlatformResponsesFunction',
  'OperatorFunction',
  'WorkflowStepFunction',
  'DeliverWebhookFunction',
  'EmailNoticeFunction',
  'ReconcilerFunction',
  'ClarificationsFunction',
  'ReportsFunction',
  'SubscriptionsFunction',
  'DeliverSubscriptionsFunction',
  'IntakeFunction',
  'PlatformApiFunction',
] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

/** Every function reads by key or query: none may scan the table. */
export type TableAccess = 'read' | 'readWrite';
export type Capability =
  | 'startExecution'
  | 'sendTaskResult'
  | 'publishEvents'
  | 'readSecrets'
  | 'manageSecrets'
  | 'agencyClients'
  | 'webhookUrls'
  /** Appends audit events: signs the new chain head (kms:Sign on the audit signing key only). */
  | 'signAudit'
  /** Reads the audit trail: verifies the chain head (kms:Verify, kms:GetPublicKey). */
  | 'verifyAudit'
  /** Sends notice emails through SES v2 with the notice identity and configuration set. */
  | 'sendEmail'
  /** Queries the open-locators index (duplicate detection on submit). */
  | 'findDuplicates'
  /** Reads the open-orders index and inspects, starts and redrives order executions. */
  | 'recoverExecutions'
  /** Reads an order execution, its definition and history (the operator's execution view); changes none. */
  | 'readExecutions'
  /** Renders letters: the DejaVu fonts are copied into the bundle (`fonts/`), and PUBLIC_API_URL is set. */
  | 'letters'
  /** Puts large letters and exports in the reports bucket and presigns GETs of them (REPORTS_BUCKET). */
  | 'reportFiles'
  /** Creates and deletes agency subscription secrets (`tenggat/subscriptions/*`), encrypted with the data key. */
  | 'manageSubscriptionSecrets'
  /** Reads agency subscription secrets, to sign with. */
  | 'readSubscriptionSecrets'
  /** Keeps the bodies of large orders: s3:PutObject under `intake/` of the reports bucket (INTAKE_BUCKET). */
  | 'keepIntakeBodies'
  /** Reads them back: s3:GetObject under `intake/` (INTAKE_BUCKET). */
  | 'readIntakeBodies'
  /** Invokes the intake function asynchronously (lambda:InvokeFunction on it only; INTAKE_FUNCTION_NAME). */
  | 'startIntake'
  /** Queries the `byPlatform` index (the orders addressed to a platform). */
  | 'platformOrders'
  /** Creates platforms' app clients in the machine user pool (MACHINE_USER_POOL_ID, MACHINE_TOKEN_URL). */
  | 'machineClients';

export interface FunctionSpec {
  readonly entry: string;
  /**
   * The most its minified `index.js` may weigh, in bytes (`test/infra/function-bundles.test.ts`): today's size plus
   * about 10 KB, so that a new client or library shows up. Issue 11's targets (500 KB, half of them 300 KB) cannot be
   * met with the AWS SDK in the bundle (see docs/architecture.md, "Bundles").
   */
  readonly bundleBudget: number;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly table: TableAccess;
  readonly capabilities: readonly Capability[];
}

// Least privilege, one row per function: who writes the table, who starts or wakes executions, who sees secrets.
export const FUNCTION_SPECS: Record<FunctionId, FunctionSpec> = {
  SubmitOrderFunction: {
    entry: 'submit-order.ts',
    // Duplicate detection and the fine indices (771,213 bytes on main), with the S3 client (large orders' bodies,
    // about 170 KB) and the Lambda client (the intake invoke, about 65 KB).
    bundleBudget: 1_020_000,
    description: 'POST /v1/takedown-requests: writes items then the order marker, starts the execution',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    // Large orders: keeps the body and hands the items to the intake function.
    capabilities: [
      'startExecution',
      'agencyClients',
      'signAudit',
      'findDuplicates',
      'keepIntakeBodies',
      'startIntake',
    ],
  },
  ReadOrdersFunction: {
    entry: 'read-orders.ts',
    // The item views' fine breakdown and `duplicate`: 730,427 bytes; the console's search (the merged order list,
    // reference and locator lookups): 737,844.
    bundleBudget: 745_000,
    description: 'GET /v1/takedown-requests[/{id}[/items|/audit]]: an agency reads its own orders',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'read',
    capabilities: ['agencyClients', 'verifyAudit'],
  },
  WithdrawOrderFunction: {
    entry: 'withdraw-order.ts',
    // A person's username as the officer, and config.ts reading the pools' ids: 781,720 bytes.
    bundleBudget: 785_000,
    description: 'POST /v1/takedown-requests/{id}/withdrawal: withdraws an order and wakes its execution',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  ReviewItemsFunction: {
    entry: 'review-items.ts',
    // The fine breakdown, the items' `duplicate`, the accepting status and itemsAccepted, people's roles: 785,252.
    bundleBudget: 790_000,
    description: 'POST /v1/takedown-requests/{id}/review: the agency upholds or withdraws rejected items',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  PlatformResponsesFunction: {
    entry: 'platform-responses.ts',
    // Its once-per-key step shared with the platform API, config.ts reading the pools' ids and the locator search
    // keys its item writes carry (issue 9).
    bundleBudget: 825_000,
    description: 'POST /v1/platforms/{platformId}/responses: signed per-item answers from a platform',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'readSecrets', 'signAudit'],
  },
  OperatorFunction: {
    entry: 'operator.ts',
    // The Cognito Identity Provider client (each platform's app client, platform groups and staff users) and the
    // execution view.
    bundleBudget: 1_215_000,
    description:
      'Operator API: registers platforms and their staff, rotates their secrets, redelivers undeliverable orders, shows executions',
    memorySize: 512,
    timeout: Duration.seconds(15),
    table: 'readWrite',
    // machineClients: each new platform gets its client-credentials app client (cognito-idp:CreateUserPoolClient).
    // Platform groups and staff users in the staff pool: granted by StaffIdentity.grantManageStaff.
    // readExecutions: the execution view (DescribeStateMachineForExecution, GetExecutionHistory).
    capabilities: [
      'sendTaskResult',
      'manageSecrets',
      'agencyClients',
      'webhookUrls',
      'signAudit',
      'machineClients',
      'readExecutions',
    ],
  },
  WorkflowStepFunction: {
    entry: 'workflow-step.ts',
    // The accepting status (issue 11): 740,277 bytes.
    bundleBudget: 745_000,
    description: 'State machine steps: evaluate (the next step), registerWait, escalate, finalize',
    memorySize: 1024,
    timeout: Duration.seconds(60),
    table: 'readWrite',
    capabilities: ['publishEvents', 'signAudit'],
  },
  DeliverWebhookFunction: {
    entry: 'deliver-webhook.ts',
    bundleBudget: 772_000,
    description: 'State machine step: one signed webhook attempt of one notice (all parts) to a platform',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    table: 'readWrite',
    capabilities: ['publishEvents', 'readSecrets', 'webhookUrls', 'signAudit'],
  },
  EmailNoticeFunction: {
    entry: 'email-notice.ts',
    // pdfkit with fontkit for the letters attached to the emails.
    bundleBudget: 1_775_000,
    description:
      "State machine step: a notice's fallback email (SES v2); records SES delivery events on the notice",
    memorySize: 1024,
    timeout: Duration.minutes(2),
    table: 'readWrite',
    // Attaches the stage's letter (PDF) to each email.
    capabilities: ['publishEvents', 'sendEmail', 'signAudit', 'letters'],
  },
  ReconcilerFunction: {
    entry: 'reconcile-executions.ts',
    // The Lambda client (resuming a stalled intake), about 65 KB.
    bundleBudget: 835_000,
    description: 'Every minute: brings back the execution of every open order that has none running',
    memorySize: 512,
    timeout: Duration.seconds(55),
    table: 'readWrite',
    // startIntake: resumes the intake of an accepting order that stalled.
    capabilities: ['recoverExecutions', 'publishEvents', 'signAudit', 'startIntake'],
  },
  ClarificationsFunction: {
    entry: 'clarifications.ts',
    // A person's username as the officer, and config.ts reading the pools' ids: 781,874 bytes.
    bundleBudget: 785_000,
    description:
      "POST /v1/takedown-requests/{id}/clarifications: the agency answers a platform's clarification request",
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  ReportsFunction: {
    entry: 'reports.ts',
    // pdfkit with fontkit, and the S3 presigner: the heaviest bundle, loaded only by this function.
    bundleBudget: 1_860_000,
    description:
      'GET /v1/statistics, /v1/exports/*, /v1/takedown-requests/{id}/letters/{stage}, /v1/verify/{sha256}',
    // Letters of 10,000 items take seconds of CPU: more memory is more CPU on Lambda.
    memorySize: 2048,
    timeout: Duration.seconds(29),
    // Writes only the issued-letter records (LETTER#<sha256>).
    table: 'readWrite',
    capabilities: ['agencyClients', 'letters', 'reportFiles'],
  },
  SubscriptionsFunction: {
    entry: 'subscriptions.ts',
    bundleBudget: 690_000,
    description: "/v1/subscriptions[/{id}]: an agency's webhook subscriptions (create, list, read, delete)",
    memorySize: 512,
    timeout: Duration.seconds(10),
    // Writes only the agency's SUBSCRIPTION# records.
    table: 'readWrite',
    capabilities: ['agencyClients', 'webhookUrls', 'manageSubscriptionSecrets'],
  },
  DeliverSubscriptionsFunction: {
    entry: 'deliver-subscriptions.ts',
    bundleBudget: 712_000,
    description:
      'SubscriptionDelivery step: one signed attempt of one domain event to each subscription owed it',
    memorySize: 512,
    timeout: Duration.minutes(1),
    // Reads the order and the subscriptions; writes only the subscriptions' last delivery and status.
    table: 'readWrite',
    capabilities: ['webhookUrls', 'readSubscriptionSecrets'],
  },
  IntakeFunction: {
    entry: 'intake-order.ts',
    bundleBudget: 970_000,
    description:
      'Invoked asynchronously: writes the items of a large order slice by slice, then starts its execution',
    memorySize: 1024,
    // 5,000 items per invocation (then it invokes itself for the rest): seconds, with room for a slow table.
    timeout: Duration.minutes(2),
    table: 'readWrite',
    // startIntake: itself, for the next slices (granted in a policy of its own: see TenggatFunctions).
    // findDuplicates: each slice's duplicates, as the submit finds a small order's.
    capabilities: ['startExecution', 'readIntakeBodies', 'startIntake', 'findDuplicates'],
  },
  PlatformApiFunction: {
    entry: 'platform-api.ts',
    // 803,475 bytes: the answers' use case and the fine formula, without secrets or the signature check.
    bundleBudget: 815_000,
    description:
      'GET/POST /v1/platforms/{platformId}/orders[/{id}[/items|/answers|/clarification-requests]]: the platform side',
    memorySize: 1024,
    // Answers of up to 10,000 items, as the signed endpoint takes them.
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'signAudit', 'platformOrders'],
  },
};

/**
 * How every function is bundled (NodejsFunction's esbuild options; `scripts/function-bundles.ts` builds the same
 * bundles directly, to measure them). ESM builds of the dependencies (`module` before `main`) so that esbuild can
 * leave out what a function does not use; CommonJS output, so that Node loads `index.js` as Lambda does; source maps
 * without the sources themselves (Lambda only needs the mappings for stack traces).
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.CJS,
  // Node 20 so that the same file also runs on the local cloud's Node 20 (the runtime is nodejs22.x).
  target: 'node20',
  mainFields: ['module', 'main'],
  // Smaller bundles start faster; keepNames preserves error class names the state machine catches by.
  minify: true,
  keepNames: true,
  sourceMap: true,
  sourcesContent: false,
  // The SDK goes into the bundle so the same file runs on the local cloud's Node 20 (no SDK preinstalled).
  bundleAwsSDK: true,
  // ESM builds (pdfkit's) compute paths from import.meta.url at load, which a CommonJS bundle lacks: give it the
  // bundle's own file URL.
  banner: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;',
  define: { 'import.meta.url': '__bundleFileUrl' },
} as const satisfies BundlingOptions;

/** The handler file of a function, in `functions/src/handlers/`. */
export const handlerEntry = (functionId: FunctionId): string => FUNCTION_SPECS[functionId].entry;

/** The most a function's minified bundle may weigh, in bytes. */
export const bundleBudget = (functionId: FunctionId): number => FUNCTION_SPECS[functionId].bundleBudget;
