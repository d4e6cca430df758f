import { SecretsManagerStore } from '../adapters/secrets-manager';
import type { Config } from '../config';
import { secretsManagerClient } from './clients/secrets-manager';

export const platformSecretStore = (config: Config): SecretsManagerStore =>
  new SecretsManagerStore(secretsManagerClient, config.platformSecretPrefix, config.platformSecretKmsKeyId);
