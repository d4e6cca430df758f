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
}

export interface EventBusSpec {
  logicalId: string;
  name: string;
  arn: string;
}

export interface LocalTemplate {
  stackName: string;
  tables: TableSpec[];
  functions: FunctionSpec[];
  stateMachines: StateMachineSpec[];
  restApis: RestApiSpec[];
  userPools: UserPoolSpec[];
  userPoolClients: UserPoolClientSpec[];
  eventBuses: EventBusSpec[];
  /** Resolves any template value (for callers that need e.g. outputs). */
  resolve(value: unknown): unknown;
}
