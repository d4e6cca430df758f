import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { type BundlingOptions, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TenggatConfig } from './config';
import { BY_AGENCY_INDEX } from './data-table';
import { acknowledgeNagFinding } from './nag';

export const PLATFORM_SECRET_PREFIX = 'tenggat/platforms/';

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
] as const;
export type FunctionId = (typeof FUNCTION_IDS)[number];

/** `readWriteScan` adds dynamodb:Scan (listing platforms); everything else reads by key or query. */
type TableAccess = 'read' | 'readWrite' | 'readWriteScan';
type Capability =
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
  | 'verifyAudit';

interface FunctionSpec {
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
const FUNCTION_SPECS: Record<FunctionId, FunctionSpec> = {
  SubmitOrderFunction: {
    entry: 'submit-order.ts',
    bundleBudget: 760_000,
    description: 'POST /v1/takedown-requests: writes items then the order marker, starts the execution',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['startExecution', 'agencyClients', 'signAudit'],
  },
  ReadOrdersFunction: {
    entry: 'read-orders.ts',
    bundleBudget: 730_000,
    description: 'GET /v1/takedown-requests[/{id}[/items|/audit]]: an agency reads its own orders',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'read',
    capabilities: ['agencyClients', 'verifyAudit'],
  },
  WithdrawOrderFunction: {
    entry: 'withdraw-order.ts',
    bundleBudget: 770_000,
    description: 'POST /v1/takedown-requests/{id}/withdrawal: withdraws an order and wakes its execution',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  ReviewItemsFunction: {
    entry: 'review-items.ts',
    bundleBudget: 770_000,
    description: 'POST /v1/takedown-requests/{id}/review: the agency upholds or withdraws rejected items',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients', 'signAudit'],
  },
  PlatformResponsesFunction: {
    entry: 'platform-responses.ts',
    bundleBudget: 810_000,
    description: 'POST /v1/platforms/{platformId}/responses: signed per-item answers from a platform',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'readSecrets', 'signAudit'],
  },
  OperatorFunction: {
    entry: 'operator.ts',
    bundleBudget: 780_000,
    description: 'Operator API: registers platforms, rotates their secrets, redelivers undeliverable orders',
    memorySize: 512,
    timeout: Duration.seconds(15),
    table: 'readWriteScan',
    capabilities: ['sendTaskResult', 'manageSecrets', 'agencyClients', 'webhookUrls', 'signAudit'],
  },
  WorkflowStepFunction: {
    entry: 'workflow-step.ts',
    bundleBudget: 740_000,
    description: 'State machine steps: evaluate, registerWait, escalate, finalize, markUndeliverable',
    memorySize: 1024,
    timeout: Duration.seconds(60),
    table: 'readWrite',
    capabilities: ['publishEvents', 'signAudit'],
  },
  DeliverWebhookFunction: {
    entry: 'deliver-webhook.ts',
    bundleBudget: 770_000,
    description: 'State machine step: one signed delivery attempt of one event (all parts) to a platform',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    table: 'readWrite',
    capabilities: ['publishEvents', 'readSecrets', 'webhookUrls', 'signAudit'],
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
} as const satisfies BundlingOptions;

/** The handler file of a function, in `functions/src/handlers/`. */
export const handlerEntry = (functionId: FunctionId): string => FUNCTION_SPECS[functionId].entry;

/** The most a function's minified bundle may weigh, in bytes. */
export const bundleBudget = (functionId: FunctionId): number => FUNCTION_SPECS[functionId].bundleBudget;

export interface TenggatFunctionsProps {
  readonly config: TenggatConfig;
  readonly table: ITable;
  readonly eventBus: IEventBus;
  /** Customer-managed key: log groups, and the platform secrets the operator function creates at run time. */
  readonly encryptionKey: IKey;
  /** Asymmetric ECC_NIST_P256 SIGN_VERIFY key that signs the head of every order's audit chain. */
  readonly auditSigningKey: IKey;
  /** ARN of the order workflow, built from its fixed name (see `orderWorkflowArn`). */
  readonly stateMachineArn: string;
  /** JSON map `{ "<cognito client id>": "<agency id>" }`. */
  readonly agencyClientsJson: string;
  /**
   * Folder holding the handler entries (`<name>.ts`).
   * @default `<cwd>/functions/src/handlers`
   */
  readonly handlersDirectory?: string;
  /**
   * How long function logs are kept.
   * @default RetentionDays.THREE_MONTHS
   */
  readonly logRetention?: RetentionDays;
  /**
   * Log level for Powertools.
   * @default 'INFO'
   */
  readonly logLevel?: string;
}

/** The eight Lambda functions of the design contract, each with its own role and only the grants it needs. */
export class TenggatFunctions extends Construct {
  readonly byId: ReadonlyMap<FunctionId, NodejsFunction>;

  constructor(scope: Construct, id: string, props: TenggatFunctionsProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const handlersDirectory = props.handlersDirectory ?? join(process.cwd(), 'functions', 'src', 'handlers');
    const secretArnPattern = stack.formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${PLATFORM_SECRET_PREFIX}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    // How cdk-nag prints the pattern: tokens as <Name>, the rest literal.
    const region = Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
    const account = Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
    const secretArnForNag = `arn:<AWS::Partition>:secretsmanager:${region}:${account}:secret:${PLATFORM_SECRET_PREFIX}*`;
    const byId = new Map<FunctionId, NodejsFunction>();

    for (const functionId of FUNCTION_IDS) {
      const spec = FUNCTION_SPECS[functionId];
      const logGroup = new LogGroup(this, `${functionId}Logs`, {
        retention: props.logRetention ?? RetentionDays.THREE_MONTHS,
        encryptionKey: props.encryptionKey,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      // An own role with an inline policy on its own log group, instead of the broad AWSLambdaBasicExecutionRole.
      const role = new Role(this, `${functionId}Role`, {
        assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${functionId}`,
      });
      role.addToPolicy(
        new PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupArn],
        }),
      );

      const environment: Record<string, string> = {
        TABLE_NAME: props.table.tableName,
        POLICY: JSON.stringify(props.config.policy),
        POWERTOOLS_SERVICE_NAME: 'tenggat',
        POWERTOOLS_METRICS_NAMESPACE: 'Tenggat',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
      };
      const has = (capability: Capability) => spec.capabilities.includes(capability);
      if (has('startExecution') || has('sendTaskResult'))
        environment.STATE_MACHINE_ARN = props.stateMachineArn;
      if (has('publishEvents')) environment.EVENT_BUS_NAME = props.eventBus.eventBusName;
      if (has('agencyClients')) environment.AGENCY_CLIENTS = props.agencyClientsJson;
      if (has('readSecrets') || has('manageSecrets'))
        environment.PLATFORM_SECRET_PREFIX = PLATFORM_SECRET_PREFIX;
      if (has('manageSecrets')) environment.PLATFORM_SECRET_KMS_KEY_ID = props.encryptionKey.keyArn;
      if (has('signAudit') || has('verifyAudit'))
        environment.AUDIT_SIGNING_KEY_ID = props.auditSigningKey.keyArn;
      if (has('webhookUrls')) {
        environment.ALLOW_LOOPBACK_WEBHOOKS = String(props.config.allowLoopbackWebhooks);
        environment.BLOCKED_WEBHOOK_PORTS = props.config.blockedWebhookPorts.join(',');
      }

      const fn = new NodejsFunction(this, functionId, {
        entry: join(handlersDirectory, spec.entry),
        handler: 'handler',
        description: spec.description,
        runtime: Runtime.NODEJS_22_X,
        architecture: Architecture.ARM_64,
        memorySize: spec.memorySize,
        timeout: spec.timeout,
        tracing: Tracing.ACTIVE,
        role,
        logGroup,
        environment,
        bundling: {
          ...FUNCTION_BUNDLING,
          mainFields: [...FUNCTION_BUNDLING.mainFields],
          forceDockerBundling: false,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            // cdk.out sits inside this "type": "module" package: mark the asset as CommonJS so that Node on a
            // workstation (local cloud, tests) loads index.js as CommonJS, exactly as Lambda does.
            afterBundling: (_inputDir: string, outputDir: string) => [
              `printf '%s' '{"type":"commonjs"}' > "${outputDir}/package.json"`,
            ],
          },
        },
      });
      (fn.node.defaultChild as CfnFunction).overrideLogicalId(functionId);

      this.grantTableAccess(fn, spec.table, props);
      if (has('startExecution')) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['states:StartExecution'], resources: [props.stateMachineArn] }),
        );
      }
      if (has('sendTaskResult')) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
            resources: [props.stateMachineArn],
          }),
        );
      }
      if (has('signAudit') || has('verifyAudit')) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: has('signAudit') ? ['kms:Sign'] : ['kms:GetPublicKey', 'kms:Verify'],
            resources: [props.auditSigningKey.keyArn],
          }),
        );
      }
      if (has('publishEvents')) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['events:PutEvents'], resources: [props.eventBus.eventBusArn] }),
        );
      }
      if (has('readSecrets') || has('manageSecrets')) {
        const actions = has('manageSecrets')
          ? [
              'secretsmanager:CreateSecret',
              'secretsmanager:DescribeSecret',
              'secretsmanager:GetSecretValue',
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecret',
            ]
          : ['secretsmanager:GetSecretValue'];
        fn.addToRolePolicy(new PolicyStatement({ actions, resources: [secretArnPattern] }));
        // Platform secrets are encrypted with the data key (PLATFORM_SECRET_KMS_KEY_ID).
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: has('manageSecrets') ? ['kms:Decrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt'],
            resources: [props.encryptionKey.keyArn],
          }),
        );
        acknowledgeNagFinding(
          role,
          `IAM5[Resource::${secretArnForNag}]`,
          'Platform secrets are created at run time, one per platform, named tenggat/platforms/<platformId> ' +
            '(plus the random suffix Secrets Manager appends); the name prefix is the narrowest scope that exists.',
        );
      }
      acknowledgeNagFinding(
        role,
        'IAM5[Resource::*]',
        'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions.',
      );
      acknowledgeNagFinding(
        fn,
        'L1',
        'The design contract pins nodejs22.x (the bundle targets Node 20 so the same file runs on the local ' +
          'cloud); moving to a newer runtime is a deliberate, tested change rather than an automatic one.',
      );
      byId.set(functionId, fn);
    }
    this.byId = byId;
  }

  /**
   * Explicit DynamoDB and KMS actions instead of `grantReadWriteData`, which would also grant `index/*`,
   * `kms:ReEncrypt*` and `kms:GenerateDataKey*`. The only index is `byAgency`.
   */
  private grantTableAccess(fn: NodejsFunction, access: TableAccess, props: TenggatFunctionsProps) {
    const readActions = [
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
      'dynamodb:ConditionCheckItem',
      'dynamodb:DescribeTable',
      ...(access === 'readWriteScan' ? ['dynamodb:Scan'] : []),
    ];
    // Items are written with TransactWriteItems, which IAM authorises through PutItem/UpdateItem/ConditionCheckItem.
    const writeActions = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: access === 'read' ? readActions : [...readActions, ...writeActions],
        resources: [props.table.tableArn],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${BY_AGENCY_INDEX}`],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions:
          access === 'read'
            ? ['kms:Decrypt', 'kms:DescribeKey']
            : ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'],
        resources: [props.encryptionKey.keyArn],
      }),
    );
  }

  /** One function by its contract id. */
  get(functionId: FunctionId): NodejsFunction {
    const fn = this.byId.get(functionId);
    if (!fn) throw new UnknownFunctionError(functionId);
    return fn;
  }
}

/** Asked for a function id that this construct did not build. */
export class UnknownFunctionError extends Error {
  constructor(functionId: string) {
    super(`No function ${functionId}`);
    this.name = 'UnknownFunctionError';
  }
}
