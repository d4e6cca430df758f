import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  DescribeExecutionCommand,
  ExecutionAlreadyExists,
  ExecutionDoesNotExist,
  ListExecutionsCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../../functions/src/adapters/dynamodb-idempotency';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { EventBridgePublisher, EventPublishError } from '../../../functions/src/adapters/event-bridge';
import { HttpWebhookSender, parseRetryAfter } from '../../../functions/src/adapters/http-webhook-sender';
import { SecretsManagerStore } from '../../../functions/src/adapters/secrets-manager';
import { StepFunctionsWorkflow } from '../../../functions/src/adapters/step-functions';
import { ConcurrentChangeError } from '../../../functions/src/domain/errors';

const documents = mockClient(DynamoDBDocumentClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const events = mockClient(EventBridgeClient);
// Unit files share a module cache (isolate: false): put the clients' real send back for the next file.
afterAll(() => {
  documents.restore();
  sfn.restore();
  secrets.restore();
  events.restore();
});
const region = { region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const doc = DynamoDBDocumentClient.from(new DynamoDBClient(region));

beforeEach(() => {
  for (const mock of [documents, sfn, secrets, events]) mock.reset();
});

describe('DynamoOrderRepository.commit', () => {
  const repository = new DynamoOrderRepository(doc, 'table');

  it('guards the marker by version, items by status, and appends the audit event without overwriting', async () => {
    const previousHead = { orderId: 'o1', seq: 3, digest: 'a'.repeat(64), signedAt: '2026-11-27T00:00:00Z' };
    documents.on(GetCommand).resolves({ Item: { version: 7, auditHead: previousHead } });
    documents.on(TransactWriteCommand).resolves({});
    await repository.commit({
      orderId: 'o1',
      expectedVersion: 7,
      auditSeq: 3,
      set: { status: 'under_review' },
      items: [{ itemId: '000001', expectedStatus: 'pending', set: { status: 'disputed' } }],
      audit: {
        orderId: 'o1',
        at: '2026-11-27T00:00:00Z',
        actor: { kind: 'platform', id: 'michat' },
        action: 'items_answered',
        stage: 'order',
        details: {},
      },
    });
    const items = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(items[0]?.Update?.ConditionExpression).toBe('#version = :expectedVersion');
    expect(items[0]?.Update?.ExpressionAttributeValues).toMatchObject({ ':expectedVersion': 7 });
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining([8, 4, 'under_review']),
    );
    expect(items[1]?.Update?.Key).toEqual({ pk: 'ORDER#o1', sk: 'ITEM#000001' });
    expect(items[1]?.Update?.ExpressionAttributeValues).toMatchObject({ ':expectedStatus': 'pending' });
    expect(items[2]?.Put?.Item).toMatchObject({ pk: 'ORDER#o1', sk: 'AUDIT#000000004', seq: 4 });
    expect(items[2]?.Put?.ConditionExpression).toBe('attribute_not_exists(pk)');
    // Chained after the head the marker held, and the marker's head moves to the new event in the same write.
    const appended = items[2]?.Put?.Item;
    expect(appended?.previousDigest).toBe('a'.repeat(64));
    expect(appended?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.values(items[0]?.Update?.ExpressionAttributeValues ?? {})).toContainEqual(
      expect.objectContaining({ seq: 4, digest: appended?.digest }),
    );
  });

  it('refuses to chain after a marker whose version moved, before signing anything', async () => {
    documents.on(GetCommand).resolves({ Item: { version: 8 } });
    await expect(
      repository.commit({
        orderId: 'o1',
        expectedVersion: 7,
        auditSeq: 3,
        set: {},
        items: [],
        audit: {
          orderId: 'o1',
          at: '2026-11-27T00:00:00Z',
          actor: { kind: 'system', id: 'tenggat-workflow' },
          action: 'status_changed',
          stage: 'order',
          details: {},
        },
      }),
    ).rejects.toThrow(ConcurrentChangeError);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('turns a cancelled transaction into ConcurrentChangeError so the caller re-reads', async () => {
    documents
      .on(TransactWriteCommand)
      .rejects(new TransactionCanceledException({ message: 'cancelled', $metadata: {} }));
    await expect(
      repository.commit({ orderId: 'o1', expectedVersion: 1, auditSeq: 1, set: {}, items: [], audit: null }),
    ).rejects.toThrow(ConcurrentChangeError);
  });
});

describe('DynamoIdempotencyStore', () => {
  const clock = { now: () => new Date('2026-11-27T00:00:00Z') };
  const store = new DynamoIdempotencyStore(doc, 'table', 'IDEMPOTENCY', clock);
  const conditionFailed = Object.assign(new Error('failed'), { name: 'ConditionalCheckFailedException' });

  it('claims a new key with a lease and a 24 h TTL', async () => {
    documents.on(PutCommand).resolves({});
    const claim = await store.claim({
      key: 'a#k',
      requestHash: 'h',
      payload: { orderId: 'o1' },
      leaseMs: 1000,
      ttlSeconds: 86_400,
    });
    expect(claim).toEqual({ state: 'claimed', payload: { orderId: 'o1' } });
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: 'IDEMPOTENCY#a#k',
      sk: 'IDEMPOTENCY',
      expiresAt: Date.parse('2026-11-28T00:00:00Z') / 1000,
    });
  });

  it('reports reused for another body, in flight during the lease, and takes over after it', async () => {
    documents.on(PutCommand).rejects(conditionFailed);
    documents.on(GetCommand).resolves({
      Item: {
        requestHash: 'h',
        state: 'in_flight',
        leaseUntil: Date.parse('2026-11-27T00:00:01Z'),
        payload: { orderId: 'o1' },
      },
    });
    expect(
      await store.claim({ key: 'k', requestHash: 'other', payload: {}, leaseMs: 1, ttlSeconds: 1 }),
    ).toEqual({ state: 'reused' });
    expect(await store.claim({ key: 'k', requestHash: 'h', payload: {}, leaseMs: 1, ttlSeconds: 1 })).toEqual(
      { state: 'in_flight' },
    );
    documents.on(GetCommand).resolves({
      Item: { requestHash: 'h', state: 'in_flight', leaseUntil: 0, payload: { orderId: 'o1' } },
    });
    documents.on(UpdateCommand).resolves({});
    expect(
      await store.claim({
        key: 'k',
        requestHash: 'h',
        payload: { orderId: 'new' },
        leaseMs: 1,
        ttlSeconds: 1,
      }),
    ).toEqual({
      state: 'claimed',
      payload: { orderId: 'o1' },
    });
  });
});

describe('DynamoIdempotencyStore results', () => {
  it('keeps 10,000 per-item results gzipped well under the 400 KB item limit and reads them back', async () => {
    const store = new DynamoIdempotencyStore(doc, 'table', 'WEBHOOK', { now: () => new Date() });
    const result = {
      result: {
        results: Array.from({ length: 10_000 }, (_, index) => ({
          itemId: String(index).padStart(6, '0'),
          result: 'applied',
        })),
      },
    };
    documents.on(UpdateCommand).resolves({});
    await store.complete('michat#msg_1', result, 60);
    const stored =
      documents.commandCalls(UpdateCommand)[0]?.args[0].input.ExpressionAttributeValues?.[':response'];
    expect(stored).toBeInstanceOf(Uint8Array);
    expect((stored as Uint8Array).byteLength).toBeLessThan(100_000);
    documents
      .on(PutCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    documents.on(GetCommand).resolves({ Item: { requestHash: 'h', state: 'completed', response: stored } });
    const claim = await store.claim({
      key: 'michat#msg_1',
      requestHash: 'h',
      payload: {},
      leaseMs: 1,
      ttlSeconds: 1,
    });
    expect(claim).toEqual({ state: 'completed', requestHash: 'h', stored: result });
  });

  it('reads a record completed before results were stored as such (`{ statusCode, body }`)', async () => {
    const store = new DynamoIdempotencyStore(doc, 'table', 'IDEMPOTENCY', { now: () => new Date() });
    const older = gzipSync(JSON.stringify({ statusCode: 201, body: null, orderId: 'order-7' }));
    documents
      .on(PutCommand)
      .rejects(Object.assign(new Error('exists'), { name: 'ConditionalCheckFailedException' }));
    documents.on(GetCommand).resolves({ Item: { requestHash: 'h', state: 'completed', response: older } });
    const claim = await store.claim({ key: 'k', requestHash: 'h', payload: {}, leaseMs: 1, ttlSeconds: 1 });
    expect(claim).toEqual({
      state: 'completed',
      requestHash: 'h',
      stored: { result: null, orderId: 'order-7' },
    });
  });
});

describe('StepFunctionsWorkflow', () => {
  const machine = 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow';
  const workflow = new StepFunctionsWorkflow(new SFNClient(region), machine);
  const executionOf = (name: string) =>
    `arn:aws:states:ap-southeast-3:123456789012:execution:Tenggat-OrderWorkflow:${name}`;

  it('treats ExecutionAlreadyExists as started and names the execution by the order id', async () => {
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    await expect(workflow.start('order-1')).resolves.toBe(executionOf('order-1'));
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: machine,
      name: 'order-1',
      input: '{"orderId":"order-1"}',
    });
  });

  it('starts a recovery under its own name with the resume flag, so it goes straight to Evaluate', async () => {
    sfn.on(StartExecutionCommand).resolves({ executionArn: executionOf('order-1.2') });
    await expect(workflow.start('order-1', { name: 'order-1.2', recovery: 2 })).resolves.toBe(
      executionOf('order-1.2'),
    );
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input.input).toBe(
      '{"orderId":"order-1","recovery":2}',
    );
  });

  it('reads an execution that does not exist as NOT_FOUND, and a closed one with its redrive status', async () => {
    sfn
      .on(DescribeExecutionCommand, { executionArn: executionOf('gone') })
      .rejects(new ExecutionDoesNotExist({ message: 'no', $metadata: {} }))
      .on(DescribeExecutionCommand, { executionArn: executionOf('failed') })
      .resolves({ status: 'FAILED', stopDate: new Date(0), redriveStatus: 'REDRIVABLE' });
    expect(await workflow.describe(executionOf('gone'))).toEqual({ status: 'NOT_FOUND' });
    expect(await workflow.describe(executionOf('failed'))).toEqual({
      status: 'FAILED',
      stopDate: new Date(0),
      redriveStatus: 'REDRIVABLE',
    });
  });

  it('lists every running execution across pages', async () => {
    sfn
      .on(ListExecutionsCommand)
      .resolvesOnce({ executions: [{ executionArn: executionOf('a') } as never], nextToken: 'next' })
      .resolvesOnce({ executions: [{ executionArn: executionOf('b') } as never] });
    expect(await workflow.listRunning()).toEqual(new Set([executionOf('a'), executionOf('b')]));
    expect(sfn.commandCalls(ListExecutionsCommand)[1]?.args[0].input).toMatchObject({
      statusFilter: 'RUNNING',
      nextToken: 'next',
    });
  });

  it('ignores a task token that already timed out', async () => {
    sfn.on(SendTaskSuccessCommand).rejects(new TaskTimedOut({ message: 'late', $metadata: {} }));
    await expect(workflow.wake('token', { notify: null })).resolves.toBeUndefined();
  });
});

describe('SecretsManagerStore', () => {
  it('creates the secret when it does not exist yet', async () => {
    secrets
      .on(PutSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'missing', $metadata: {} }));
    secrets.on(CreateSecretCommand).resolves({});
    const store = new SecretsManagerStore(
      new SecretsManagerClient(region),
      'tenggat/platforms/',
      'arn:kms:key',
    );
    await store.put('michat', {
      current: { notificationSecret: 'whsec_a', responseSecret: 'whsec_b', createdAt: 'now' },
      previous: null,
    });
    expect(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input).toMatchObject({
      Name: 'tenggat/platforms/michat',
      KmsKeyId: 'arn:kms:key',
    });
  });
});

describe('EventBridgePublisher', () => {
  it('sends domain events to the bus and fails loudly on rejected entries', async () => {
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [] });
    const publisher = new EventBridgePublisher(new EventBridgeClient(region), 'bus');
    await expect(
      publisher.publish([{ type: 'takedown.reminder', orderId: 'o', agencyId: 'a', detail: {} }]),
    ).rejects.toThrow(EventPublishError);
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]).toMatchObject({
      EventBusName: 'bus',
      DetailType: 'takedown.reminder',
    });
  });
});

describe('HttpWebhookSender', () => {
  let port = 0;
  const server = createServer((request, response) => {
    if (request.url === '/redirect') {
      response.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    } else if (request.url === '/busy') {
      response.writeHead(429, { 'retry-after': '120' }).end();
    } else {
      response.writeHead(204).end();
    }
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const send = (sender: HttpWebhookSender, path: string) =>
    sender.send({ url: `http://127.0.0.1:${port}${path}`, headers: {}, body: '{}', timeoutMs: 2_000 });

  it('reports status and latency, does not follow redirects, and reads Retry-After', async () => {
    const sender = new HttpWebhookSender({ allowLoopback: true, blockedPorts: [] });
    expect((await send(sender, '/ok')).httpStatus).toBe(204);
    expect((await send(sender, '/redirect')).httpStatus).toBe(302);
    expect(await send(sender, '/busy')).toMatchObject({ httpStatus: 429, retryAfterSeconds: 120 });
  });

  it('refuses to connect to loopback when loopback is not allowed', async () => {
    const sender = new HttpWebhookSender({ allowLoopback: false, blockedPorts: [] });
    const result = await sender.send({
      url: `http://localhost:${port}/ok`,
      headers: {},
      body: '{}',
      timeoutMs: 2_000,
    });
    expect(result.httpStatus).toBeNull();
    expect(result.error).toMatch(/loopback/);
  });

  it('parses Retry-After as seconds or as an HTTP date', () => {
    const now = new Date('2026-11-27T00:00:00Z');
    expect(parseRetryAfter('30', now)).toBe(30);
    expect(parseRetryAfter('Fri, 27 Nov 2026 00:01:00 GMT', now)).toBe(60);
    expect(parseRetryAfter('soon', now)).toBeNull();
  });
});
