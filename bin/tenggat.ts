#!/usr/bin/env node
import { App } from 'aws-cdk-lib';
import { ConfigurationError, loadConfig } from '../lib/config';
import { TenggatStack } from '../lib/tenggat-stack';

const app = new App();
try {
  const config = loadConfig({
    policy: app.node.tryGetContext('tenggat:policy'),
    allowLoopbackWebhooks: app.node.tryGetContext('tenggat:allowLoopbackWebhooks'),
    blockedWebhookPorts: app.node.tryGetContext('tenggat:blockedWebhookPorts'),
  });
  new TenggatStack(app, 'Tenggat', {
    config,
    cognitoDomainPrefix: app.node.tryGetContext('tenggat:cognitoDomainPrefix'),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'Tenggat: takedown orders with legal deadlines, escalation and platform webhooks',
  });
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(`Tenggat configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
