/**
 * Resolves CloudFormation intrinsics (`Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, ...) that point at the stack's own
 * resources to local names, ids and ARNs. Same stack and logical id → same local value, run after run.
 */
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, localArn, stableId, stableUuid } from './ids';
import { aliasArnOf, versionArnOf } from './readers/state-machine-versions';
import type { CfnResource, JsonObject } from './types';
import { asString, isObject, TemplateError } from './values';

/** The property that names a resource, when the template sets one. */
const NAME_PROPERTY: Record<string, string> = {
  'AWS::DynamoDB::Table': 'TableName',
  'AWS::DynamoDB::GlobalTable': 'TableName',
  'AWS::Lambda::Function': 'FunctionName',
  'AWS::StepFunctions::StateMachine': 'StateMachineName',
  'AWS::StepFunctions::Activity': 'Name',
  'AWS::Events::EventBus': 'Name',
  'AWS::Events::Rule': 'Name',
  'AWS::Scheduler::Schedule': 'Name',
  'AWS::Scheduler::ScheduleGroup': 'Name',
  'AWS::SNS::Topic': 'TopicName',
  'AWS::SQS::Queue': 'QueueName',
  'AWS::S3::Bucket': 'BucketName',
  'AWS::SES::ConfigurationSet': 'Name',
  'AWS::IAM::Role': 'RoleName',
  'AWS::Logs::LogGroup': 'LogGroupName',
  'AWS::SecretsManager::Secret': 'Name',
  'AWS::ApiGateway::RestApi': 'Name',
  'AWS::Cognito::UserPoolClient': 'ClientName',
};

/** Resource types whose `Ref` is a generated id rather than their name. */
const ID_REFS = new Set([
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Authorizer',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::Method',
]);

const PSEUDO_PARAMETERS: Record<string, (stackName: string) => unknown> = {
  'AWS::Region': () => LOCAL_REGION,
  'AWS::AccountId': () => LOCAL_ACCOUNT_ID,
  'AWS::Partition': () => 'aws',
  'AWS::URLSuffix': () => 'amazonaws.com',
  'AWS::StackName': (stackName) => stackName,
  'AWS::StackId': (stackName) => localArn('cloudformation', `stack/${stackName}/${stableId(8, stackName)}`),
  'AWS::NoValue': () => undefined,
};

export class TemplateResolver {
  private readonly physicalNames = new Map<string, string>();

  constructor(
    readonly resources: Record<string, CfnResource>,
    private readonly parameters: JsonObject,
    readonly stackName: string,
  ) {}

  /** Logical ids of every resource of one type, in template order. */
  logicalIdsOf(type: string): string[] {
    return Object.entries(this.resources)
      .filter(([, resource]) => resource.Type === type)
      .map(([logicalId]) => logicalId);
  }

  /** The properties as written (intrinsics unresolved). */
  propertiesOf(logicalId: string): JsonObject {
    return this.resources[logicalId]?.Properties ?? {};
  }

  /** The properties with every intrinsic resolved. */
  resolvedProperties(logicalId: string): Record<string, unknown> {
    const resolved = this.resolve(this.propertiesOf(logicalId));
    return isObject(resolved) ? resolved : {};
  }

  /** The logical id a `Ref` or `Fn::GetAtt` points at, without resolving it. */
  logicalIdOfRef(value: unknown): string | undefined {
    if (isObject(value) && typeof value.Ref === 'string') return value.Ref;
    if (isObject(value) && value['Fn::GetAtt'] !== undefined) {
      const argument = value['Fn::GetAtt'];
      if (Array.isArray(argument) && typeof argument[0] === 'string') return argument[0];
      if (typeof argument === 'string') return argument.split('.')[0];
    }
    return undefined;
  }

  userPoolId = (logicalId: string): string =>
    `${LOCAL_REGION}_${stableId(9, this.stackName, logicalId).toUpperCase()}`;
  restApiId = (logicalId: string): string => stableId(10, this.stackName, logicalId);
  resourceId = (logicalId: string): string => stableId(6, this.stackName, logicalId);

  /** A resource's own name property when it resolves to a string, else `<stack>-<logicalId>`. */
  physicalName(logicalId: string): string {
    const known = this.physicalNames.get(logicalId);
    if (known !== undefined) return known;
    const resource = this.resources[logicalId];
    const property = resource ? NAME_PROPERTY[resource.Type] : undefined;
    const declared = property ? resource?.Properties?.[property] : undefined;
    // S3 bucket names are lower case (CloudFormation lower-cases the names it generates for them too).
    const fallback =
      resource?.Type === 'AWS::S3::Bucket'
        ? `${this.stackName}-${logicalId}`
            .toLowerCase()
            .replace(/[^a-z0-9.-]/g, '-')
            .slice(0, 63)
        : `${this.stackName}-${logicalId}`.slice(0, 64);
    // Names that are themselves intrinsics resolve lazily; the fallback set first stops self-reference loops.
    this.physicalNames.set(logicalId, fallback);
    let name = fallback;
    if (declared !== undefined && resource?.Type !== 'AWS::Cognito::UserPoolClient') {
      const resolved = this.resolve(declared);
      if (typeof resolved === 'string') name = resolved;
    }
    this.physicalNames.set(logicalId, name);
    return name;
  }

  ref(logicalId: string): unknown {
    const pseudo = PSEUDO_PARAMETERS[logicalId];
    if (pseudo) return pseudo(this.stackName);
    const parameter = this.parameters[logicalId];
    if (parameter !== undefined) return isObject(parameter) ? parameter.Default : undefined;
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateError(`Ref to unknown logical id ${logicalId}`);
    if (ID_REFS.has(resource.Type)) return this.resourceId(logicalId);
    switch (resource.Type) {
      case 'AWS::StepFunctions::StateMachine':
      case 'AWS::StepFunctions::Activity':
      case 'AWS::SecretsManager::Secret':
        return this.getAtt(logicalId, 'Arn');
      case 'AWS::StepFunctions::StateMachineVersion':
        return versionArnOf(this, logicalId);
      case 'AWS::StepFunctions::StateMachineAlias':
        return aliasArnOf(this, logicalId);
      case 'AWS::SNS::Topic':
        return this.getAtt(logicalId, 'TopicArn');
      case 'AWS::Cognito::UserPool':
        return this.userPoolId(logicalId);
      case 'AWS::Cognito::UserPoolClient':
        return stableId(26, this.stackName, logicalId);
      case 'AWS::Cognito::UserPoolResourceServer':
        return this.resolve(this.propertiesOf(logicalId).Identifier);
      case 'AWS::Cognito::UserPoolDomain':
        return this.resolve(this.propertiesOf(logicalId).Domain);
      case 'AWS::SNS::Subscription': {
        const topicArn = this.resolve(this.propertiesOf(logicalId).TopicArn);
        return `${asString(topicArn, 'subscription TopicArn')}:${stableUuid(this.stackName, logicalId)}`;
      }
      case 'AWS::SES::EmailIdentity':
        return this.resolve(this.propertiesOf(logicalId).EmailIdentity);
      case 'AWS::KMS::Key':
        return stableUuid(this.stackName, logicalId);
      case 'AWS::ApiGateway::RestApi':
        return this.restApiId(logicalId);
      case 'AWS::ApiGateway::Stage':
        return this.resolve(this.propertiesOf(logicalId).StageName);
      case 'AWS::SQS::Queue':
        return `http://sqs.${LOCAL_REGION}.localhost/${LOCAL_ACCOUNT_ID}/${this.physicalName(logicalId)}`;
      default:
        return this.physicalName(logicalId);
    }
  }

  getAtt(logicalId: string, attribute: string): unknown {
    const resource = this.resources[logicalId];
    if (!resource) throw new TemplateError(`Fn::GetAtt of unknown logical id ${logicalId}`);
    const name = this.physicalName(logicalId);
    const arn = localArn;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        if (attribute === 'StreamArn') return arn('dynamodb', `table/${name}/stream/1970-01-01T00:00:00.000`);
        return arn('dynamodb', `table/${name}`);
      case 'AWS::Lambda::Function':
        return arn('lambda', `function:${name}`);
      case 'AWS::StepFunctions::StateMachine':
        if (attribute === 'Name') return name;
        return arn('states', `stateMachine:${name}`);
      case 'AWS::StepFunctions::Activity':
        if (attribute === 'Name') return name;
        return arn('states', `activity:${name}`);
      case 'AWS::StepFunctions::StateMachineVersion':
        return versionArnOf(this, logicalId);
      case 'AWS::StepFunctions::StateMachineAlias':
        return aliasArnOf(this, logicalId);
      case 'AWS::Events::EventBus':
        if (attribute === 'Name') return name;
        return arn('events', `event-bus/${name}`);
      case 'AWS::Events::Rule': {
        // A rule on a custom bus has the bus in its ARN.
        const bus = this.resolve(resource.Properties?.EventBusName);
        const busName = typeof bus === 'string' ? (/:event-bus\/(.+)$/.exec(bus)?.[1] ?? bus) : 'default';
        return arn('events', `rule/${busName === 'default' ? '' : `${busName}/`}${name}`);
      }
      case 'AWS::Scheduler::Schedule': {
        const group = this.resolve(resource.Properties?.GroupName);
        return arn('scheduler', `schedule/${typeof group === 'string' ? group : 'default'}/${name}`);
      }
      case 'AWS::IAM::Role':
        if (attribute === 'RoleId') return stableId(21, this.stackName, logicalId).toUpperCase();
        return arn('iam', `role/${name}`, false);
      case 'AWS::Logs::LogGroup':
        return arn('logs', `log-group:${name}:*`);
      case 'AWS::SecretsManager::Secret':
        return arn('secretsmanager', `secret:${name}-${stableId(6, this.stackName, logicalId)}`);
      case 'AWS::SNS::Topic':
        if (attribute === 'TopicName') return name;
        return arn('sns', name);
      case 'AWS::S3::Bucket':
        return this.bucketAttribute(name, attribute);
      case 'AWS::KMS::Key':
        return arn('kms', `key/${stableUuid(this.stackName, logicalId)}`);
      case 'AWS::SQS::Queue':
        return attribute === 'QueueName' ? name : arn('sqs', name);
      case 'AWS::Cognito::UserPool':
        return this.userPoolAttribute(logicalId, attribute);
      case 'AWS::ApiGateway::RestApi':
        if (attribute === 'RootResourceId') return this.resourceId(`${logicalId}/root`);
        return this.restApiId(logicalId);
      default:
        if (attribute === 'Arn') return arn(resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown', name);
        return `${name}.${attribute}`;
    }
  }

  private bucketAttribute(name: string, attribute: string): unknown {
    if (attribute === 'Arn') return `arn:aws:s3:::${name}`;
    if (attribute === 'DomainName' || attribute === 'RegionalDomainName')
      return `${name}.s3.${LOCAL_REGION}.amazonaws.com`;
    return `${name}.${attribute}`;
  }

  private userPoolAttribute(logicalId: string, attribute: string): unknown {
    const id = this.userPoolId(logicalId);
    if (attribute === 'ProviderName') return `cognito-idp.${LOCAL_REGION}.amazonaws.com/${id}`;
    if (attribute === 'ProviderURL') return `https://cognito-idp.${LOCAL_REGION}.amazonaws.com/${id}`;
    return localArn('cognito-idp', `userpool/${id}`);
  }

  private substitute(text: string, variables: Record<string, unknown>): string {
    return text.replace(/\$\{(!?)([^}]+)\}/g, (_match, literal: string, expression: string) => {
      if (literal === '!') return `\${${expression}}`;
      if (expression in variables) return asString(variables[expression], `Fn::Sub variable ${expression}`);
      const dot = expression.indexOf('.');
      if (dot > 0 && !expression.startsWith('AWS::')) {
        const value = this.getAtt(expression.slice(0, dot), expression.slice(dot + 1));
        return asString(value, `Fn::Sub ${expression}`);
      }
      return asString(this.ref(expression), `Fn::Sub ${expression}`);
    });
  }

  /** Resolves every intrinsic inside `value`; `AWS::NoValue` removes the key or list entry. */
  resolve = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(this.resolve).filter((v) => v !== undefined);
    if (!isObject(value)) return value;
    const keys = Object.keys(value);
    const key = keys[0];
    if (keys.length === 1 && key !== undefined && key in INTRINSICS) {
      return INTRINSICS[key]?.(this, value[key]);
    }
    const result: Record<string, unknown> = {};
    for (const [name, inner] of Object.entries(value)) {
      const resolved = this.resolve(inner);
      if (resolved !== undefined) result[name] = resolved;
    }
    return result;
  };

  /** `Fn::Sub` with an optional variable map, for the intrinsic table below. */
  sub(argument: unknown): string {
    if (typeof argument === 'string') return this.substitute(argument, {});
    if (!Array.isArray(argument)) throw new TemplateError('Fn::Sub expects a string or [string, map]');
    const variables = this.resolve(argument[1]);
    return this.substitute(asString(argument[0], 'Fn::Sub'), isObject(variables) ? variables : {});
  }
}

type Intrinsic = (resolver: TemplateResolver, argument: unknown) => unknown;

/** One entry per intrinsic function the local cloud understands. */
const INTRINSICS: Record<string, Intrinsic> = {
  Ref: (resolver, argument) => resolver.ref(asString(argument, 'Ref')),
  'Fn::GetAtt': (resolver, argument) => {
    const [logicalId, ...attribute] = Array.isArray(argument)
      ? argument.map((part, i) => asString(resolver.resolve(part), `Fn::GetAtt[${i}]`))
      : asString(argument, 'Fn::GetAtt').split('.');
    return resolver.getAtt(logicalId ?? '', attribute.join('.'));
  },
  'Fn::Join': (resolver, argument) => {
    if (!Array.isArray(argument)) throw new TemplateError('Fn::Join expects [delimiter, list]');
    const delimiter = asString(argument[0], 'Fn::Join delimiter');
    const list = resolver.resolve(argument[1]);
    if (!Array.isArray(list)) throw new TemplateError('Fn::Join expects a list');
    return list.map((part, i) => asString(part, `Fn::Join[${i}]`)).join(delimiter);
  },
  'Fn::Sub': (resolver, argument) => resolver.sub(argument),
  'Fn::Select': (resolver, argument) => {
    if (!Array.isArray(argument)) throw new TemplateError('Fn::Select expects [index, list]');
    const index = Number(resolver.resolve(argument[0]));
    const list = resolver.resolve(argument[1]);
    if (!Array.isArray(list) || !(index in list)) throw new TemplateError('Fn::Select index out of range');
    return list[index];
  },
  'Fn::Split': (resolver, argument) => {
    if (!Array.isArray(argument)) throw new TemplateError('Fn::Split expects [delimiter, string]');
    const text = asString(resolver.resolve(argument[1]), 'Fn::Split');
    return text.split(asString(argument[0], 'Fn::Split delimiter'));
  },
  'Fn::Base64': (resolver, argument) =>
    Buffer.from(asString(resolver.resolve(argument), 'Fn::Base64')).toString('base64'),
  'Fn::GetAZs': () => [`${LOCAL_REGION}a`, `${LOCAL_REGION}b`, `${LOCAL_REGION}c`],
};
