/** One row per Lambda function: its entry, budget, size, time and the grants it needs (least privilege). */
import { Duration } from 'aws-cdk-lib';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';

/** Issue 11's budget for half of the bundles (and the budget of each bundle under it): 300 KB. */
export const SMALL_BUNDLE = 300_000;
/** Issue 11's budget for every bundle, met by all but the two that render letters (pdfkit with fontkit). */
export const LARGEST_BUNDLE = 500_000;

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
   * The most its minified `index.js` may weigh, in bytes (`test/infra/function-bundles.test.ts`): issue 11's 300 KB
   * where the bundle is under it, else its size plus about 10 KB so that a new library shows up. The SDK is the
   * runtime's (not in the bundle); only the two functions that render letters are above 500 KB (docs/architecture.md,
   * "Bundles").
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
    // 301.6 KB: the submit use case with duplicate detection, the fine indices and the large-order intake.
    bundleBudget: 312_000,
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
    bundleBudget: SMALL_BUNDLE,
    description: 'GET /v1/takedown-requests[/{id}[/items|/audit]]: an agency reads its own orders',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'read',
    capabilities: ['agencyClients', 'verifyAudit'],
  },
  WithdrawOrderFunction: {
    entry: 'withdraw-order.ts',
    bundleBudget: SMALL_BUNDLE,
    description: 'POST /v1/takedown-requests/{id}/withdrawal: withdraws an order and wakes its execution',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  ReviewItemsFunction: {
    entry: 'review-items.ts',
    bundleBudget: SMALL_BUNDLE,
    description: 'POST /v1/takedown-requests/{id}/review: the agency upholds or withdraws rejected items',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  PlatformResponsesFunction: {
    entry: 'platform-responses.ts',
    // 302.2 KB: the signature check (standardwebhooks) and the answers' use case with the fine formula.
    bundleBudget: 313_000,
    description: 'POST /v1/platforms/{platformId}/responses: signed per-item answers from a platform',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'readSecrets', 'signAudit'],
  },
  OperatorFunction: {
    entry: 'operator.ts',
    // 300.3 KB: platform registration, staff, secrets, redelivery and the execution view.
    bundleBudget: 311_000,
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
    bundleBudget: SMALL_BUNDLE,
    description: 'State machine steps: evaluate (the next step), registerWait, escalate, finalize',
    memorySize: 1024,
    timeout: Duration.seconds(60),
    table: 'readWrite',
    capabilities: ['publishEvents', 'signAudit'],
  },
  DeliverWebhookFunction: {
    entry: 'deliver-webhook.ts',
    bundleBudget: SMALL_BUNDLE,
    description: 'State machine step: one signed webhook attempt of one notice (all parts) to a platform',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    table: 'readWrite',
    capabilities: ['publishEvents', 'readSecrets', 'webhookUrls', 'signAudit'],
  },
  EmailNoticeFunction: {
    entry: 'email-notice.ts',
    // 731.7 KB, above issue 11's 500 KB: pdfkit with fontkit (427 KB) renders the attached letters.
    bundleBudget: 745_000,
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
    bundleBudget: SMALL_BUNDLE,
    description: 'Every minute: brings back the execution of every open order that has none running',
    memorySize: 512,
    timeout: Duration.seconds(55),
    table: 'readWrite',
    // startIntake: resumes the intake of an accepting order that stalled.
    capabilities: ['recoverExecutions', 'publishEvents', 'signAudit', 'startIntake'],
  },
  ClarificationsFunction: {
    entry: 'clarifications.ts',
    bundleBudget: SMALL_BUNDLE,
    description:
      "POST /v1/takedown-requests/{id}/clarifications: the agency answers a platform's clarification request",
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  ReportsFunction: {
    entry: 'reports.ts',
    // 747.2 KB, above issue 11's 500 KB: pdfkit with fontkit (439 KB) renders the letters.
    bundleBudget: 760_000,
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
    bundleBudget: SMALL_BUNDLE,
    description: "/v1/subscriptions[/{id}]: an agency's webhook subscriptions (create, list, read, delete)",
    memorySize: 512,
    timeout: Duration.seconds(10),
    // Writes only the agency's SUBSCRIPTION# records.
    table: 'readWrite',
    capabilities: ['agencyClients', 'webhookUrls', 'manageSubscriptionSecrets'],
  },
  DeliverSubscriptionsFunction: {
    entry: 'deliver-subscriptions.ts',
    bundleBudget: SMALL_BUNDLE,
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
    bundleBudget: SMALL_BUNDLE,
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
    // 311.3 KB: the platform side's routes, the answers' use case and the fine formula.
    bundleBudget: 322_000,
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
 * The packages the Lambda Node.js runtime provides (AWS SDK for JavaScript v3, in `/var/runtime/node_modules`):
 * `@aws-sdk/*` only. Its `@smithy/*` packages sit nested under `@aws-sdk/node_modules` there, out of a function's
 * reach (aws/aws-sdk-js-v3#6169, aws/aws-cdk#33099: the X-Ray SDK imports `@smithy/service-error-classification`),
 * so they stay in the bundle. The local cloud provides the same set (`local/cloud/runtime-modules.cjs`).
 */
export const RUNTIME_PROVIDED_MODULES = ['@aws-sdk/*'] as const;

/**
 * Stand-ins for dependencies the bundles use a sliver of (`functions/src/stand-ins/`): fontkit inflates WOFF2 fonts
 * with `brotli`, a JavaScript decoder with a 490 KB dictionary, which Node's zlib replaces; the X-Ray SDK and
 * cls-hooked call only `semver.gte` (semver is 31 KB of CommonJS that esbuild cannot trim). Paths are relative to
 * the project directory, where esbuild runs.
 */
export const BUNDLE_ALIASES: Readonly<Record<string, string>> = {
  'brotli/decompress.js': './functions/src/stand-ins/brotli-decompress.ts',
  semver: './functions/src/stand-ins/semver.ts',
};

/**
 * How every function is bundled (NodejsFunction's esbuild options; `scripts/function-bundles.ts` builds the same
 * bundles directly, to measure them). ESM builds of the dependencies (`module` before `main`) so that esbuild can
 * leave out what a function does not use; CommonJS output, so that Node loads `index.js` as Lambda does; source maps
 * without the sources themselves (Lambda only needs the mappings for stack traces). The AWS SDK is the runtime's
 * (docs/deploy.md, "The AWS SDK of the functions").
 */
export const FUNCTION_BUNDLING = {
  format: OutputFormat.CJS,
  // The runtime's major (nodejs22.x), as on AWS. esbuild emits the same code for node20 (checked on SubmitOrder's
  // bundle), so the file also loads on a Node 20 workstation's tests.
  target: 'node22',
  mainFields: ['module', 'main'],
  // Smaller bundles start faster. No keepNames (about 20 KB a bundle): every error class names itself (`name = ...`,
  // which the state machine and the problem table go by; test/infra/function-bundles.test.ts checks it), and no
  // bundled library decides anything by a class's name.
  minify: true,
  keepNames: false,
  sourceMap: true,
  sourcesContent: false,
  externalModules: [...RUNTIME_PROVIDED_MODULES],
  esbuildArgs: { '--alias': Object.entries(BUNDLE_ALIASES).map(([from, to]) => `${from}=${to}`) },
  // ESM builds (pdfkit's) compute paths from import.meta.url at load, which a CommonJS bundle lacks: give it the
  // bundle's own file URL.
  banner: 'const __bundleFileUrl = require("url").pathToFileURL(__filename).href;',
  define: { 'import.meta.url': '__bundleFileUrl' },
} as const satisfies BundlingOptions;

/** The handler file of a function, in `functions/src/handlers/`. */
export const handlerEntry = (functionId: FunctionId): string => FUNCTION_SPECS[functionId].entry;

/** The most a function's minified bundle may weigh, in bytes. */
export const bundleBudget = (functionId: FunctionId): number => FUNCTION_SPECS[functionId].bundleBudget;
