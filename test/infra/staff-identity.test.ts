import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config';
import { StaffIdentity } from '../../lib/staff-identity';
import { functionPolicies } from './function-policies';
import { synthTenggat, TEST_CONSOLE_URL } from './synth-tenggat';

const { template } = synthTenggat();
const pools = template.findResources('AWS::Cognito::UserPool');
const staffPoolRef = { Ref: 'TenggatStaffUserPool' };

describe('the people user pool', () => {
  it('is a second pool beside the machine pool, which keeps its logical id', () => {
    expect(Object.keys(pools).sort()).toEqual(['TenggatStaffUserPool', 'TenggatUserPool']);
  });

  it('requires TOTP (no SMS), a strong password, and lets nobody sign themselves up', () => {
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: Match.objectLike({
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
        }),
      },
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      UserPoolTier: 'PLUS',
    });
    const staff = pools.TenggatStaffUserPool?.Properties as Record<string, unknown>;
    expect(staff.SmsConfiguration).toBeUndefined();
  });

  it('has the operator group and one group per declared agency', () => {
    const groups = Object.values(template.findResources('AWS::Cognito::UserPoolGroup')).map(
      (group) => (group.Properties as { GroupName: string; UserPoolId: unknown }).GroupName,
    );
    const agencies = loadConfig().agencies.agencies.map((agency) => `agency:${agency.id}`);
    expect(groups.sort()).toEqual(['operator', ...agencies].sort());
    for (const group of Object.values(template.findResources('AWS::Cognito::UserPoolGroup')))
      expect(group.Properties.UserPoolId).toEqual(staffPoolRef);
  });

  it('has its own takedown resource server with the platform scope too', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      UserPoolId: staffPoolRef,
      Identifier: 'takedown',
      Scopes: ['read', 'write', 'admin', 'platform'].map((name) => Match.objectLike({ ScopeName: name })),
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { UserPoolId: staffPoolRef });
  });

  it("gives the console a public client: code flow only, PKCE's kind (no secret), the console's URLs", () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      UserPoolId: staffPoolRef,
      ClientName: 'tenggat-console',
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: [
        'openid',
        'takedown/read',
        'takedown/write',
        'takedown/admin',
        'takedown/platform',
      ],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
    });
    // The URLs the stack was given, and the console distribution's /callback (sign-in) and root (sign-out).
    const [client] = Object.values(
      template.findResources('AWS::Cognito::UserPoolClient', {
        Properties: { ClientName: 'tenggat-console' },
      }),
    );
    const urls = JSON.stringify(client?.Properties.CallbackURLs);
    expect(client?.Properties.CallbackURLs).toContain(TEST_CONSOLE_URL);
    expect(urls).toContain('DomainName');
    expect(urls).toContain('/callback');
    expect(JSON.stringify(client?.Properties.LogoutURLs)).toContain('DomainName');
  });

  it('accepts tokens of both pools at the API authorizer', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      ProviderARNs: [
        { 'Fn::GetAtt': ['TenggatUserPool', 'Arn'] },
        { 'Fn::GetAtt': ['TenggatStaffUserPool', 'Arn'] },
      ],
    });
  });

  it('lets only the operator function create platform groups and staff users, in the staff pool only', () => {
    const { statementsOf, environmentOf } = functionPolicies(template);
    // The machine pool's CreateUserPoolClient is test/infra/platform-api-stack.test.ts's.
    const cognitoStatements = statementsOf('OperatorFunction').filter(
      (statement) =>
        [statement.Action].flat().some((action) => action.startsWith('cognito-idp:')) &&
        JSON.stringify(statement.Resource).includes('TenggatStaffUserPool'),
    );
    expect(cognitoStatements).toHaveLength(1);
    expect([cognitoStatements[0]?.Action].flat().sort()).toEqual([
      'cognito-idp:AdminAddUserToGroup',
      'cognito-idp:AdminCreateUser',
      'cognito-idp:CreateGroup',
    ]);
    expect([cognitoStatements[0]?.Resource].flat()).toEqual([
      { 'Fn::GetAtt': ['TenggatStaffUserPool', 'Arn'] },
    ]);
    expect(environmentOf('OperatorFunction').STAFF_USER_POOL_ID).toEqual(staffPoolRef);
    expect(
      statementsOf('ReadOrdersFunction').filter((statement) =>
        JSON.stringify(statement.Action).includes('cognito-idp'),
      ),
    ).toEqual([]);
  });

  it('outputs the staff pool, its sign-in URL and the console client', () => {
    const outputs = Object.keys(template.toJSON().Outputs as Record<string, unknown>);
    expect(outputs).toEqual(expect.arrayContaining(['StaffUserPoolId', 'StaffSignInUrl', 'ConsoleClientId']));
  });

  it('allows no OAuth flow, and warns, while no console URL is known', () => {
    // The construct alone: in the stack the console distribution always gives it its URL.
    const app = new App();
    const stack = new Stack(app, 'NoConsole', { env: { account: '123456789012', region: 'ap-southeast-3' } });
    new StaffIdentity(stack, 'StaffIdentity', { declaration: loadConfig().agencies });
    const bare = Template.fromStack(stack);
    bare.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      ClientName: 'tenggat-console',
      AllowedOAuthFlowsUserPoolClient: false,
      AllowedOAuthFlows: Match.absent(),
      CallbackURLs: Match.absent(),
    });
    Annotations.fromStack(stack).hasWarning(
      '*',
      Match.stringLikeRegexp('console client has no callback URL'),
    );
  });
});
