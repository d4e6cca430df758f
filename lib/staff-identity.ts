import { Annotations, Aws, Duration, Lazy, RemovalPolicy } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPool,
  type CfnUserPoolClient,
  CfnUserPoolGroup,
  FeaturePlan,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
  UserPoolClientIdentityProvider,
  UserPoolDomain,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import type { AgencyDeclaration } from './config';
import { RESOURCE_SERVER_IDENTIFIER } from './identity';

/** Groups made at synth; `platform:<platformId>` groups are made at run time when a platform is registered. */
export const OPERATOR_GROUP = 'operator';
export const agencyGroup = (agencyId: string) => `agency:${agencyId}`;
export const platformGroup = (platformId: string) => `platform:${platformId}`;

/** The staff pool's resource server: the machine pool's scope names, plus the platform-side API's. */
export const STAFF_SCOPE_NAMES = ['read', 'write', 'admin', 'platform'] as const;

/** What the operator function may do in the staff pool: platform groups and their staff users. */
export const STAFF_ADMIN_ACTIONS = [
  'cognito-idp:CreateGroup',
  'cognito-idp:AdminCreateUser',
  'cognito-idp:AdminAddUserToGroup',
] as const;

export interface StaffIdentityProps {
  /** Agencies: each gets a group `agency:<agencyId>`. */
  readonly declaration: AgencyDeclaration;
  /**
   * Where the console lives: each URL is a sign-in callback and a sign-out URL of the console's app client. The
   * local cloud passes its own origin; on AWS the console construct adds its CloudFront URL with `addConsoleUrl`
   * (or pass the custom domain here). No default: a guessed URL would let codes go to a page nobody owns.
   * @default none: until one is added the client allows no OAuth flow, and synth warns
   */
  readonly consoleUrls?: readonly string[];
  /**
   * Prefix of the staff pool's hosted domain (managed login, `/oauth2/authorize`, `/oauth2/token`, `/logout`).
   * @default `tenggat-staff-<account id>`
   */
  readonly domainPrefix?: string;
}

/**
 * The people's user pool, apart from the machines' (`Identity`): operators, agency officers and platform staff sign
 * in to the console with a password and a TOTP code (MFA required, no SMS). Each person is in one group, which the
 * API maps to their role (`functions/src/http/auth.ts`).
 */
export class StaffIdentity extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** The console's public app client: authorization code with PKCE, no secret. */
  readonly consoleClient: UserPoolClient;
  private readonly consoleUrls: string[];

  constructor(scope: Construct, id: string, props: StaffIdentityProps) {
    super(scope, id);
    this.consoleUrls = [...(props.consoleUrls ?? [])];
    this.userPool = new UserPool(this, 'UserPool', {
      // Operators create people (AdminCreateUser); nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // A lost password or authenticator is reset by an operator, never over email alone.
      accountRecovery: AccountRecovery.NONE,
      // People's sign-ins are what threat protection evaluates (compromised credentials, risky sign-ins).
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.userPool.node.defaultChild as CfnUserPool).overrideLogicalId('TenggatStaffUserPool');

    const scopes = STAFF_SCOPE_NAMES.map(
      (scopeName) => new ResourceServerScope({ scopeName, scopeDescription: `takedown ${scopeName}` }),
    );
    const resourceServer = new UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: RESOURCE_SERVER_IDENTIFIER,
      userPoolResourceServerName: 'Tenggat takedown API for people',
      scopes,
    });

    new CfnUserPoolGroup(this, 'OperatorGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: OPERATOR_GROUP,
      description: 'Tenggat operators: every order, platforms, redelivery',
    });
    for (const agency of props.declaration.agencies) {
      new CfnUserPoolGroup(this, `AgencyGroup-${agency.id}`, {
        userPoolId: this.userPool.userPoolId,
        groupName: agencyGroup(agency.id),
        description: `Officers of ${agency.name}`,
      });
    }

    this.domain = this.userPool.addDomain('SignInDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `tenggat-staff-${Aws.ACCOUNT_ID}` },
    });

    this.consoleClient = this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'tenggat-console',
      // A browser app keeps no secret; Cognito then requires PKCE whenever code_challenge is sent, and the
      // console always sends one (S256).
      generateSecret: false,
      authFlows: {},
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          OAuthScope.OPENID,
          ...STAFF_SCOPE_NAMES.map((name) => OAuthScope.custom(`${RESOURCE_SERVER_IDENTIFIER}/${name}`)),
        ],
        callbackUrls: ['https://replaced.invalid/'],
      },
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      // A working day; sign-out revokes it.
      refreshTokenValidity: Duration.hours(12),
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
    });
    this.consoleClient.node.addDependency(resourceServer);
    // The URLs are known only once the console construct has added its own: read them at synth.
    const cfnClient = this.consoleClient.node.defaultChild as CfnUserPoolClient;
    const whenUrls = <T>(value: T): T | undefined => (this.consoleUrls.length > 0 ? value : undefined);
    cfnClient.callbackUrLs = Lazy.list({ produce: () => whenUrls(this.consoleUrls) });
    cfnClient.logoutUrLs = Lazy.list({ produce: () => whenUrls(this.consoleUrls) });
    cfnClient.allowedOAuthFlows = Lazy.list({ produce: () => whenUrls(['code']) });
    cfnClient.allowedOAuthScopes = Lazy.list({
      produce: () =>
        whenUrls(['openid', ...STAFF_SCOPE_NAMES.map((name) => `${RESOURCE_SERVER_IDENTIFIER}/${name}`)]),
    });
    cfnClient.allowedOAuthFlowsUserPoolClient = Lazy.any({ produce: () => this.consoleUrls.length > 0 });
    this.node.addValidation({
      validate: () => {
        if (this.consoleUrls.length === 0)
          Annotations.of(this).addWarningV2(
            'tenggat:noConsoleUrl',
            'The console client has no callback URL: nobody can sign in until the console construct adds one.',
          );
        return [];
      },
    });
  }

  /** Allows sign-in to return to (and sign-out to land on) this console URL. */
  addConsoleUrl(url: string): void {
    if (!this.consoleUrls.includes(url)) this.consoleUrls.push(url);
  }

  /** Managed login's base URL: `/oauth2/authorize`, `/oauth2/token` and `/logout` live under it. */
  get signInUrl(): string {
    return this.domain.baseUrl();
  }

  /** Lets an operator function make platform groups and staff users (`STAFF_USER_POOL_ID`). */
  grantManageStaff(fn: LambdaFunction): void {
    fn.addEnvironment('STAFF_USER_POOL_ID', this.userPool.userPoolId);
    fn.addToRolePolicy(
      new PolicyStatement({ actions: [...STAFF_ADMIN_ACTIONS], resources: [this.userPool.userPoolArn] }),
    );
  }
}
