/**
 * Reads a synthesized CloudFormation template (plus its asset manifest) and lists what the local cloud must run,
 * with every intrinsic that points at the stack's own resources resolved to local names and ARNs.
 * Nothing here knows about Tenggat: it reads whatever the template declares.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

interface CfnResource {
  Type: string;
  Properties?: JsonObject;
  Metadata?: JsonObject;
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

/** Reads `<cdkOut>/<stackName>.template.json` and `<stackName>.assets.json`. */
export function readLocalTemplate(cdkOutDir: string, stackName: string): LocalTemplate {
  const templatePath = join(cdkOutDir, `${stackName}.template.json`);
  const assetsPath = join(cdkOutDir, `${stackName}.assets.json`);
  let template: unknown;
  try {
    template = JSON.parse(readFileSync(templatePath, 'utf8'));
  } catch (error) {
    throw new TemplateError(`cannot read ${templatePath}`, { cause: error });
  }
  const assetManifest = existsSync(assetsPath) ? JSON.parse(readFileSync(assetsPath, 'utf8')) : undefined;
  return parseTemplate(template, { stackName, cdkOutDir, assetManifest });
}

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const asString = (value: unknown, what: string): string => {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new TemplateError(`${what}: expected a string, got ${JSON.stringify(value)}`);
};

const asStringArray = (value: unknown, what: string): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value.map((v, i) => asString(v, `${what}[${i}]`)) : [];

/** A stable lowercase alphanumeric id of the given length, derived from the inputs (same stack → same ids). */
export function stableId(length: number, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; id.length < length; i++) id += alphabet[(digest[i % digest.length] ?? 0) % alphabet.length];
  return id;
}

/** A stable UUID-shaped id (KMS key ids and the like). */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export interface ParseOptions {
  stackName: string;
  cdkOutDir: string;
  assetManifest?: unknown;
}

export function parseTemplate(template: unknown, options: ParseOptions): LocalTemplate {
  if (!isObject(template) || !isObject(template.Resources)) {
    throw new TemplateError('template has no Resources');
  }
  const { stackName, cdkOutDir } = options;
  const resources = template.Resources as unknown as Record<string, CfnResource>;
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const region = LOCAL_REGION;
  const account = LOCAL_ACCOUNT_ID;
  const arn = (service: string, rest: string, withRegion = true, withAccount = true) =>
    `arn:aws:${service}:${withRegion ? region : ''}:${withAccount ? account : ''}:${rest}`;

  const propertiesOf = (logicalId: string): JsonObject => resources[logicalId]?.Properties ?? {};

  // Physical names first: a resource's own name property when it is a plain string, else stack-logicalId.
  const physicalNames = new Map<string, string>();
  const nameProperty: Record<string, string> = {
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::DynamoDB::GlobalTable': 'TableName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::Events::EventBus': 'Name',
    'AWS::IAM::Role': 'RoleName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::SecretsManager::Secret': 'Name',
    'AWS::ApiGateway::RestApi': 'Name',
    'AWS::Cognito::UserPoolClient': 'ClientName',
  };
  const physicalName = (logicalId: string): string => {
    const known = physicalNames.get(logicalId);
    if (known !== undefined) return known;
    const resource = resources[logicalId];
    const property = resource ? nameProperty[resource.Type] : undefined;
    const declared = property ? resource?.Properties?.[property] : undefined;
    // Names that are themselves intrinsics are resolved lazily; a guard stops self-reference loops.
    physicalNames.set(logicalId, `${stackName}-${logicalId}`.slice(0, 64));
    let name = `${stackName}-${logicalId}`.slice(0, 64);
    if (declared !== undefined && resource?.Type !== 'AWS::Cognito::UserPoolClient') {
      const resolved = resolve(declared);
      if (typeof resolved === 'string') name = resolved;
    }
    physicalNames.set(logicalId, name);
    return name;
  };

  const userPoolId = (logicalId: string) => `${region}_${stableId(9, stackName, logicalId).toUpperCase()}`;
  const restApiId = (logicalId: string) => stableId(10, stackName, logicalId);
  const resourceId = (logicalId: string) => stableId(6, stackName, logicalId);

  const ref = (logicalId: string): unknown => {
    switch (logicalId) {
      case 'AWS::Region':
        return region;
      case 'AWS::AccountId':
        return account;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::StackName':
        return stackName;
      case 'AWS::StackId':
        return arn('cloudformation', `stack/${stackName}/${stableId(8, stackName)}`);
      case 'AWS::NoValue':
        return undefined;
    }
    const parameter = parameters[logicalId];
    if (parameter !== undefined) return isObject(parameter) ? parameter.Default : undefined;
    const resource = resources[logicalId];
    if (!resource) throw new TemplateError(`Ref to unknown logical id ${logicalId}`);
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::SecretsManager::Secret':
      case 'AWS::SNS::Topic':
        return getAtt(logicalId, resource.Type === 'AWS::SNS::Topic' ? 'TopicArn' : 'Arn');
      case 'AWS::Cognito::UserPool':
        return userPoolId(logicalId);
      case 'AWS::Cognito::UserPoolClient':
        return stableId(26, stackName, logicalId);
      case 'AWS::Cognito::UserPoolResourceServer':
        return resolve(propertiesOf(logicalId).Identifier);
      case 'AWS::Cognito::UserPoolDomain':
        return resolve(propertiesOf(logicalId).Domain);
      case 'AWS::KMS::Key':
        return stableUuid(stackName, logicalId);
      case 'AWS::ApiGateway::RestApi':
        return restApiId(logicalId);
      case 'AWS::ApiGateway::Stage':
        return resolve(propertiesOf(logicalId).StageName);
      case 'AWS::ApiGateway::Resource':
      case 'AWS::ApiGateway::Authorizer':
      case 'AWS::ApiGateway::Deployment':
      case 'AWS::ApiGateway::Method':
        return resourceId(logicalId);
      case 'AWS::SQS::Queue':
        return `http://sqs.${region}.localhost/${account}/${physicalName(logicalId)}`;
      default:
        return physicalName(logicalId);
    }
  };

  const getAtt = (logicalId: string, attribute: string): unknown => {
    const resource = resources[logicalId];
    if (!resource) throw new TemplateError(`Fn::GetAtt of unknown logical id ${logicalId}`);
    const name = physicalName(logicalId);
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === 'StreamArn') return arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`);
        return arn('dynamodb', `table/${name}`);
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::StepFunctions::StateMachine':
        if (attribute === 'Name') return name;
        return arn('states', `stateMachine:${name}`);
      case 'AWS::Events::EventBus':
        if (attribute === 'Name') return name;
        return arn('events', `event-bus/${name}`);
      case 'AWS::IAM::Role':
        if (attribute === 'RoleId') return stableId(21, stackName, logicalId).toUpperCase();
        return arn('iam', `role/${name}`, false);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${name}-${stableId(6, stackName, logicalId)}`);
      case 'AWS::SNS::Topic':
        return arn('sns', name);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${stableUuid(stackName, logicalId)}`);
      case 'AWS::SQS::Queue':
        return attribute === 'QueueName' ? name : arn('sqs', name);
      case 'AWS::Cognito::UserPool': {
        const id = userPoolId(logicalId);
        if (attribute === 'ProviderName') return `cognito-idp.${region}.amazonaws.com/${id}`;
        if (attribute === 'ProviderURL') return `https://cognito-idp.${region}.amazonaws.com/${id}`;
        return arn('cognito-idp', `userpool/${id}`);
      }
      case 'AWS::ApiGateway::RestApi':
        if (attribute === 'RootResourceId') return resourceId(`${logicalId}/root`);
        return restApiId(logicalId);
      default:
        if (attribute === 'Arn') return arn(resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown', name);
        return `${name}.${attribute}`;
    }
  };

  const substitute = (text: string, variables: Record<string, unknown>): string =>
    text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, expression: string) => {
      if (literal === '!') return `\${${expression}}`;
      if (expression in variables) return asString(variables[expression], `Fn::Sub variable ${expression}`);
      const dot = expression.indexOf('.');
      if (dot > 0 && !expression.startsWith('AWS::')) {
        return asString(getAtt(expression.slice(0, dot), expression.slice(dot + 1)), `Fn::Sub ${expression}`);
      }
      return asString(ref(expression), `Fn::Sub ${expression}`);
    });

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((v) => v !== undefined);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      const argument = value[key];
      switch (key) {
        case 'Ref':
          return ref(asString(argument, 'Ref'));
        case 'Fn::GetAtt': {
          const [logicalId, ...attribute] = Array.isArray(argument)
            ? argument.map((part, i) => asString(resolve(part), `Fn::GetAtt[${i}]`))
            : asString(argument, 'Fn::GetAtt').split('.');
          return getAtt(logicalId ?? '', attribute.join('.'));
        }
        case 'Fn::Join': {
          if (!Array.isArray(argument)) throw new TemplateError('Fn::Join expects [delimiter, list]');
          const delimiter = asString(argument[0], 'Fn::Join delimiter');
          const list = resolve(argument[1]);
          if (!Array.isArray(list)) throw new TemplateError('Fn::Join expects a list');
          return list.map((part, i) => asString(part, `Fn::Join[${i}]`)).join(delimiter);
        }
        case 'Fn::Sub': {
          if (typeof argument === 'string') return substitute(argument, {});
          if (!Array.isArray(argument)) throw new TemplateError('Fn::Sub expects a string or [string, map]');
          const variables = resolve(argument[1]);
          return substitute(asString(argument[0], 'Fn::Sub'), isObject(variables) ? variables : {});
        }
        case 'Fn::Select': {
          if (!Array.isArray(argument)) throw new TemplateError('Fn::Select expects [index, list]');
          const index = Number(resolve(argument[0]));
          const list = resolve(argument[1]);
          if (!Array.isArray(list) || !(index in list))
            throw new TemplateError('Fn::Select index out of range');
          return list[index];
        }
        case 'Fn::Split': {
          if (!Array.isArray(argument)) throw new TemplateError('Fn::Split expects [delimiter, string]');
          return asString(resolve(argument[1]), 'Fn::Split').split(
            asString(argument[0], 'Fn::Split delimiter'),
          );
        }
        case 'Fn::Base64':
          return Buffer.from(asString(resolve(argument), 'Fn::Base64')).toString('base64');
        case 'Fn::GetAZs':
          return [`${region}a`, `${region}b`, `${region}c`];
      }
    }
    const result: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const resolved = resolve(inner);
      if (resolved !== undefined) result[key] = resolved;
    }
    return result;
  }

  const logicalIdsOf = (type: string) =>
    Object.entries(resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId]) => logicalId);

  const resolvedProperties = (logicalId: string): Record<string, unknown> => {
    const resolved = resolve(propertiesOf(logicalId));
    return isObject(resolved) ? resolved : {};
  };

  const logicalIdOfRef = (value: unknown): string | undefined => {
    if (isObject(value) && typeof value.Ref === 'string') return value.Ref;
    if (isObject(value) && value['Fn::GetAtt'] !== undefined) {
      const argument = value['Fn::GetAtt'];
      if (Array.isArray(argument) && typeof argument[0] === 'string') return argument[0];
      if (typeof argument === 'string') return argument.split('.')[0];
    }
    return undefined;
  };

  // Tables
  const tables: TableSpec[] = logicalIdsOf('AWS::DynamoDB::Table').map((logicalId) => {
    const properties = resolvedProperties(logicalId);
    const ttl = properties.TimeToLiveSpecification;
    const tableName = physicalName(logicalId);
    return {
      logicalId,
      tableName,
      arn: asString(getAtt(logicalId, 'Arn'), 'table arn'),
      keySchema: (properties.KeySchema ?? []) as TableSpec['keySchema'],
      attributeDefinitions: (properties.AttributeDefinitions ?? []) as TableSpec['attributeDefinitions'],
      globalSecondaryIndexes: (
        (properties.GlobalSecondaryIndexes ?? []) as TableSpec['globalSecondaryIndexes']
      ).map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
      ttlAttribute:
        isObject(ttl) && ttl.Enabled !== false && typeof ttl.AttributeName === 'string'
          ? ttl.AttributeName
          : undefined,
    };
  });

  // Functions
  const assetFiles =
    isObject(options.assetManifest) && isObject(options.assetManifest.files)
      ? options.assetManifest.files
      : {};
  const assetDirOf = (logicalId: string): string | undefined => {
    const metadataPath = resources[logicalId]?.Metadata?.['aws:asset:path'];
    if (typeof metadataPath === 'string') return join(cdkOutDir, metadataPath);
    const code = resolvedProperties(logicalId).Code;
    if (!isObject(code) || typeof code.S3Key !== 'string') return undefined;
    const hash = code.S3Key.replace(/\.zip$/, '');
    const asset = assetFiles[hash];
    if (isObject(asset) && isObject(asset.source) && typeof asset.source.path === 'string') {
      return join(cdkOutDir, asset.source.path);
    }
    return undefined;
  };
  const functions: FunctionSpec[] = logicalIdsOf('AWS::Lambda::Function').map((logicalId) => {
    const properties = resolvedProperties(logicalId);
    const environment = isObject(properties.Environment) ? properties.Environment.Variables : undefined;
    return {
      logicalId,
      functionName: physicalName(logicalId),
      arn: asString(getAtt(logicalId, 'Arn'), 'function arn'),
      assetDir: assetDirOf(logicalId),
      handler: typeof properties.Handler === 'string' ? properties.Handler : 'index.handler',
      runtime: typeof properties.Runtime === 'string' ? properties.Runtime : 'nodejs20.x',
      environment: Object.fromEntries(
        Object.entries(isObject(environment) ? environment : {}).map(([key, v]) => [key, asString(v, key)]),
      ),
      memorySize: typeof properties.MemorySize === 'number' ? properties.MemorySize : 128,
      timeoutSeconds: typeof properties.Timeout === 'number' ? properties.Timeout : 3,
    };
  });

  // State machines
  const stateMachines: StateMachineSpec[] = logicalIdsOf('AWS::StepFunctions::StateMachine').map(
    (logicalId) => {
      const raw = propertiesOf(logicalId);
      const properties = resolvedProperties(logicalId);
      let definition: string;
      if (raw.DefinitionString !== undefined) {
        definition = asString(properties.DefinitionString, 'DefinitionString');
      } else if (raw.Definition !== undefined) {
        definition = JSON.stringify(properties.Definition);
      } else {
        throw new TemplateError(`state machine ${logicalId} has no inline definition`);
      }
      const substitutions = properties.DefinitionSubstitutions;
      if (isObject(substitutions)) {
        definition = definition.replace(/\$\{([^}]+)\}/g, (match, key: string) =>
          key in substitutions ? asString(substitutions[key], key) : match,
        );
      }
      return {
        logicalId,
        name: physicalName(logicalId),
        arn: asString(getAtt(logicalId, 'Arn'), 'state machine arn'),
        type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
        roleArn:
          typeof properties.RoleArn === 'string'
            ? properties.RoleArn
            : arn('iam', 'role/local-stepfunctions', false),
        definition,
      };
    },
  );

  // Cognito
  const userPools: UserPoolSpec[] = logicalIdsOf('AWS::Cognito::UserPool').map((logicalId) => ({
    logicalId,
    id: userPoolId(logicalId),
    arn: asString(getAtt(logicalId, 'Arn'), 'user pool arn'),
    resourceServers: logicalIdsOf('AWS::Cognito::UserPoolResourceServer')
      .filter((serverId) => logicalIdOfRef(propertiesOf(serverId).UserPoolId) === logicalId)
      .map((serverId) => {
        const properties = resolvedProperties(serverId);
        const identifier = asString(properties.Identifier, 'resource server Identifier');
        const scopes = Array.isArray(properties.Scopes) ? properties.Scopes : [];
        return {
          identifier,
          scopes: scopes.map((scope) =>
            isObject(scope) ? `${identifier}/${asString(scope.ScopeName, 'ScopeName')}` : String(scope),
          ),
        };
      }),
  }));
  const userPoolClients: UserPoolClientSpec[] = logicalIdsOf('AWS::Cognito::UserPoolClient').map(
    (logicalId) => {
      const properties = resolvedProperties(logicalId);
      return {
        logicalId,
        clientId: asString(ref(logicalId), 'client id'),
        clientName: typeof properties.ClientName === 'string' ? properties.ClientName : logicalId,
        userPoolLogicalId: logicalIdOfRef(propertiesOf(logicalId).UserPoolId),
        allowedOAuthFlows: asStringArray(properties.AllowedOAuthFlows, 'AllowedOAuthFlows'),
        allowedOAuthScopes: asStringArray(properties.AllowedOAuthScopes, 'AllowedOAuthScopes'),
        generateSecret: properties.GenerateSecret === true,
      };
    },
  );

  // Event buses
  const eventBuses: EventBusSpec[] = logicalIdsOf('AWS::Events::EventBus').map((logicalId) => ({
    logicalId,
    name: physicalName(logicalId),
    arn: asString(getAtt(logicalId, 'Arn'), 'event bus arn'),
  }));

  // REST APIs
  const functionByArn = new Map(functions.map((fn) => [fn.arn, fn]));
  const restApis: RestApiSpec[] = logicalIdsOf('AWS::ApiGateway::RestApi').map((apiLogicalId) => {
    const belongsToApi = (logicalId: string) =>
      logicalIdOfRef(propertiesOf(logicalId).RestApiId) === apiLogicalId;
    const rootId = asString(getAtt(apiLogicalId, 'RootResourceId'), 'root resource id');
    const pathByResourceId = new Map<string, string>([[rootId, '/']]);
    const resourceIds = logicalIdsOf('AWS::ApiGateway::Resource').filter(belongsToApi);
    const pathOf = (resourceLogicalId: string, depth = 0): string => {
      const id = resourceId(resourceLogicalId);
      const known = pathByResourceId.get(id);
      if (known !== undefined) return known;
      if (depth > 64) throw new TemplateError('API resource tree has a cycle');
      const raw = propertiesOf(resourceLogicalId);
      const parentLogicalId = logicalIdOfRef(raw.ParentId);
      const parentId = asString(resolve(raw.ParentId), 'ParentId');
      const parentPath =
        parentId === rootId || parentLogicalId === undefined ? '/' : pathOf(parentLogicalId, depth + 1);
      const path = `${parentPath === '/' ? '' : parentPath}/${asString(resolve(raw.PathPart), 'PathPart')}`;
      pathByResourceId.set(id, path);
      return path;
    };
    const resourcePaths = ['/', ...resourceIds.map((id) => pathOf(id))];

    const authorizers = new Map<string, ApiAuthorizerSpec>();
    for (const logicalId of logicalIdsOf('AWS::ApiGateway::Authorizer').filter(belongsToApi)) {
      const raw = propertiesOf(logicalId);
      const properties = resolvedProperties(logicalId);
      const providers = Array.isArray(raw.ProviderARNs) ? raw.ProviderARNs : [];
      const source = typeof properties.IdentitySource === 'string' ? properties.IdentitySource : '';
      authorizers.set(logicalId, {
        logicalId,
        id: resourceId(logicalId),
        name: typeof properties.Name === 'string' ? properties.Name : logicalId,
        type: asString(properties.Type, 'authorizer Type'),
        userPoolLogicalIds: providers.map(logicalIdOfRef).filter((id): id is string => id !== undefined),
        identitySourceHeader: source.replace(/^method\.request\.header\./, '') || 'Authorization',
      });
    }

    const integrationOf = (integration: unknown): ApiIntegration => {
      if (!isObject(integration)) return { type: 'UNSUPPORTED', description: 'no integration' };
      const type = String(integration.Type);
      if (type === 'AWS_PROXY') {
        const uri = String(integration.Uri ?? '');
        const match = /functions\/(.+)\/invocations$/.exec(uri);
        const target = match?.[1] ? functionByArn.get(match[1]) : undefined;
        if (!target) return { type: 'UNSUPPORTED', description: `AWS_PROXY to ${uri}` };
        return {
          type: 'AWS_PROXY',
          functionName: target.functionName,
          timeoutMillis:
            typeof integration.TimeoutInMillis === 'number' ? integration.TimeoutInMillis : 29_000,
        };
      }
      if (type === 'MOCK') {
        const responses = Array.isArray(integration.IntegrationResponses)
          ? integration.IntegrationResponses
          : [];
        const first = responses.find(isObject) ?? {};
        const parameters = isObject(first.ResponseParameters) ? first.ResponseParameters : {};
        const templates = isObject(first.ResponseTemplates) ? first.ResponseTemplates : {};
        return {
          type: 'MOCK',
          statusCode: Number(first.StatusCode ?? 200),
          headers: Object.fromEntries(
            Object.entries(parameters)
              .filter(([key]) => key.startsWith('method.response.header.'))
              .map(([key, v]) => [
                key.slice('method.response.header.'.length),
                String(v).replace(/^'|'$/g, ''),
              ]),
          ),
          body: typeof templates['application/json'] === 'string' ? templates['application/json'] : '',
        };
      }
      return { type: 'UNSUPPORTED', description: type };
    };

    const methods: ApiMethodSpec[] = logicalIdsOf('AWS::ApiGateway::Method')
      .filter(belongsToApi)
      .map((logicalId) => {
        const raw = propertiesOf(logicalId);
        const properties = resolvedProperties(logicalId);
        const resourceLogicalId = logicalIdOfRef(raw.ResourceId);
        const resolvedResourceId = asString(properties.ResourceId, 'ResourceId');
        const resourcePath =
          resolvedResourceId === rootId || resourceLogicalId === undefined ? '/' : pathOf(resourceLogicalId);
        const authorizerLogicalId = logicalIdOfRef(raw.AuthorizerId);
        return {
          resourcePath,
          httpMethod: asString(properties.HttpMethod, 'HttpMethod').toUpperCase(),
          authorizationType:
            typeof properties.AuthorizationType === 'string' ? properties.AuthorizationType : 'NONE',
          authorizer: authorizerLogicalId ? authorizers.get(authorizerLogicalId) : undefined,
          authorizationScopes: asStringArray(properties.AuthorizationScopes, 'AuthorizationScopes'),
          apiKeyRequired: properties.ApiKeyRequired === true,
          integration: integrationOf(properties.Integration),
        };
      });

    const gatewayResponses: GatewayResponseSpec[] = logicalIdsOf('AWS::ApiGateway::GatewayResponse')
      .filter(belongsToApi)
      .map((logicalId) => {
        const properties = resolvedProperties(logicalId);
        const parameters = isObject(properties.ResponseParameters) ? properties.ResponseParameters : {};
        const templates = isObject(properties.ResponseTemplates) ? properties.ResponseTemplates : {};
        return {
          responseType: asString(properties.ResponseType, 'ResponseType'),
          statusCode: properties.StatusCode === undefined ? undefined : Number(properties.StatusCode),
          headers: Object.fromEntries(
            Object.entries(parameters)
              .filter(([key]) => key.startsWith('gatewayresponse.header.'))
              .map(([key, v]) => [
                key.slice('gatewayresponse.header.'.length),
                String(v).replace(/^'|'$/g, ''),
              ]),
          ),
          templates: Object.fromEntries(Object.entries(templates).map(([key, v]) => [key, String(v)])),
        };
      });

    const stageNames = logicalIdsOf('AWS::ApiGateway::Stage')
      .filter(belongsToApi)
      .map((logicalId) => asString(resolvedProperties(logicalId).StageName, 'StageName'));
    const apiProperties = resolvedProperties(apiLogicalId);
    return {
      logicalId: apiLogicalId,
      id: restApiId(apiLogicalId),
      name: typeof apiProperties.Name === 'string' ? apiProperties.Name : apiLogicalId,
      stageNames,
      resourcePaths,
      methods,
      gatewayResponses,
    };
  });

  return {
    stackName,
    tables,
    functions,
    stateMachines,
    restApis,
    userPools,
    userPoolClients,
    eventBuses,
    resolve,
  };
}
