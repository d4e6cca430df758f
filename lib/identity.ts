import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  AccountRecovery,
  type CfnUserPool,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  UserPool,
  type UserPoolClient,
  UserPoolDomain,
  UserPoolResourceServer,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { AgencyDeclaration } from './config';
import { acknowledgeNagFinding } from './nag';

export const RESOURCE_SERVER_IDENTIFIER = 'takedown';
export const SCOPES = {
  read: `${RESOURCE_SERVER_IDENTIFIER}/read`,
  write: `${RESOURCE_SERVER_IDENTIFIER}/write`,
  admin: `${RESOURCE_SERVER_IDENTIFIER}/admin`,
  /** A platform's staff and scripts: the platform-side API, tenancy by group or by the platform's own clients. */
  platform: `${RESOURCE_SERVER_IDENTIFIER}/platform`,
} as const;

export interface IdentityProps {
  /** Agencies and operators; each gets its own client-credentials app client. */
  readonly declaration: AgencyDeclaration;
  /**
   * Prefix of the Cognito hosted domain that serves `/oauth2/token` (globally unique per region).
   * @default `tenggat-<account id>`
   */
  readonly domainPrefix?: string;
  /**
   * Lifetime of the access tokens handed to agencies and operators.
   * @default Duration.hours(1)
   */
  readonly accessTokenValidity?: Duration;
}

/**
 * Cognito user pool used only as an OAuth2 authorization server for machines: a resource server `takedown`
 * with the scopes `read`, `write` and `admin`, and one client-credentials app client per agency and operator.
 */
export class Identity extends Construct {
  readonly userPool: UserPool;
  readonly domain: UserPoolDomain;
  /** JSON `{ "<client id>": "<agency id>" }`, resolved at deploy time (the `AGENCY_CLIENTS` variable). */
  readonly agencyClientsJson: string;
  readonly agencyClients: ReadonlyMap<string, UserPoolClient>;
  readonly operatorClients: ReadonlyMap<string, UserPoolClient>;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: false,
      signInAliases: { username: true },
      // Nobody signs in with a password (clients use client credentials), but the pool still gets a strict policy.
      passwordPolicy: {
        minLength: 14,
        requireDigits: true,
        requireLowercase: true,
        requireUppercase: true,
        requireSymbols: true,
      },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.NONE,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    (this.userPool.node.defaultChild as CfnUserPool).overrideLogicalId('TenggatUserPool');
    acknowledgeNagFinding(
      this.userPool,
      'COG8',
      'No person signs in to this pool: it only issues client-credentials tokens to agency and operator systems, ' +
        'and the Plus plan threat protection evaluates user sign-ins, so it would protect nothing here.',
    );

    const readScope = new ResourceServerScope({
      scopeName: 'read',
      scopeDescription: 'Read own takedown orders',
    });
    const writeScope = new ResourceServerScope({
      scopeName: 'write',
      scopeDescription: 'Submit and change orders',
    });
    const adminScope = new ResourceServerScope({ scopeName: 'admin', scopeDescription: 'Operate platforms' });
    // Held by the app clients each platform gets at run time (POST /v1/platforms), never by a template client.
    const platformScope = new ResourceServerScope({
      scopeName: 'platform',
      scopeDescription: 'Read and answer the orders addressed to your platform',
    });
    const resourceServer = new UserPoolResourceServer(this, 'ResourceServer', {
      userPool: this.userPool,
      identifier: RESOURCE_SERVER_IDENTIFIER,
      userPoolResourceServerName: 'Tenggat takedown API',
      scopes: [readScope, writeScope, adminScope, platformScope],
    });

    this.domain = this.userPool.addDomain('TokenDomain', {
      cognitoDomain: { domainPrefix: props.domainPrefix ?? `tenggat-${Aws.ACCOUNT_ID}` },
    });

    const accessTokenValidity = props.accessTokenValidity ?? Duration.hours(1);
    const makeClient = (clientId: string, name: string, scopes: ResourceServerScope[]): UserPoolClient => {
      const client = this.userPool.addClient(clientId, {
        userPoolClientName: name,
        generateSecret: true,
        authFlows: {},
        oAuth: {
          flows: { clientCredentials: true },
          // Literal scope names (the resource server is a dependency) keep the template readable.
          scopes: scopes.map((scope) =>
            OAuthScope.custom(`${RESOURCE_SERVER_IDENTIFIER}/${scope.scopeName}`),
          ),
        },
        accessTokenValidity,
        preventUserExistenceErrors: true,
        enableTokenRevocation: true,
      });
      client.node.addDependency(resourceServer);
      return client;
    };

    const agencyClients = new Map<string, UserPoolClient>();
    for (const agency of props.declaration.agencies) {
      agencyClients.set(
        agency.id,
        makeClient(`AgencyClient-${agency.id}`, agency.id, [readScope, writeScope]),
      );
    }
    const operatorClients = new Map<string, UserPoolClient>();
    for (const operator of props.declaration.operators) {
      operatorClients.set(
        operator.id,
        makeClient(`OperatorClient-${operator.id}`, operator.id, [adminScope, readScope]),
      );
    }
    this.agencyClients = agencyClients;
    this.operatorClients = operatorClients;

    const clientToAgency: Record<string, string> = {};
    for (const [agencyId, client] of agencyClients) {
      clientToAgency[client.userPoolClientId] = agencyId;
    }
    this.agencyClientsJson = Stack.of(this).toJsonString(clientToAgency);
  }

  /** The token endpoint agencies call with their client id and secret. */
  get tokenEndpoint(): string {
    return `${this.domain.baseUrl()}/oauth2/token`;
  }
}
