import { randomBytes, randomUUID } from 'node:crypto';
import { lookup } from 'node:dns/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { KMSClient } from '@aws-sdk/client-kms';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyStore } from './adapters/dynamodb-idempotency';
import { DynamoOrderRepository } from './adapters/dynamodb-orders';
import { DynamoPlatformRepository } from './adapters/dynamodb-platforms';
import { EventBridgePublisher } from './adapters/event-bridge';
import { HttpWebhookSender } from './adapters/http-webhook-sender';
import { KmsChainSigner } from './adapters/kms-signer';
import { SecretsManagerStore } from './adapters/secrets-manager';
import { StepFunctionsWorkflow } from './adapters/step-functions';
import type { Config } from './config';
import { ConfigurationError } from './config';
import type { Clock, EventPublisher, IdGenerator, WorkflowGateway } from './ports';
import type { Deps } from './use-cases/deps';

// SDK clients are built once per container. Endpoints come from the standard AWS_ENDPOINT_URL_<SERVICE>
// variables, which the SDK reads itself; nothing here knows whether it runs on AWS or locally.
const dynamo = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
const sfn = new SFNClient({});
const secretsManager = new SecretsManagerClient({});
const eventBridge = new EventBridgeClient({});
const kms = new KMSClient({});

export const systemClock: Clock = { now: () => new Date() };

export const randomIds: IdGenerator = {
  orderId: () => randomUUID(),
  secret: () => `whsec_${randomBytes(32).toString('base64')}`,
};

const unconfigured = (name: string) => () => {
  throw new ConfigurationError(`${name} is not configured for this function`);
};

export function buildDeps(config: Config): Deps {
  const webhookRules = {
    allowLoopback: config.allowLoopbackWebhooks,
    blockedPorts: config.blockedWebhookPorts,
  };
  const workflow: WorkflowGateway =
    config.stateMachineArn === null
      ? { start: unconfigured('STATE_MACHINE_ARN'), wake: unconfigured('STATE_MACHINE_ARN') }
      : new StepFunctionsWorkflow(sfn, config.stateMachineArn);
  // Functions without a bus do not publish domain events (the contract gives them none).
  const events: EventPublisher =
    config.eventBusName === null
      ? { publish: async () => {} }
      : new EventBridgePublisher(eventBridge, config.eventBusName);
  const chainSigner =
    config.auditSigningKeyId === null ? null : new KmsChainSigner(kms, config.auditSigningKeyId);
  return {
    orders: new DynamoOrderRepository(dynamo, config.tableName, chainSigner),
    platforms: new DynamoPlatformRepository(dynamo, config.tableName),
    idempotency: new DynamoIdempotencyStore(dynamo, config.tableName, 'IDEMPOTENCY', systemClock),
    webhookIds: new DynamoIdempotencyStore(dynamo, config.tableName, 'WEBHOOK', systemClock),
    secrets: new SecretsManagerStore(
      secretsManager,
      config.platformSecretPrefix,
      config.platformSecretKmsKeyId,
    ),
    workflow,
    events,
    webhooks: new HttpWebhookSender(webhookRules),
    clock: systemClock,
    ids: randomIds,
    policy: config.policy,
    webhookRules,
    chainSigner,
    resolveHost: async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address),
  };
}
