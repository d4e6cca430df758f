import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import * as z from 'zod';
import type { PlatformSecrets } from '../domain/records';
import type { SecretStore } from '../ports';

const pairSchema = z.object({
  notificationSecret: z.string(),
  responseSecret: z.string(),
  createdAt: z.string(),
});
const secretsSchema = z.object({
  current: pairSchema,
  previous: pairSchema.extend({ validUntil: z.string() }).nullable(),
});

export class SecretParseError extends Error {
  override name = 'SecretParseError';
}

const named = (error: unknown, name: string): boolean => error instanceof Error && error.name === name;

/** One secret per platform (`PLATFORM_SECRET_PREFIX` + id) holding both directions' secrets as JSON. */
export class SecretsManagerStore implements SecretStore {
  private readonly cache = new Map<string, { value: PlatformSecrets; until: number; readAt: number }>();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string,
    private readonly kmsKeyId: string | null = null,
    private readonly cacheMs = 30_000,
  ) {}

  async get(platformId: string, options: { fresh?: boolean } = {}): Promise<PlatformSecrets | null> {
    const cached = this.cache.get(platformId);
    // A fresh read at most once a second per platform, so forged requests cannot multiply Secrets Manager calls.
    const reuse = options.fresh
      ? cached !== undefined && Date.now() - cached.readAt < 1_000
      : cached !== undefined;
    if (cached !== undefined && reuse && cached.until > Date.now()) return cached.value;
    let text: string | undefined;
    try {
      text = (await this.client.send(new GetSecretValueCommand({ SecretId: this.prefix + platformId })))
        .SecretString;
    } catch (error) {
      if (named(error, 'ResourceNotFoundException')) return null;
      throw error;
    }
    if (text === undefined) return null;
    let value: PlatformSecrets;
    try {
      value = secretsSchema.parse(JSON.parse(text));
    } catch (cause) {
      throw new SecretParseError(`the secret of platform ${platformId} is not in the expected shape`, {
        cause,
      });
    }
    this.cache.set(platformId, { value, until: Date.now() + this.cacheMs, readAt: Date.now() });
    return value;
  }

  async put(platformId: string, secrets: PlatformSecrets): Promise<void> {
    const SecretString = JSON.stringify(secrets);
    this.cache.delete(platformId);
    try {
      await this.client.send(new PutSecretValueCommand({ SecretId: this.prefix + platformId, SecretString }));
    } catch (error) {
      if (!named(error, 'ResourceNotFoundException')) throw error;
      await this.client.send(
        new CreateSecretCommand({
          Name: this.prefix + platformId,
          SecretString,
          Description: `Tenggat webhook secrets of platform ${platformId}`,
          ...(this.kmsKeyId === null ? {} : { KmsKeyId: this.kmsKeyId }),
        }),
      );
    }
  }
}
