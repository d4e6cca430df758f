import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  type CognitoIdentityProviderClient,
  CreateGroupCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { StaffDirectory } from '../ports';
import { platformGroupOf } from '../use-cases/platform-staff';

/** The staff user pool through the Cognito user pools API (`STAFF_USER_POOL_ID`). */
export class CognitoStaffDirectory implements StaffDirectory {
  constructor(
    private readonly client: CognitoIdentityProviderClient,
    private readonly userPoolId: string,
  ) {}

  async ensurePlatformGroup(platformId: string): Promise<void> {
    try {
      await this.client.send(
        new CreateGroupCommand({
          UserPoolId: this.userPoolId,
          GroupName: platformGroupOf(platformId),
          Description: `Staff of platform ${platformId}`,
        }),
      );
    } catch (error) {
      if (errorName(error) !== 'GroupExistsException') throw error;
    }
  }

  async createPlatformUser(input: Parameters<StaffDirectory['createPlatformUser']>[0]) {
    try {
      await this.client.send(
        new AdminCreateUserCommand({
          UserPoolId: this.userPoolId,
          Username: input.username,
          TemporaryPassword: input.temporaryPassword,
          // The operator hands the password over; Cognito sends no invitation of its own.
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: input.email },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
    } catch (error) {
      if (errorName(error) === 'UsernameExistsException') return 'username_taken' as const;
      throw error;
    }
    await this.client.send(
      new AdminAddUserToGroupCommand({
        UserPoolId: this.userPoolId,
        Username: input.username,
        GroupName: platformGroupOf(input.platformId),
      }),
    );
    return 'created' as const;
  }
}

/**
 * The service's error code. By name rather than `instanceof` the SDK's exception classes: importing them pulls the
 * whole service's error schema registry into the bundle (about 360 KB).
 */
function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}
