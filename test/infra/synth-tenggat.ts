import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { loadConfig } from '../../lib/config';
import { TenggatStack } from '../../lib/tenggat-stack';

export interface SynthOptions {
  /** Context `tenggat:policy`. */
  readonly policy?: string;
  /** Run esbuild for the functions; off by default because bundling eight functions is slow on small machines. */
  readonly bundle?: boolean;
  readonly allowLoopbackWebhooks?: boolean;
  readonly blockedWebhookPorts?: string;
  /** Context `tenggat:asyncIntakeItems`. */
  readonly asyncIntakeItems?: number;
  /** The console's sign-in URLs. @default [TEST_CONSOLE_URL] */
  readonly consoleUrls?: readonly string[];
}

export const TEST_CONSOLE_URL = 'https://console.tenggat.test/';

/** Builds the Tenggat stack the way `bin/tenggat.ts` does, for assertions. */
export function synthTenggat(options: SynthOptions = {}): {
  app: App;
  stack: TenggatStack;
  template: Template;
} {
  const app = new App({
    context: {
      // An empty list tells CDK to skip asset bundling for every stack.
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
  const config = loadConfig({
    policy: options.policy,
    allowLoopbackWebhooks: options.allowLoopbackWebhooks,
    blockedWebhookPorts: options.blockedWebhookPorts,
    asyncIntakeItems: options.asyncIntakeItems,
  });
  const stack = new TenggatStack(app, 'Tenggat', {
    config,
    consoleUrls: options.consoleUrls ?? [TEST_CONSOLE_URL],
    env: { account: '123456789012', region: 'ap-southeast-3' },
  });
  return { app, stack, template: Template.fromStack(stack) };
}
