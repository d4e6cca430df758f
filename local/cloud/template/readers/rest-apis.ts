import type { TemplateResolver } from '../resolver';
import type {
  ApiAuthorizerSpec,
  ApiIntegration,
  ApiMethodSpec,
  FunctionSpec,
  GatewayResponseSpec,
  RestApiSpec,
} from '../types';
import { asString, asStringArray, isObject, quotedParameters, TemplateError } from '../values';

/** One REST API's resources, read relative to the API they belong to. */
class RestApiReader {
  private readonly rootId: string;
  private readonly pathByResourceId = new Map<string, string>();

  constructor(
    private readonly resolver: TemplateResolver,
    private readonly apiLogicalId: string,
    private readonly functionByArn: ReadonlyMap<string, FunctionSpec>,
  ) {
    this.rootId = asString(resolver.getAtt(apiLogicalId, 'RootResourceId'), 'root resource id');
    this.pathByResourceId.set(this.rootId, '/');
  }

  private belongsToApi = (logicalId: string): boolean =>
    this.resolver.logicalIdOfRef(this.resolver.propertiesOf(logicalId).RestApiId) === this.apiLogicalId;

  private ownLogicalIds(type: string): string[] {
    return this.resolver.logicalIdsOf(type).filter(this.belongsToApi);
  }

  /** `/v1/orders/{id}` for an `AWS::ApiGateway::Resource`, built from its parents. */
  private pathOf(resourceLogicalId: string, depth = 0): string {
    const id = this.resolver.resourceId(resourceLogicalId);
    const known = this.pathByResourceId.get(id);
    if (known !== undefined) return known;
    if (depth > 64) throw new TemplateError('API resource tree has a cycle');
    const raw = this.resolver.propertiesOf(resourceLogicalId);
    const parentLogicalId = this.resolver.logicalIdOfRef(raw.ParentId);
    const parentId = asString(this.resolver.resolve(raw.ParentId), 'ParentId');
    const parentPath =
      parentId === this.rootId || parentLogicalId === undefined
        ? '/'
        : this.pathOf(parentLogicalId, depth + 1);
    const pathPart = asString(this.resolver.resolve(raw.PathPart), 'PathPart');
    const path = `${parentPath === '/' ? '' : parentPath}/${pathPart}`;
    this.pathByResourceId.set(id, path);
    return path;
  }

  private authorizers(): Map<string, ApiAuthorizerSpec> {
    const authorizers = new Map<string, ApiAuthorizerSpec>();
    for (const logicalId of this.ownLogicalIds('AWS::ApiGateway::Authorizer')) {
      const raw = this.resolver.propertiesOf(logicalId);
      const properties = this.resolver.resolvedProperties(logicalId);
      const providers = Array.isArray(raw.ProviderARNs) ? raw.ProviderARNs : [];
      const source = typeof properties.IdentitySource === 'string' ? properties.IdentitySource : '';
      authorizers.set(logicalId, {
        logicalId,
        id: this.resolver.resourceId(logicalId),
        name: typeof properties.Name === 'string' ? properties.Name : logicalId,
        type: asString(properties.Type, 'authorizer Type'),
        userPoolLogicalIds: providers
          .map((provider) => this.resolver.logicalIdOfRef(provider))
          .filter((id): id is string => id !== undefined),
        identitySourceHeader: source.replace(/^method\.request\.header\./, '') || 'Authorization',
      });
    }
    return authorizers;
  }

  private integrationOf(integration: unknown): ApiIntegration {
    if (!isObject(integration)) return { type: 'UNSUPPORTED', description: 'no integration' };
    const type = String(integration.Type);
    if (type === 'AWS_PROXY') {
      const uri = String(integration.Uri ?? '');
      const match = /functions\/(.+)\/invocations$/.exec(uri);
      const target = match?.[1] ? this.functionByArn.get(match[1]) : undefined;
      if (!target) return { type: 'UNSUPPORTED', description: `AWS_PROXY to ${uri}` };
      const timeoutMillis =
        typeof integration.TimeoutInMillis === 'number' ? integration.TimeoutInMillis : 29_000;
      return { type: 'AWS_PROXY', functionName: target.functionName, timeoutMillis };
    }
    if (type === 'MOCK') {
      const responses = Array.isArray(integration.IntegrationResponses)
        ? integration.IntegrationResponses
        : [];
      const first = responses.find(isObject) ?? {};
      const templates = isObject(first.ResponseTemplates) ? first.ResponseTemplates : {};
      return {
        type: 'MOCK',
        statusCode: Number(first.StatusCode ?? 200),
        headers: quotedParameters(first.ResponseParameters, 'method.response.header.'),
        body: typeof templates['application/json'] === 'string' ? templates['application/json'] : '',
      };
    }
    return { type: 'UNSUPPORTED', description: type };
  }

  private methods(): ApiMethodSpec[] {
    const authorizers = this.authorizers();
    return this.ownLogicalIds('AWS::ApiGateway::Method').map((logicalId) => {
      const raw = this.resolver.propertiesOf(logicalId);
      const properties = this.resolver.resolvedProperties(logicalId);
      const resourceLogicalId = this.resolver.logicalIdOfRef(raw.ResourceId);
      const resolvedResourceId = asString(properties.ResourceId, 'ResourceId');
      const resourcePath =
        resolvedResourceId === this.rootId || resourceLogicalId === undefined
          ? '/'
          : this.pathOf(resourceLogicalId);
      const authorizerLogicalId = this.resolver.logicalIdOfRef(raw.AuthorizerId);
      return {
        resourcePath,
        httpMethod: asString(properties.HttpMethod, 'HttpMethod').toUpperCase(),
        authorizationType:
          typeof properties.AuthorizationType === 'string' ? properties.AuthorizationType : 'NONE',
        authorizer: authorizerLogicalId ? authorizers.get(authorizerLogicalId) : undefined,
        authorizationScopes: asStringArray(properties.AuthorizationScopes, 'AuthorizationScopes'),
        apiKeyRequired: properties.ApiKeyRequired === true,
        integration: this.integrationOf(properties.Integration),
      };
    });
  }

  private gatewayResponses(): GatewayResponseSpec[] {
    return this.ownLogicalIds('AWS::ApiGateway::GatewayResponse').map((logicalId) => {
      const properties = this.resolver.resolvedProperties(logicalId);
      const templates = isObject(properties.ResponseTemplates) ? properties.ResponseTemplates : {};
      return {
        responseType: asString(properties.ResponseType, 'ResponseType'),
        statusCode: properties.StatusCode === undefined ? undefined : Number(properties.StatusCode),
        headers: quotedParameters(properties.ResponseParameters, 'gatewayresponse.header.'),
        templates: Object.fromEntries(Object.entries(templates).map(([key, v]) => [key, String(v)])),
      };
    });
  }

  read(): RestApiSpec {
    const resourcePaths = [
      '/',
      ...this.ownLogicalIds('AWS::ApiGateway::Resource').map((id) => this.pathOf(id)),
    ];
    const stageNames = this.ownLogicalIds('AWS::ApiGateway::Stage').map((logicalId) =>
      asString(this.resolver.resolvedProperties(logicalId).StageName, 'StageName'),
    );
    const apiProperties = this.resolver.resolvedProperties(this.apiLogicalId);
    return {
      logicalId: this.apiLogicalId,
      id: this.resolver.restApiId(this.apiLogicalId),
      name: typeof apiProperties.Name === 'string' ? apiProperties.Name : this.apiLogicalId,
      stageNames,
      resourcePaths,
      methods: this.methods(),
      gatewayResponses: this.gatewayResponses(),
    };
  }
}

export function readRestApis(resolver: TemplateResolver, functions: readonly FunctionSpec[]): RestApiSpec[] {
  const functionByArn = new Map(functions.map((fn) => [fn.arn, fn]));
  return resolver
    .logicalIdsOf('AWS::ApiGateway::RestApi')
    .map((logicalId) => new RestApiReader(resolver, logicalId, functionByArn).read());
}
