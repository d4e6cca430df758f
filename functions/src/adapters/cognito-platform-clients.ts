import {
  type CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MachineClient, PlatformClients } from '../ports';

/** The scope of the platform-side API on the machine pool's resource server (`lib/identity.ts`). */
export const PLATFORM_SCOPE = 'takedown/platform';
/** How long the tokens of a platform's client live, as the agencies' clients (one hour). */
const ACCESS_TOKEN_MINUTES = 60;

/**
 * A platform's app client in the machine user pool: a secret, the client-credentials flow and the platform scope
 * only. The secret is returned to the caller once and kept nowhere by Tenggat.
 */
export class CognitoPlatformClients implements PlatformClients {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
    readonly tokenUrl: string,
  ) {}

  async createMachineClient(platformId: string): Promise<MachineClient> {
    const result = await this.client.send(
      new CreateUserPoolClientCommand({
        UserPoolId: this.userPoolId,
        ClientName: `platform-${platformId}`,
        GenerateSecret: true,
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthFlows: ['client_credentials'],
        AllowedOAuthScopes: [PLATFORM_SCOPE],
        ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
        AccessTokenValidity: ACCESS_TOKEN_MINUTES,
        TokenValidityUnits: { AccessToken: 'minutes' },
        PreventUserExistenceErrors: 'ENABLED',
        EnableTokenRevocation: true,
      }),
    );
    const clientId = result.UserPoolClient?.ClientId;
    const clientSecret = result.UserPoolClient?.ClientSecret;
    if (!clientId || !clientSecret) throw new Error('CreateUserPoolClient answered no client id or secret');
    return { clientId, clientSecret };
  }
}
