import { join } from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { TenggatConfig } from './config';

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

type TableAccess = 'read' | 'readWrite';
type Capability =
  | 'startExecution'
  | 'sendTaskResult'
  | 'publishEvents'
  | 'readSecrets'
  | 'manageSecrets'
  | 'agencyClients'
  | 'webhookUrls';

interface FunctionSpec {
  readonly entry: string;
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
    description: 'POST /v1/takedown-requests: writes items then the order marker, starts the execution',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['startExecution', 'agencyClients'],
  },
  ReadOrdersFunction: {
    entry: 'read-orders.ts',
    description: 'GET /v1/takedown-requests[/{id}[/items|/audit]]: an agency reads its own orders',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'read',
    capabilities: ['agencyClients'],
  },
  WithdrawOrderFunction: {
    entry: 'withdraw-order.ts',
    description: 'POST /v1/takedown-requests/{id}/withdrawal: withdraws an order and wakes its execution',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients'],
  },
  ReviewItemsFunction: {
    entry: 'review-items.ts',
    description: 'POST /v1/takedown-requests/{id}/review: the agency upholds or withdraws rejected items',
    memorySize: 512,
    timeout: Duration.seconds(10),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'agencyClients'],
  },
  PlatformResponsesFunction: {
    entry: 'platform-responses.ts',
    description: 'POST /v1/platforms/{platformId}/responses: signed per-item answers from a platform',
    memorySize: 1024,
    timeout: Duration.seconds(28),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'publishEvents', 'readSecrets'],
  },
  OperatorFunction: {
    entry: 'operator.ts',
    description: 'Operator API: registers platforms, rotates their secrets, redelivers undeliverable orders',
    memorySize: 512,
    timeout: Duration.seconds(15),
    table: 'readWrite',
    capabilities: ['sendTaskResult', 'manageSecrets', 'agencyClients', 'webhookUrls'],
  },
  WorkflowStepFunction: {
    entry: 'workflow-step.ts',
    description: 'State machine steps: evaluate, registerWait, escalate, finalize, markUndeliverable',
    memorySize: 1024,
    timeout: Duration.seconds(60),
    table: 'readWrite',
    capabilities: ['publishEvents'],
  },
  DeliverWebhookFunction: {
    entry: 'deliver-webhook.ts',
    description: 'State machine step: one signed delivery attempt of one event (all parts) to a platform',
    memorySize: 1024,
    timeout: Duration.minutes(5),
    table: 'readWrite',
    capabilities: ['publishEvents', 'readSecrets', 'webhookUrls'],
  },
};

export interface TenggatFunctionsProps {
  readonly config: TenggatConfig;
  readonly table: ITable;
  readonly eventBus: IEventBus;
  /** Customer-managed key: log groups, and the platform secrets the operator function creates at run time. */
  readonly encryptionKey: IKey;
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
          format: OutputFormat.CJS,
          target: 'node20',
          sourceMap: true,
          // The SDK goes into the bundle so the same file runs on the local cloud's Node 20 (no SDK preinstalled).
          bundleAwsSDK: true,
          forceDockerBundling: false,
        },
      });
      (fn.node.defaultChild as CfnFunction).overrideLogicalId(functionId);

      if (spec.table === 'read') props.table.grantReadData(fn);
      else props.table.grantReadWriteData(fn);
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
      if (has('publishEvents')) props.eventBus.grantPutEventsTo(fn);
      if (has('readSecrets')) {
        fn.addToRolePolicy(
          new PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secretArnPattern] }),
        );
        props.encryptionKey.grantDecrypt(fn);
      }
      if (has('manageSecrets')) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: [
              'secretsmanager:CreateSecret',
              'secretsmanager:DescribeSecret',
              'secretsmanager:GetSecretValue',
              'secretsmanager:PutSecretValue',
              'secretsmanager:UpdateSecret',
            ],
            resources: [secretArnPattern],
          }),
        );
        props.encryptionKey.grantEncryptDecrypt(fn);
      }
      byId.set(functionId, fn);
    }
    this.byId = byId;
  }

  /** One function by its contract id. */
  get(functionId: FunctionId): NodejsFunction {
    const fn = this.byId.get(functionId);
    if (!fn) throw new Error(`No function ${functionId}`);
    return fn;
  }
}
