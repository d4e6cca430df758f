import { describe, expect, it } from 'vitest';
import { FUNCTION_IDS } from '../../lib/functions';
import { functionPolicies } from './function-policies';
import { synthTenggat } from './synth-tenggat';
import { resolveToString } from './template-values';

type Json = Record<string, unknown>;
const { template } = synthTenggat();
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Json }>;
const { actionsOf, resourcesFor, environmentOf } = functionPolicies(template);
const PLATFORM_ROUTES = [
  'GET /v1/platforms/{platformId}/orders',
  'GET /v1/platforms/{platformId}/orders/{id}',
  'GET /v1/platforms/{platformId}/orders/{id}/items',
  'POST /v1/platforms/{platformId}/orders/{id}/answers',
  'POST /v1/platforms/{platformId}/orders/{id}/clarification-requests',
];

/** Each API method as `"<METHOD> <path>"` with its authorization and the function it invokes. */
function methods() {
  const pathOf = new Map<string, string>();
  const resolvePath = (logicalId: string): string => {
    const known = pathOf.get(logicalId);
    if (known !== undefined) return known;
    const resource = resources[logicalId];
    const parent = resource?.Properties.ParentId as { Ref?: string } | { 'Fn::GetAtt': string[] };
    const parentPath = 'Ref' in parent && parent.Ref ? resolvePath(parent.Ref) : '';
    const path = `${parentPath}/${String(resource?.Properties.PathPart)}`;
    pathOf.set(logicalId, path);
    return path;
  };
  return Object.values(resources)
    .filter((resource) => resource.Type === 'AWS::ApiGateway::Method')
    .map((method) => {
      const resourceId = method.Properties.ResourceId as { Ref?: string };
      return {
        route: `${method.Properties.HttpMethod} ${resourceId.Ref ? resolvePath(resourceId.Ref) : '/'}`,
        authorizationType: method.Properties.AuthorizationType,
        scopes: method.Properties.AuthorizationScopes,
        uri: JSON.stringify(method.Properties.Integration),
      };
    });
}

describe('the platform-side API in the template', () => {
  it('routes each platform route to PlatformApiFunction behind Cognito with the takedown/platform scope', () => {
    const byRoute = new Map(methods().map((method) => [method.route, method]));
    for (const route of PLATFORM_ROUTES) {
      expect(byRoute.get(route), route).toMatchObject({
        authorizationType: 'COGNITO_USER_POOLS',
        scopes: ['takedown/platform'],
      });
      expect(byRoute.get(route)?.uri).toContain('PlatformApiFunction');
    }
    // The signed endpoint stays as it was.
    expect(byRoute.get('POST /v1/platforms/{platformId}/responses')?.authorizationType).toBe('NONE');
  });

  it('the machine pool offers the takedown/platform scope, and no template client holds it', () => {
    const servers = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Cognito::UserPoolResourceServer' &&
        JSON.stringify(resource.Properties.UserPoolId) === JSON.stringify({ Ref: 'TenggatUserPool' }),
    );
    expect(servers).toHaveLength(1);
    const declared = (servers[0]?.Properties.Scopes ?? []) as { ScopeName: string }[];
    const scopes = declared.map((scope) => scope.ScopeName);
    expect(scopes).toEqual(expect.arrayContaining(['read', 'write', 'admin', 'platform']));
    // The machine pool's template clients are agencies' and operators'; platforms get theirs at run time. (The
    // people's console client asks for the scope, and callerOf keeps it only for platform staff.)
    const clients = Object.values(resources).filter(
      (resource) =>
        resource.Type === 'AWS::Cognito::UserPoolClient' &&
        JSON.stringify(resource.Properties.UserPoolId) === JSON.stringify({ Ref: 'TenggatUserPool' }),
    );
    expect(clients.length).toBeGreaterThan(0);
    for (const client of clients)
      expect(client.Properties.AllowedOAuthScopes).not.toContain('takedown/platform');
  });

  it('adds the byPlatform index on gsi4pk/gsi4sk beside the existing ones, on the same table', () => {
    const table = resources.TenggatTable;
    const indexes = table?.Properties.GlobalSecondaryIndexes as { IndexName: string; KeySchema: Json[] }[];
    expect(indexes.map((index) => index.IndexName)).toEqual([
      'byAgency',
      'byOpenOrder',
      'byOpenLocator',
      'byPlatform',
    ]);
    expect(indexes.at(-1)).toMatchObject({
      KeySchema: [
        { AttributeName: 'gsi4pk', KeyType: 'HASH' },
        { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    });
  });

  it('PlatformApiFunction may query byPlatform, write the table and wake executions, and nothing of secrets', () => {
    expect(FUNCTION_IDS).toContain('PlatformApiFunction');
    const queried = resourcesFor('PlatformApiFunction', 'dynamodb:Query');
    expect(queried.some((arn) => arn.endsWith('/index/byPlatform'))).toBe(true);
    expect(queried.some((arn) => arn.endsWith('/index/byOpenOrder'))).toBe(false);
    const actions = actionsOf('PlatformApiFunction');
    expect(actions).toEqual(
      expect.arrayContaining(['dynamodb:UpdateItem', 'states:SendTaskSuccess', 'kms:Sign']),
    );
    expect(actions.some((action) => action.startsWith('secretsmanager:'))).toBe(false);
    expect(actions.some((action) => action.startsWith('cognito-idp:'))).toBe(false);
    for (const functionId of FUNCTION_IDS.filter((id) => id !== 'PlatformApiFunction'))
      expect(
        resourcesFor(functionId, 'dynamodb:Query').some((arn) => arn.endsWith('/index/byPlatform')),
      ).toBe(false);
  });

  it('OperatorFunction alone may create app clients, in the machine pool only, and knows the pool and token URL', () => {
    expect(actionsOf('OperatorFunction')).toContain('cognito-idp:CreateUserPoolClient');
    expect(resourcesFor('OperatorFunction', 'cognito-idp:CreateUserPoolClient')).toEqual([
      expect.stringContaining('TenggatUserPool'),
    ]);
    // Nothing else in the machine pool (the staff pool's group and user actions are test/infra/staff-identity.test.ts's).
    const machinePoolActions = actionsOf('OperatorFunction').filter(
      (action) =>
        action.startsWith('cognito-idp:') &&
        resourcesFor('OperatorFunction', action).some((arn) => arn.includes('TenggatUserPool')),
    );
    expect(machinePoolActions).toEqual(['cognito-idp:CreateUserPoolClient']);
    for (const functionId of FUNCTION_IDS.filter((id) => id !== 'OperatorFunction'))
      expect(actionsOf(functionId).some((action) => action.startsWith('cognito-idp:'))).toBe(false);
    const environment = environmentOf('OperatorFunction');
    expect(environment.MACHINE_USER_POOL_ID).toEqual({ Ref: 'TenggatUserPool' });
    expect(resolveToString(environment.MACHINE_TOKEN_URL)).toMatch(/\/oauth2\/token$/);
  });
});
