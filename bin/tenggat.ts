#!/usr/bin/env node
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ConfigurationError, loadConfig } from '../lib/config';
import { TenggatStack } from '../lib/tenggat-stack';

const app = new App();
try {
  const config = loadConfig({
    policy: app.node.tryGetContext('tenggat:policy'),
    allowLoopbackWebhooks: app.node.tryGetContext('tenggat:allowLoopbackWebhooks'),
    blockedWebhookPorts: app.node.tryGetContext('tenggat:blockedWebhookPorts'),
    mailFrom: app.node.tryGetContext('tenggat:mailFrom'),
    publicApiUrl: app.node.tryGetContext('tenggat:publicApiUrl'),
    asyncIntakeItems: app.node.tryGetContext('tenggat:asyncIntakeItems'),
    tokenUrl: app.node.tryGetContext('tenggat:tokenUrl'),
  });
  new TenggatStack(app, 'Tenggat', {
    config,
    cognitoDomainPrefix: app.node.tryGetContext('tenggat:cognitoDomainPrefix'),
    staffDomainPrefix: app.node.tryGetContext('tenggat:staffDomainPrefix'),
    consoleUrls: String(app.node.tryGetContext('tenggat:consoleUrls') ?? '')
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
    env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
    description: 'Tenggat: takedown orders with legal deadlines, escalation and platform webhooks',
  });
  // Synth fails on any AwsSolutions finding that is not acknowledged with a reason next to its resource.
  if (app.node.tryGetContext('tenggat:nag') !== false && app.node.tryGetContext('tenggat:nag') !== 'false') {
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  }
} catch (error) {
  if (error instanceof ConfigurationError) {
    console.error(`Tenggat configuration error: ${error.message}`);
    process.exit(1);
  }
  throw error;
}
