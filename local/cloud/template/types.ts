/** What the local cloud reads from a synthesized template: one spec per resource kind it runs. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  Metadata?: JsonObject;
  DependsOn?: string | string[];
}

export interface TableSpec {
  logicalId: string;
  tableName: string;
  arn: string;
  keySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
  attributeDefinitions: { AttributeName: string; AttributeType: 'S' | 'N' | 'B' }[];
  globalSecondaryIndexes: {
    IndexName: string;
    KeySchema: { AttributeName: string; KeyType: 'HASH' | 'RANGE' }[];
    Projection: { ProjectionType?: string; NonKeyAttributes?: string[] };
  }[];
  ttlAttribute: string | undefined;
}

export interface FunctionSpec {
  logicalId: string;
  functionName: string;
  arn: string;
  /** Absolute directory of the bundled asset, or undefined when the code is inline/unknown. */
  assetDir: string | undefined;
  handler: string;
  runtime: string;
  environment: Record<string, string>;
  memorySize: number;
  timeoutSeconds: number;
  /** Retries of a failed asynchronous invocation (`AWS::Lambda::EventInvokeConfig`, else Lambda's 2). */
  maximumRetryAttempts?: number;
}

export interface StateMachineSpec {
  logicalId: string;
  name: string;
  arn: string;
  type: 'STANDARD' | 'EXPRESS';
  roleArn: string;
  /** The definition as a JSON string with substitutions and intrinsics resolved. */
  definition: string;
}

/** An `AWS::StepFunctions::StateMachineVersion`: published from its machine's definition at start. */
export interface StateMachineVersionSpec {
  logicalId: string;
  stateMachineArn: string;
  /** What the template's `Ref` to it resolves to (its number on a fresh data directory). */
  expectedArn: string;
  description?: string;
}

export interface StateMachineAliasSpec {
  logicalId: string;
  name: string;
  arn: string;
  description?: string;
  /** Each version by the version resource it names (when it does) and by ARN. */
  routing: { versionLogicalId?: string; versionArn: string; weight: number }[];
}

export interface ActivitySpec {
  logicalId: string;
  name: string;
  arn: string;
}

export type ApiIntegration =
  | { type: 'AWS_PROXY'; functionName: string; timeoutMillis: number }
  | {
      type: 'MOCK';
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    }
  | { type: 'UNSUPPORTED'; description: string };

export interface ApiMethodSpec {
  /** Resource path with placeholders as declared, e.g. `/v1/items/{id}` or `/{proxy+}`. */
  resourcePath: string;
  httpMethod: string;
  authorizationType: string;
  authorizer: ApiAuthorizerSpec | undefined;
  authorizationScopes: string[];
  apiKeyRequired: boolean;
  integration: ApiIntegration;
}

export interface ApiAuthorizerSpec {
  logicalId: string;
  id: string;
  name: string;
  type: string;
  /** Logical ids of the user pools the authorizer trusts. */
  userPoolLogicalIds: string[];
  identitySourceHeader: string;
}

export interface GatewayResponseSpec {
  responseType: string;
  statusCode: number | undefined;
  headers: Record<string, string>;
  templates: Record<string, string>;
}

export interface RestApiSpec {
  logicalId: string;
  id: string;
  name: string;
  stageNames: string[];
  resourcePaths: string[];
  methods: ApiMethodSpec[];
  gatewayResponses: GatewayResponseSpec[];
}

export interface UserPoolSpec {
  logicalId: string;
  id: string;
  arn: string;
  resourceServers: { identifier: string; scopes: string[] }[];
}

export interface UserPoolClientSpec {
  logicalId: string;
  clientId: string;
  clientName: string;
  userPoolLogicalId: string | undefined;
  allowedOAuthFlows: string[];
  allowedOAuthScopes: string[];
  generateSecret: boolean;
  /** Where the authorization-code flow may return (`CallbackURLs`) and sign-out may land (`LogoutURLs`). */
  callbackUrls: string[];
  logoutUrls: string[];
}

/** An `AWS::Cognito::UserPoolGroup` of the template. */
export interface UserPoolGroupSpec {
  userPoolLogicalId: string | undefined;
  groupName: string;
}

export interface EventBusSpec {
  logicalId: string;
  name: string;
  arn: string;
}

export interface EmailIdentitySpec {
  logicalId: string;
  /** An address (`a@b.example`) or a domain (`b.example`). */
  identity: string;
  type: 'EMAIL_ADDRESS' | 'DOMAIN';
  /** The identity's default configuration set (`ConfigurationSetAttributes`). */
  configurationSetName: string | undefined;
}

export interface ConfigurationSetSpec {
  logicalId: string;
  name: string;
  eventDestinations: {
    name: string;
    enabled: boolean;
    /** Lower-case event types as CloudFormation writes them (`send`, `delivery`, `bounce`, ...). */
    matchingEventTypes: string[];
    /** The bus ARN of an `EventBridgeDestination` (SES only allows the default bus). */
    eventBusArn: string | undefined;
    /** The topic ARN of an `SnsDestination`. */
    topicArn: string | undefined;
  }[];
}

export interface TopicSpec {
  logicalId: string;
  name: string;
  arn: string;
  displayName: string | undefined;
  fifo: boolean;
}

export interface SubscriptionSpec {
  /** The `AWS::SNS::Subscription` logical id, or `<topic logical id>/Subscription/<n>` for a topic's own list. */
  logicalId: string;
  arn: string;
  topicArn: string;
  protocol: string;
  endpoint: string;
  filterPolicy: Record<string, unknown> | undefined;
  filterPolicyScope: 'MessageAttributes' | 'MessageBody';
  rawMessageDelivery: boolean;
}

export interface TargetInputSpec {
  input: string | undefined;
  inputPath: string | undefined;
  inputTransformer: { inputPathsMap: Record<string, string>; inputTemplate: string } | undefined;
}

export interface EventRuleSpec {
  logicalId: string;
  name: string;
  arn: string;
  eventBusName: string;
  eventPattern: Record<string, unknown> | undefined;
  scheduleExpression: string | undefined;
  enabled: boolean;
  targets: ({ id: string; arn: string } & TargetInputSpec)[];
}

export interface ScheduleSpec {
  logicalId: string;
  name: string;
  groupName: string;
  arn: string;
  expression: string;
  timezone: string;
  startDate: string | undefined;
  endDate: string | undefined;
  enabled: boolean;
  flexibleWindowMinutes: number;
  actionAfterCompletion: 'NONE' | 'DELETE';
  target: { arn: string; input: string | undefined };
}

export interface BucketSpec {
  logicalId: string;
  name: string;
  arn: string;
}

/**
 * A `Custom::CDKBucketDeployment` (CDK's `BucketDeployment`): the asset folders it copies into a bucket. The local
 * cloud runs no custom resources; it serves these folders itself (the web console).
 */
export interface BucketDeploymentSpec {
  logicalId: string;
  destinationBucketLogicalId: string | undefined;
  /** Each source's folder in the cloud assembly, in the deployment's order (later sources win on AWS). */
  sourceDirectories: string[];
  /** `aws s3 sync` filters in order (`Exclude` before `Include`, as the custom resource passes them). */
  exclude: string[];
  include: string[];
  /** The `Cache-Control` the copied objects get, when the deployment sets one. */
  cacheControl: string | undefined;
}

export interface LambdaPermissionSpec {
  logicalId: string;
  functionName: string;
  principal: string;
  sourceArn: string | undefined;
}

export interface LocalTemplate {
  stackName: string;
  tables: TableSpec[];
  functions: FunctionSpec[];
  stateMachines: StateMachineSpec[];
  stateMachineVersions: StateMachineVersionSpec[];
  stateMachineAliases: StateMachineAliasSpec[];
  activities: ActivitySpec[];
  restApis: RestApiSpec[];
  userPools: UserPoolSpec[];
  userPoolClients: UserPoolClientSpec[];
  userPoolGroups: UserPoolGroupSpec[];
  eventBuses: EventBusSpec[];
  emailIdentities: EmailIdentitySpec[];
  configurationSets: ConfigurationSetSpec[];
  topics: TopicSpec[];
  subscriptions: SubscriptionSpec[];
  eventRules: EventRuleSpec[];
  schedules: ScheduleSpec[];
  buckets: BucketSpec[];
  lambdaPermissions: LambdaPermissionSpec[];
  bucketDeployments: BucketDeploymentSpec[];
  /** Resolves any template value (for callers that need e.g. outputs). */
  resolve(value: unknown): unknown;
}
