/**
 * The local AWS services of one template behind the AWS endpoint: Secrets Manager, KMS, EventBridge (with the
 * template's rules), Lambda, the Step Functions engine, SES v2, SNS, EventBridge Scheduler and S3, wired to each
 * other as on AWS (rules and schedules call Lambda/SNS/Step Functions, SES events go on the default bus, ...).
 */
import { join } from 'node:path';
import { createEngine } from '../sfn/engine/index';
import type { StepFunctionsEngine } from '../sfn/service-api';
import type { AwsEndpointOptions } from './aws-endpoint';
import { createEventRules } from './event-rules';
import { createLocalEventBridge, type RecordedBusEvent } from './eventbridge';
import { createLocalKms, readSigningKeys } from './kms';
import { createLambdaService } from './lambda-service';
import { nodeBinaryForRuntime, nodeMajorOf } from './node-runtime';
import { createOutbox, type OutboxEmail } from './outbox';
import { createLocalS3 } from './s3';
import { createLocalScheduler } from './scheduler';
import { createSecretsManager } from './secrets-manager';
import { createLocalSes } from './ses';
import { createSesEventSink } from './ses-events';
import { createLocalSns } from './sns';
import type { TargetServices } from './target-dispatch';
import type { LocalTemplate } from './template';

export interface AwsServicesOptions {
  template: LocalTemplate;
  cdkOutDir: string;
  dataDir: string;
  awsUrl: string;
  dynamodbEndpoint: string;
  functionEnvironment: Record<string, string>;
  log: (line: string) => void;
  onBusEvent?: (event: RecordedBusEvent) => void;
  onEmail?: (email: OutboxEmail) => void;
  onFunctionLog?: (functionName: string, line: string) => void;
}

export interface AwsServices {
  endpoint: Omit<AwsEndpointOptions, 'port'>;
  engine: StepFunctionsEngine;
  lambda: ReturnType<typeof createLambdaService>;
  /** Starts the schedules' and scheduled rules' timers. */
  startTimers(): void;
  stop(): Promise<void>;
}

/** Finds (or installs) the Node of every function runtime up front, so the first invocation does not wait. */
async function prepareRuntimes(template: LocalTemplate, log: (line: string) => void): Promise<void> {
  for (const runtime of new Set(template.functions.map((fn) => fn.runtime))) {
    if (nodeMajorOf(runtime) === undefined) {
      const names = template.functions.filter((fn) => fn.runtime === runtime).map((fn) => fn.functionName);
      log(`functions on ${runtime} cannot run locally (Node runtimes only): ${names.join(', ')}`);
      continue;
    }
    await nodeBinaryForRuntime(runtime, { onProgress: log });
  }
}

export async function createAwsServices(options: AwsServicesOptions): Promise<AwsServices> {
  const { template, dataDir, log } = options;
  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    await prepareRuntimes(template, log);
    const secretsManager = createSecretsManager({ databasePath: join(dataDir, 'secrets.sqlite') });
    stops.push(() => secretsManager.close());
    const kms = createLocalKms({
      keysDir: join(dataDir, 'kms'),
      keys: readSigningKeys(options.cdkOutDir, template.stackName),
    });
    let rules: ReturnType<typeof createEventRules> | undefined;
    const eventBridge = createLocalEventBridge({
      databasePath: join(dataDir, 'events.sqlite'),
      eventBusNames: template.eventBuses.map((bus) => bus.name),
      onEvent: (event) => {
        options.onBusEvent?.(event);
        try {
          rules?.onEvent(event);
        } catch (error) {
          // A rule that cannot be evaluated must not fail the PutEvents that carried the event.
          log(`[rule] ${String(error)}`);
        }
      },
    });
    stops.push(() => eventBridge.close());
    const lambda = createLambdaService({
      functions: template.functions,
      dataDir,
      extraEnvironment: options.functionEnvironment,
      onLog: options.onFunctionLog,
      onProgress: log,
    });
    stops.push(() => lambda.close());
    const engine = await createEngine({
      dataPath: join(dataDir, 'stepfunctions.sqlite'),
      lambdaEndpoint: options.awsUrl,
      dynamodbEndpoint: options.dynamodbEndpoint,
      eventBridgeEndpoint: options.awsUrl,
    });
    stops.push(() => engine.close());
    const outbox = createOutbox({ databasePath: join(dataDir, 'emails.sqlite'), onEmail: options.onEmail });
    stops.push(() => outbox.close());
    const putEvent = (entry: Record<string, unknown>) => {
      eventBridge
        .dispatch('PutEvents', { Entries: [entry] })
        .catch((error: unknown) => log(`[events] ${String(error)}`));
    };
    const sns = createLocalSns({
      topics: template.topics,
      subscriptions: template.subscriptions,
      permissions: template.lambdaPermissions,
      outbox,
      invokeLambda: (name, payload) => lambda.invoke(name, payload, { invocationType: 'Event' }),
      log,
    });
    const ses = createLocalSes({
      identities: template.emailIdentities,
      configurationSets: template.configurationSets,
      outbox,
      events: createSesEventSink({
        putEvent,
        publishToTopic: (topicArn, message) => sns.publish({ topicArn, message }),
        onError: log,
      }),
    });
    stops.push(() => ses.close());
    // Stops run last-in first: SNS makes its queued deliveries (into the outbox) before SES and the outbox close.
    stops.push(() => sns.close());
    const targets: TargetServices = {
      invokeLambda: (name, payload, invocationType) => lambda.invoke(name, payload, { invocationType }),
      publish: (topicArn, message) => sns.publish({ topicArn, message }),
      startExecution: (stateMachineArn, input) =>
        engine.dispatch('StartExecution', { stateMachineArn, input }),
      putEvent: (busName, event) =>
        putEvent({
          EventBusName: busName,
          Source: event.source,
          DetailType: event['detail-type'],
          Detail: JSON.stringify(event.detail ?? {}),
          Resources: event.resources,
        }),
    };
    const scheduler = createLocalScheduler({
      schedules: template.schedules,
      databasePath: join(dataDir, 'scheduler.sqlite'),
      targets,
      log,
    });
    stops.push(() => scheduler.close());
    rules = createEventRules({
      rules: template.eventRules,
      permissions: template.lambdaPermissions,
      targets,
      log,
      anchorOf: (key) => scheduler.anchorOf(key),
    });
    const eventRules = rules;
    stops.push(() => eventRules.close());
    const s3 = createLocalS3({ buckets: template.buckets, dataDir });
    stops.push(() => s3.close());
    return {
      endpoint: {
        stepFunctions: engine,
        secretsManager,
        eventBridge,
        lambda,
        kms,
        outbox,
        ses,
        sns,
        scheduler,
        s3,
      },
      engine,
      lambda,
      startTimers: () => {
        scheduler.start();
        eventRules.start();
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
