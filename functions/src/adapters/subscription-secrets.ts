import {
  CreateSecretCommand,
  DeleteSecretCommand,
  GetSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { SubscriptionSecretStore } from '../ports';

const named = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

/** One secret per subscription (`SUBSCRIPTION_SECRET_PREFIX` + id): its Standard Webhooks signing secret. */
export class SecretsManagerSubscriptionSecrets implements SubscriptionSecretStore {
  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly kmsKeyId: string | null = null,
  ) {}

  async create(subscriptionId: string, secret: string): Promise<void> {
    await this.client.send(
      new CreateSecretCommand({
        Name: this.prefix + subscriptionId,
        SecretString: secret,
        Description: `Tenggat signing secret of agency subscription ${subscriptionId}`,
        ...(this.kmsKeyId === null ? {} : { KmsKeyId: this.kmsKeyId }),
      }),
    );
  }

  async get(subscriptionId: string): Promise<string | null> {
    try {
      const result = await this.client.send(
        new GetSecretValueCommand({ SecretId: this.prefix + subscriptionId }),
      );
      return result.SecretString ?? null;
    } catch (error) {
      // Deleted (or scheduled for deletion): the subscription is gone.
      if (named(error, 'ResourceNotFoundException') || named(error, 'InvalidRequestException')) return null;
      throw error;
    }
  }

  async delete(subscriptionId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteSecretCommand({ SecretId: this.prefix + subscriptionId, ForceDeleteWithoutRecovery: true }),
      );
    } catch (error) {
      if (!named(error, 'ResourceNotFoundException')) throw error;
    }
  }
}
