/** The AWS services of the fixture template wired together (SES, SNS, rules, schedules, faults, runtimes). */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  GetAccountCommand,
  GetEmailIdentityCommand,
  SESv2Client,
  SendEmailCommand,
  type SendEmailCommandInput,
} from '@aws-sdk/client-sesv2';
import {
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishCommand,
  SNSClient,
} from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awsEndpointEnvironment, startAwsEndpoint } from '../../local/cloud/aws-endpoint';
import { type AwsServices, createAwsServices } from '../../local/cloud/aws-services';
import { freePort } from '../../local/cloud/dynamodb-local';
import type { RunningServer } from '../../local/cloud/http-util';
import { createOutbox } from '../../local/cloud/outbox';
import { type LocalTemplate, readLocalTemplate } from '../../local/cloud/template';
import { synthFixtureStack } from './fixture-stack';

const config = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
});

async function waitFor<T>(read: () => T | undefined, timeoutMs = 8_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

interface Email {
  messageId: string;
  from: string;
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  attachments: { filename: string; contentType: string; size: number }[];
}

describe('the AWS services of a template, wired together', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'aws-services-'));
  const lines: string[] = [];
  let template: LocalTemplate;
  let recordFile: string;
  let services: AwsServices;
  let endpoint: RunningServer;
  let url: string;

  const recorded = () =>
    existsSync(recordFile)
      ? readFileSync(recordFile, 'utf8')
          .trim()
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as { fn: string; event: Record<string, unknown> })
      : [];
  const emails = async (query = '') =>
    ((await (await fetch(`${url}/_local/emails${query}`)).json()) as { emails: Email[] }).emails;
  const emailTo = async (address: string): Promise<Email> => {
    const deadline = Date.now() + 8_000;
    for (;;) {
      const [found] = await emails(`?to=${address}`);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`no email to ${address}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const functionName = (prefix: string) =>
    template.functions.find((fn) => fn.logicalId.startsWith(prefix))?.functionName ?? prefix;

  beforeAll(async () => {
    const fixture = synthFixtureStack();
    recordFile = fixture.recordFile;
    template = readLocalTemplate(fixture.cdkOutDir, fixture.stackName);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    services = await createAwsServices({
      template,
      cdkOutDir: fixture.cdkOutDir,
      dataDir,
      awsUrl: url,
      dynamodbEndpoint: 'http://127.0.0.1:9',
      functionEnvironment: awsEndpointEnvironment(url),
      log: (line) => lines.push(line),
    });
    endpoint = await startAwsEndpoint({ port, ...services.endpoint });
    services.startTimers();
  });

  afterAll(async () => {
    await endpoint?.close();
    await services?.stop();
  });

  const send = (input: Partial<SendEmailCommandInput>) =>
    new SESv2Client(config(url)).send(
      new SendEmailCommand({
        FromEmailAddress: 'Tenggat <takedown@tenggat.example>',
        Destination: { ToAddresses: ['platform@michat.example'] },
        Content: { Simple: { Subject: { Data: 'Surat' }, Body: { Text: { Data: 'Isi' } } } },
        ...input,
      }),
    );

  it('sends SES v2 email with attachments into the outbox, and puts the send and delivery events on the bus', async () => {
    const letter = Buffer.from('%PDF-1.7 letter');
    const sent = await send({
      Destination: {
        ToAddresses: ['Platform <platform@michat.example>'],
        CcAddresses: ['copy@agency.example'],
      },
      ConfigurationSetName: 'fixture-notices',
      Content: {
        Simple: {
          Subject: { Data: 'Perintah takedown / Takedown order' },
          Body: { Text: { Data: 'teks' }, Html: { Data: '<p>html</p>' } },
          Attachments: [{ FileName: 'order.pdf', RawContent: letter }],
        },
      },
    });
    expect(sent.MessageId).toMatch(/^010001[0-9a-f]+-[0-9a-f-]{36}-000000$/);
    const [email] = await emails('?to=platform@michat.example');
    expect(email).toMatchObject({
      messageId: sent.MessageId,
      from: 'Tenggat <takedown@tenggat.example>',
      to: ['Platform <platform@michat.example>'],
      subject: 'Perintah takedown / Takedown order',
      text: 'teks',
      html: '<p>html</p>',
      attachments: [{ filename: 'order.pdf', contentType: 'application/pdf', size: letter.length }],
    });
    expect(await emails('?to=copy@agency.example')).toHaveLength(1);
    const attachment = await fetch(`${url}/_local/emails/${sent.MessageId}/attachments/0`);
    expect(Buffer.from(await attachment.arrayBuffer())).toEqual(letter);

    const delivered = await waitFor(() =>
      recorded().find((line) => line.event.kind === 'delivered' && line.event.messageId === sent.MessageId),
    );
    expect(delivered.fn).toBe(functionName('RecorderFunction'));
    const bus = (await (await fetch(`${url}/_local/events?source=aws.ses`)).json()) as {
      events: { detailType: string; detail: { eventType: string; mail: Record<string, unknown> } }[];
    };
    expect(bus.events.map((event) => event.detailType)).toEqual(['Email Sent', 'Email Delivered']);
    expect(bus.events[0]?.detail.mail).toMatchObject({
      messageId: sent.MessageId,
      source: 'Tenggat <takedown@tenggat.example>',
      destination: ['platform@michat.example', 'copy@agency.example'],
      tags: expect.objectContaining({ 'ses:configuration-set': ['fixture-notices'] }),
    });
  });

  it('refuses a sender the template has not verified, and an unknown configuration set, with AWS error codes', async () => {
    await expect(send({ FromEmailAddress: 'x@unverified.example' })).rejects.toMatchObject({
      name: 'MessageRejected',
      message: expect.stringContaining('Email address is not verified'),
    });
    await expect(send({ FromEmailAddress: 'someone@other.example' })).rejects.toMatchObject({
      name: 'MessageRejected',
    });
    await expect(send({ FromEmailAddress: 'ops@other.example' })).resolves.toHaveProperty('MessageId');
    await expect(send({ FromEmailAddress: 'a@mail.tenggat.example' })).resolves.toHaveProperty('MessageId');
    await expect(send({ ConfigurationSetName: 'nope' })).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(send({ Content: { Simple: { Subject: { Data: 's' }, Body: {} } } })).rejects.toMatchObject({
      name: 'BadRequestException',
    });
    const client = new SESv2Client(config(url));
    expect(
      (await client.send(new GetEmailIdentityCommand({ EmailIdentity: 'tenggat.example' }))).IdentityType,
    ).toBe('DOMAIN');
    await expect(
      client.send(new GetEmailIdentityCommand({ EmailIdentity: 'x.example' })),
    ).rejects.toMatchObject({
      name: 'NotFoundException',
    });
    const account = await client.send(new GetAccountCommand({}));
    expect(account.ProductionAccessEnabled).toBe(true);
    expect(account.SendQuota?.SentLast24Hours).toBeGreaterThanOrEqual(3);
  });

  it('routes a bus event by rule to SNS (input transformer) and Lambda; email subscriptions land in the outbox', async () => {
    const put = await new EventBridgeClient(config(url)).send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: 'fixture-events',
            Source: 'tenggat',
            DetailType: 'order.execution_recovered',
            Detail: JSON.stringify({ orderId: 'o-17', how: 'redriven' }),
          },
        ],
      }),
    );
    expect(put.FailedEntryCount).toBe(0);
    const opsEmail = await emailTo('ops@example.org');
    expect(opsEmail.from).toBe('AWS Notifications <no-reply@sns.amazonaws.com>');
    expect(opsEmail.subject).toBe('AWS Notification Message');
    // RuleTargetInput.fromText writes a JSON string template: SNS gets it with its quotes, as on AWS
    // (aws/aws-cdk#5924, hashicorp/terraform-provider-aws#43253).
    expect(opsEmail.text).toMatch(
      /^"Order o-17 recovered"\n\n--\nIf you wish to stop receiving notifications/,
    );
    const [jsonEmail] = await emails('?to=json@example.org');
    expect(JSON.parse(jsonEmail?.text ?? '{}')).toMatchObject({
      Type: 'Notification',
      TopicArn: 'arn:aws:sns:us-east-1:000000000000:fixture-alerts',
      Message: '"Order o-17 recovered"',
    });
    const envelope = await waitFor(() =>
      recorded().find((line) => line.event['detail-type'] === 'order.execution_recovered'),
    );
    expect(envelope.event).toMatchObject({
      version: '0',
      source: 'tenggat',
      account: '000000000000',
      region: 'us-east-1',
      resources: [],
      detail: { orderId: 'o-17', how: 'redriven' },
    });
    expect(lines.some((line) => line.includes(`${functionName('EchoFunction')} not invoked`))).toBe(true);
  });

  it("publishes to SNS through the SDK: a filter policy picks the Lambda subscription, errors are SNS's", async () => {
    const client = new SNSClient(config(url));
    const topicArn = 'arn:aws:sns:us-east-1:000000000000:fixture-alerts';
    const listed = await client.send(new ListTopicsCommand({}));
    expect(listed.Topics?.map((topic) => topic.TopicArn)).toEqual([topicArn]);
    const subscriptions = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn }));
    expect(subscriptions.Subscriptions?.map((s) => s.Protocol).sort()).toEqual([
      'email',
      'email-json',
      'lambda',
    ]);
    for (const severity of ['low', 'high']) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: `Alarm ${severity}`,
          Message: `severity ${severity}`,
          MessageAttributes: { severity: { DataType: 'String', StringValue: severity } },
        }),
      );
    }
    const record = await waitFor(() => recorded().find((line) => Array.isArray(line.event.Records)));
    const sns = (record.event.Records as { EventSource: string; Sns: Record<string, unknown> }[])[0];
    expect(sns?.EventSource).toBe('aws:sns');
    expect(sns?.Sns).toMatchObject({
      Type: 'Notification',
      Subject: 'Alarm high',
      Message: 'severity high',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    // The low-severity message had as long to arrive: only the high one passed the filter policy.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(recorded().filter((line) => Array.isArray(line.event.Records))).toHaveLength(1);
    expect((await emails('?to=ops@example.org')).map((email) => email.subject)).toContain('Alarm low');
    await expect(
      client.send(new PublishCommand({ TopicArn: `${topicArn}-missing`, Message: 'x' })),
    ).rejects.toMatchObject({ name: 'NotFoundException' });
    await expect(
      client.send(new PublishCommand({ TopicArn: topicArn, Message: 'x', Subject: 'two\nlines' })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });

  it('runs a schedule now, answers with the target result, and keeps its timer', async () => {
    const response = await fetch(`${url}/_local/schedules/fixture-reconcile/run`, { method: 'POST' });
    expect(response.status).toBe(200);
    const result = (await response.json()) as {
      statusCode: number;
      functionError: null;
      payload: { echo: unknown };
    };
    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBeNull();
    expect(result.payload.echo).toEqual({
      kind: 'scheduled',
      at: expect.stringMatching(/^\d{4}-\d\d-\d\dT[\d:]+Z$/),
    });
    const listed = (await (await fetch(`${url}/_local/schedules`)).json()) as {
      schedules: { name: string; nextRunAt: string; lastRun: { trigger: string } }[];
    };
    expect(listed.schedules[0]?.name).toBe('fixture-reconcile');
    expect(Date.parse(listed.schedules[0]?.nextRunAt ?? '') - Date.now()).toBeLessThanOrEqual(60_000);
    expect(listed.schedules[0]?.lastRun.trigger).toBe('manual');
    expect((await fetch(`${url}/_local/schedules/nope/run`, { method: 'POST' })).status).toBe(404);
  });

  it('injects faults by logical id: the next n invocations fail as an unhandled error, then it recovers', async () => {
    const put = await fetch(`${url}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({
        functionName: template.functions.find((fn) => fn.logicalId.startsWith('RecorderFunction'))?.logicalId,
        failures: 2,
      }),
    });
    expect(await put.json()).toMatchObject({ functionName: functionName('RecorderFunction'), failures: 2 });
    const pending = (await (await fetch(`${url}/_local/faults`)).json()) as {
      faults: { failures: number }[];
    };
    expect(pending.faults).toEqual([expect.objectContaining({ failures: 2 })]);
    const run = async () =>
      (await (await fetch(`${url}/_local/schedules/fixture-reconcile/run`, { method: 'POST' })).json()) as {
        functionError: string | null;
        payload: { errorType?: string; errorMessage?: string; trace?: string[] };
      };
    const first = await run();
    expect(first.functionError).toBe('Unhandled');
    expect(first.payload).toMatchObject({
      errorType: 'Error',
      errorMessage: 'Injected fault 1 of 2 (PUT /_local/faults)',
    });
    expect(first.payload.trace?.length).toBeGreaterThan(0);
    const invoked = await new LambdaClient(config(url)).send(
      new InvokeCommand({ FunctionName: functionName('RecorderFunction'), Payload: '{}' }),
    );
    expect(invoked.FunctionError).toBe('Unhandled');
    expect((await run()).functionError).toBeNull();
    // Aimed at one payload: other invocations of the same function are not touched.
    await fetch(`${url}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({
        functionName: functionName('RecorderFunction'),
        failures: 1,
        payloadContains: 'order-7',
      }),
    });
    const invoke = (payload: string) =>
      new LambdaClient(config(url)).send(
        new InvokeCommand({ FunctionName: functionName('RecorderFunction'), Payload: payload }),
      );
    expect((await invoke('{"orderId":"order-1"}')).FunctionError).toBeUndefined();
    expect((await invoke('{"orderId":"order-7"}')).FunctionError).toBe('Unhandled');
    expect((await invoke('{"orderId":"order-7"}')).FunctionError).toBeUndefined();
    await fetch(`${url}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ functionName: functionName('EchoFunction'), failures: 3 }),
    });
    await fetch(`${url}/_local/faults`, {
      method: 'PUT',
      body: JSON.stringify({ functionName: functionName('EchoFunction'), failures: 0 }),
    });
    expect(((await (await fetch(`${url}/_local/faults`)).json()) as { faults: unknown[] }).faults).toEqual(
      [],
    );
    const unknown = await fetch(`${url}/_local/faults`, {
      method: 'PUT',
      body: '{"functionName":"nope","failures":1}',
    });
    expect(unknown.status).toBe(404);
  });

  it('runs each function on the Node major its runtime names', async () => {
    const client = new LambdaClient(config(url));
    const versionOf = async (name: string) =>
      JSON.parse(
        Buffer.from(
          (await client.send(new InvokeCommand({ FunctionName: name, Payload: '{}' }))).Payload ?? [],
        ).toString(),
      ).nodeVersion as string;
    expect(await versionOf(functionName('EchoFunction'))).toMatch(/^v22\./);
    expect(await versionOf(functionName('RecorderFunction'))).toMatch(/^v20\./);
  });

  it('keeps the outbox in the data dir', () => {
    const reopened = createOutbox({ databasePath: join(dataDir, 'emails.sqlite') });
    expect(reopened.list({ to: 'platform@michat.example' }).length).toBeGreaterThanOrEqual(1);
    reopened.close();
  });
});
