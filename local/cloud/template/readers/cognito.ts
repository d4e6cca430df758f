import type { TemplateResolver } from '../resolver';
import type { UserPoolClientSpec, UserPoolGroupSpec, UserPoolSpec } from '../types';
import { asString, asStringArray, isObject } from '../values';

function resourceServersOf(
  resolver: TemplateResolver,
  poolLogicalId: string,
): UserPoolSpec['resourceServers'] {
  return resolver
    .logicalIdsOf('AWS::Cognito::UserPoolResourceServer')
    .filter(
      (serverId) => resolver.logicalIdOfRef(resolver.propertiesOf(serverId).UserPoolId) === poolLogicalId,
    )
    .map((serverId) => {
      const properties = resolver.resolvedProperties(serverId);
      const identifier = asString(properties.Identifier, 'resource server Identifier');
      const scopes = Array.isArray(properties.Scopes) ? properties.Scopes : [];
      return {
        identifier,
        scopes: scopes.map((scope) =>
          isObject(scope) ? `${identifier}/${asString(scope.ScopeName, 'ScopeName')}` : String(scope),
        ),
      };
    });
}

export function readUserPools(resolver: TemplateResolver): UserPoolSpec[] {
  return resolver.logicalIdsOf('AWS::Cognito::UserPool').map((logicalId) => ({
    logicalId,
    id: resolver.userPoolId(logicalId),
    arn: asString(resolver.getAtt(logicalId, 'Arn'), 'user pool arn'),
    resourceServers: resourceServersOf(resolver, logicalId),
  }));
}

export function readUserPoolClients(resolver: TemplateResolver): UserPoolClientSpec[] {
  return resolver.logicalIdsOf('AWS::Cognito::UserPoolClient').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    return {
      logicalId,
      clientId: asString(resolver.ref(logicalId), 'client id'),
      clientName: typeof properties.ClientName === 'string' ? properties.ClientName : logicalId,
      userPoolLogicalId: resolver.logicalIdOfRef(resolver.propertiesOf(logicalId).UserPoolId),
      allowedOAuthFlows: asStringArray(properties.AllowedOAuthFlows, 'AllowedOAuthFlows'),
      allowedOAuthScopes: asStringArray(properties.AllowedOAuthScopes, 'AllowedOAuthScopes'),
      generateSecret: properties.GenerateSecret === true,
      callbackUrls: asStringArray(properties.CallbackURLs, 'CallbackURLs'),
      logoutUrls: asStringArray(properties.LogoutURLs, 'LogoutURLs'),
    };
  });
}

export function readUserPoolGroups(resolver: TemplateResolver): UserPoolGroupSpec[] {
  return resolver.logicalIdsOf('AWS::Cognito::UserPoolGroup').map((logicalId) => ({
    userPoolLogicalId: resolver.logicalIdOfRef(resolver.propertiesOf(logicalId).UserPoolId),
    groupName: asString(resolver.resolvedProperties(logicalId).GroupName, 'GroupName'),
  }));
}
