import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ArnFormat, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Architecture, type CfnFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { TenggatConfig } from './config';
import { BY_AGENCY_INDEX, BY_OPEN_LOCATOR_INDEX, BY_OPEN_ORDER_INDEX, BY_PLATFORM_INDEX } from './data-table';
import { grantExecutionReads } from './execution-grants';
import {
  type Capability,
  FUNCTION_BUNDLING,
  FUNCTION_IDS,
  FUNCTION_SPECS,
  type FunctionId,
  type TableAccess,
} from './function-specs';
import { grantIntakeBodies, grantStartIntake } from './intake-grants';
import { grantMachineClients, type MachineClientPool } from './machine-client-grants';
import type { NoticeMail } from './mail';
import { acknowledgeNagFinding } from './nag';
import { REPORTS_BUCKET_LOGICAL_ID } from './reports-bucket';
import { grantSubscriptionSecrets, SUBSCRIPTION_SECRET_PREFIX } from './subscription-grants';

export {
  BUNDLE_ALIASES,
  bundleBudget,
  FUNCTION_BUNDLING,
  FUNCTION_IDS,
  type FunctionId,
  handlerEntry,
} from './function-specs';

export const PLATFORM_SECRET_PREFIX = 'tenggat/platforms/';
/** The letter fonts of the `dejavu-fonts-ttf` package, copied into bundles that render letters. */
const LETTER_FONTS_DIR = join(
  dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
const LETTER_FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSans-Oblique.ttf'];

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
  /** The notice email identity and configuration set the email function sends with. */
  readonly mail: NoticeMail;
  /** Where letters and exports too large for a Lambda response go (short-lived objects). */
  readonly reportsBucket: IBucket;
  /** The machine user pool, where each registered platform gets its app client. */
  readonly machineClients: MachineClientPool;
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
      if (has('recoverExecutions')) environment.STATE_MACHINE_ARN = props.stateMachineArn;
      if (has('sendEmail')) {
        environment.MAIL_FROM = props.mail.mailFrom;
        environment.SES_CONFIGURATION_SET = props.mail.configurationSet.configurationSetName;
      }
      if (has('reportFiles')) environment.REPORTS_BUCKET = props.reportsBucket.bucketName;
      if (has('manageSubscriptionSecrets') || has('readSubscriptionSecrets'))
        environment.SUBSCRIPTION_SECRET_PREFIX = SUBSCRIPTION_SECRET_PREFIX;
      if (has('manageSubscriptionSecrets'))
        environment.SUBSCRIPTION_SECRET_KMS_KEY_ID = props.encryptionKey.keyArn;
      if (has('keepIntakeBodies') || has('readIntakeBodies'))
        environment.INTAKE_BUCKET = props.reportsBucket.bucketName;
      if (has('keepIntakeBodies')) environment.ASYNC_INTAKE_ITEMS = String(props.config.asyncIntakeItems);
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
          define: { ...FUNCTION_BUNDLING.define },
          externalModules: [...FUNCTION_BUNDLING.externalModules],
          esbuildArgs: { '--alias': [...FUNCTION_BUNDLING.esbuildArgs['--alias']] },
          forceDockerBundling: false,
          commandHooks: {
            beforeBundling: () => [],
            beforeInstall: () => [],
            // cdk.out sits inside this "type": "module" package: mark the asset as CommonJS so that Node on a
            // workstation (local cloud, tests) loads index.js as CommonJS, exactly as Lambda does.
            afterBundling: (_inputDir: string, outputDir: string) => [
              `printf '%s' '{"type":"commonjs"}' > "${outputDir}/package.json"`,
              // Letters embed these fonts; the bundle has no node_modules to find them in.
              ...(has('letters')
                ? [
                    `mkdir -p "${outputDir}/fonts"`,
                    ...LETTER_FONTS.map(
                      (file) => `cp "${join(LETTER_FONTS_DIR, file)}" "${outputDir}/fonts/"`,
                    ),
                  ]
                : []),
            ],
          },
        },
      });
      (fn.node.defaultChild as CfnFunction).overrideLogicalId(functionId);

      this.grantTableAccess(fn, spec.table, props);
      if (has('recoverExecutions')) this.grantRecovery(fn, props);
      if (has('readExecutions')) grantExecutionReads(fn, props.stateMachineArn);
      if (has('findDuplicates'))
        this.grantIndexQuery(fn, props, BY_OPEN_LOCATOR_INDEX, 'dynamodb:PartiQLSelect');
      if (has('sendEmail')) this.grantEmail(fn, props);
      if (has('platformOrders')) this.grantIndexQuery(fn, props, BY_PLATFORM_INDEX);
      if (has('machineClients')) grantMachineClients(fn, props.machineClients);
      if (has('manageSubscriptionSecrets')) grantSubscriptionSecrets(fn, 'manage', props.encryptionKey);
      if (has('readSubscriptionSecrets')) grantSubscriptionSecrets(fn, 'read', props.encryptionKey);
      if (has('reportFiles')) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['s3:PutObject', 's3:GetObject'],
            resources: [props.reportsBucket.arnForObjects('*')],
          }),
        );
        acknowledgeNagFinding(
          role,
          `IAM5[Resource::<${REPORTS_BUCKET_LOGICAL_ID}.Arn>/*]`,
          'Each large letter or export is a new object under a random key of the reports bucket, which holds ' +
            'nothing else; objects expire after a day.',
        );
      }
      grantIntakeBodies(fn, spec.capabilities, props.reportsBucket);
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
        'The design contract pins nodejs22.x (the bundle targets Node 20 so the same file also loads in tests on ' +
          'Node 20); moving to a newer runtime is a deliberate, tested change rather than an automatic one.',
      );
      byId.set(functionId, fn);
    }
    this.byId = byId;
    grantStartIntake(this, byId);
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

  /** dynamodb:Query on one index of the table only. */
  /** Reads of one index: `Query`, or `PartiQLSelect` for the duplicate lookup's `IN` lists of 50 digests. */
  private grantIndexQuery(
    fn: NodejsFunction,
    props: TenggatFunctionsProps,
    indexName: string,
    action: 'dynamodb:Query' | 'dynamodb:PartiQLSelect' = 'dynamodb:Query',
  ) {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [action],
        resources: [`${props.table.tableArn}/index/${indexName}`],
      }),
    );
  }

  /** The reconciler: the open-orders index, and the executions of the order workflow (list, inspect, recover). */
  private grantRecovery(fn: NodejsFunction, props: TenggatFunctionsProps) {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [`${props.table.tableArn}/index/${BY_OPEN_ORDER_INDEX}`],
      }),
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:ListExecutions', 'states:StartExecution'],
        resources: [props.stateMachineArn],
      }),
    );
    const machineName = stack.splitArn(props.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    acknowledgeNagFinding(
      fn.role ?? fn,
      `IAM5[Resource::arn:<AWS::Partition>:states:${this.nagRegion()}:${this.nagAccount()}:execution:${machineName}:*]`,
      'The reconciler inspects and redrives executions of the order workflow only; they are named per order at ' +
        'run time (<orderId>, <orderId>.<n>), so the narrowest resource is the workflow name followed by :*.',
    );
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['states:DescribeExecution', 'states:RedriveExecution'],
        // Executions are named per order at run time: the workflow's own executions, and no other machine's.
        resources: [
          stack.formatArn({
            service: 'states',
            resource: 'execution',
            resourceName: `${machineName}:*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }

  /** The email function: `ses:SendEmail` from the notice identity with the notice configuration set only. */
  private grantEmail(fn: NodejsFunction, props: TenggatFunctionsProps) {
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['ses:SendEmail'],
        resources: [
          stack.formatArn({
            service: 'ses',
            resource: 'identity',
            resourceName: props.mail.identity.emailIdentityName,
          }),
          stack.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: props.mail.configurationSet.configurationSetName,
          }),
        ],
      }),
    );
  }

  private nagRegion(): string {
    const stack = Stack.of(this);
    return Token.isUnresolved(stack.region) ? '<AWS::Region>' : stack.region;
  }

  private nagAccount(): string {
    const stack = Stack.of(this);
    return Token.isUnresolved(stack.account) ? '<AWS::AccountId>' : stack.account;
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
