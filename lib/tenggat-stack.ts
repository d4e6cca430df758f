import { CfnOutput, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key, KeySpec, KeyUsage } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { OperatorAlerts } from './alerts';
import { TenggatApi } from './api';
import type { TenggatConfig } from './config';
import { Console } from './console';
import { DataTable } from './data-table';
import { DomainEvents } from './events';
import { TenggatFunctions } from './functions';
import { Identity } from './identity';
import { NoticeMail } from './mail';
import { Observability } from './observability';
import { Recovery } from './recovery';
import { ReportsBucket } from './reports-bucket';
import { StaffIdentity } from './staff-identity';
import { AgencySubscriptions } from './subscriptions';
import { ApiFirewall } from './waf';
import { OrderWorkflow, orderWorkflowArn } from './workflow';

export interface TenggatStackProps extends StackProps {
  /** Validated agencies, policy and context switches (see `loadConfig`). */
  readonly config: TenggatConfig;
  /**
   * Folder holding the handler entries.
   * @default `<cwd>/functions/src/handlers`
   */
  readonly handlersDirectory?: string;
  /**
   * Prefix of the Cognito hosted domain.
   * @default `tenggat-<account id>`
   */
  readonly cognitoDomainPrefix?: string;
  /**
   * Console URLs the people's sign-in may return to (context `tenggat:consoleUrls`, comma list); the console
   * construct adds its own CloudFront URL.
   * @default none
   */
  readonly consoleUrls?: readonly string[];
  /**
   * Prefix of the people's (staff pool's) hosted sign-in domain.
   * @default `tenggat-staff-<account id>`
   */
  readonly staffDomainPrefix?: string;
}

/** Tenggat: API Gateway → Lambda → Step Functions → DynamoDB, with Secrets Manager, EventBridge and Cognito. */
export class TenggatStack extends Stack {
  constructor(scope: Construct, id: string, props: TenggatStackProps) {
    super(scope, id, props);

    const key = new Key(this, 'DataKey', {
      alias: 'alias/tenggat',
      description: 'Tenggat data: table, execution history, logs, platform secrets',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // CloudWatch Logs encrypts the log groups of functions, API access logs and the state machine with this key.
    key.grantEncryptDecrypt(new ServicePrincipal(`logs.${this.region}.amazonaws.com`));

    // Signs the head of every order's audit chain; asymmetric, so readers verify without being able to sign.
    // KMS does not rotate asymmetric keys: the key id is recorded with every signed head instead.
    const auditSigningKey = new Key(this, 'AuditSigningKey', {
      alias: 'alias/tenggat-audit',
      description: 'Tenggat: signs audit chain heads (ECDSA P-256)',
      keySpec: KeySpec.ECC_NIST_P256,
      keyUsage: KeyUsage.SIGN_VERIFY,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const data = new DataTable(this, 'Data', { encryptionKey: key });
    const events = new DomainEvents(this, 'Events');
    const identity = new Identity(this, 'Identity', {
      declaration: props.config.agencies,
      domainPrefix: props.cognitoDomainPrefix,
    });
    const staff = new StaffIdentity(this, 'StaffIdentity', {
      declaration: props.config.agencies,
      consoleUrls: props.consoleUrls,
      domainPrefix: props.staffDomainPrefix,
    });
    const mail = new NoticeMail(this, 'Mail', { mailFrom: props.config.mailFrom });
    const reports = new ReportsBucket(this, 'Reports');
    const functions = new TenggatFunctions(this, 'Functions', {
      mail,
      reportsBucket: reports.bucket,
      config: props.config,
      table: data.table,
      eventBus: events.bus,
      encryptionKey: key,
      auditSigningKey,
      stateMachineArn: orderWorkflowArn(this),
      agencyClientsJson: identity.agencyClientsJson,
      machineClients: {
        userPool: identity.userPool,
        tokenUrl: props.config.tokenUrl ?? identity.tokenEndpoint,
      },
      handlersDirectory: props.handlersDirectory,
    });
    const workflow = new OrderWorkflow(this, 'Workflow', {
      deliverWebhookFunction: functions.get('DeliverWebhookFunction'),
      emailNoticeFunction: functions.get('EmailNoticeFunction'),
      workflowStepFunction: functions.get('WorkflowStepFunction'),
      encryptionKey: key,
    });
    const api = new TenggatApi(this, 'Api', {
      functions: functions.byId,
      userPool: identity.userPool,
      staffUserPool: staff.userPool,
      encryptionKey: key,
    });
    staff.grantManageStaff(functions.get('OperatorFunction'));
    // Notice emails tell platforms where to answer, letters where to verify them: a custom domain when given,
    // else this stage's own URL.
    const publicApiUrl =
      props.config.publicApiUrl ??
      `https://${api.restApi.restApiId}.execute-api.${this.region}.${this.urlSuffix}/${api.stageName}`;
    for (const functionId of ['EmailNoticeFunction', 'ReportsFunction'] as const)
      functions.get(functionId).addEnvironment('PUBLIC_API_URL', publicApiUrl);
    // The web console, same-origin with the API through its distribution; people sign in with the staff pool's
    // console client, which returns them to the distribution's /callback and signs them out to its root.
    const webConsole = new Console(this, 'Console', {
      restApi: api.restApi,
      encryptionKey: key,
      signIn: { clientId: staff.consoleClient.userPoolClientId, authBaseUrl: staff.signInUrl },
    });
    staff.addConsoleUrl(`${webConsole.url}/callback`);
    staff.addConsoleUrl(`${webConsole.url}/`);
    new Recovery(this, 'Recovery', {
      reconciler: functions.get('ReconcilerFunction'),
      emailNotice: functions.get('EmailNoticeFunction'),
      configurationSetName: mail.configurationSet.configurationSetName,
    });
    new ApiFirewall(this, 'Firewall', {
      stageArn: api.restApi.deploymentStage.stageArn,
      stageName: api.stageName,
      encryptionKey: key,
    });
    const subscriptions = new AgencySubscriptions(this, 'Subscriptions', {
      eventBus: events.bus,
      deliverFunction: functions.get('DeliverSubscriptionsFunction'),
      encryptionKey: key,
    });
    const observability = new Observability(this, 'Observability', {
      functions: functions.byId,
      stateMachine: workflow.stateMachine,
      restApi: api.restApi,
      table: data.table,
    });
    const alerts = new OperatorAlerts(this, 'Alerts', {
      operatorEmails: props.config.agencies.operators.flatMap((operator) => operator.email ?? []),
      eventBus: events.bus,
      stateMachineArn: workflow.stateMachine.stateMachineArn,
      otherStateMachineArns: [subscriptions.stateMachine.stateMachineArn],
      alarms: observability.alarms,
    });

    new CfnOutput(this, 'ApiUrl', { value: api.restApi.url, description: 'Base URL of the Tenggat API' });
    new CfnOutput(this, 'TokenEndpoint', {
      value: identity.tokenEndpoint,
      description: 'OAuth2 token endpoint (client credentials)',
    });
    new CfnOutput(this, 'UserPoolId', { value: identity.userPool.userPoolId });
    new CfnOutput(this, 'StaffUserPoolId', {
      value: staff.userPool.userPoolId,
      description: 'User pool of people (operators, agency officers, platform staff)',
    });
    new CfnOutput(this, 'StaffSignInUrl', {
      value: staff.signInUrl,
      description: 'Hosted sign-in of people: /oauth2/authorize, /oauth2/token, /logout',
    });
    new CfnOutput(this, 'ConsoleClientId', {
      value: staff.consoleClient.userPoolClientId,
      description: "The console's public app client (authorization code with PKCE)",
    });
    new CfnOutput(this, 'AgencyClients', {
      value: identity.agencyClientsJson,
      description: 'Cognito client id to agency id',
    });
    for (const [operatorId, client] of identity.operatorClients) {
      new CfnOutput(this, `OperatorClientId${operatorId.replace(/[^A-Za-z0-9]/g, '')}`, {
        value: client.userPoolClientId,
        description: `Cognito client id of operator ${operatorId}`,
      });
    }
    new CfnOutput(this, 'TableName', { value: data.table.tableName });
    new CfnOutput(this, 'StateMachineArn', { value: workflow.stateMachine.stateMachineArn });
    new CfnOutput(this, 'EventBusName', { value: events.bus.eventBusName });
    new CfnOutput(this, 'OperatorAlertsTopicArn', { value: alerts.topic.topicArn });
    new CfnOutput(this, 'MailFrom', {
      value: mail.mailFrom,
      description: 'Sender of notice emails: publish the DKIM records of its domain identity',
    });
  }
}
