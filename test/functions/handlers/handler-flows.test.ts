import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  ExecutionAlreadyExists,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  BatchGetCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { Webhook } from 'standardwebhooks';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OrderRecord } from '../../../functions/src/domain/records';
import { DEFAULT_POLICY } from '../policy-fixture';
import { apiEvent, lambdaContext, OPERATOR_CLIENT, setFunctionEnv } from './api-event';

const documents = mockClient(DynamoDBDocumentClient);
const dynamo = mockClient(DynamoDBClient);
const sfn = mockClient(SFNClient);
const secrets = mockClient(SecretsManagerClient);
const events = mockClient(EventBridgeClient);

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
type StepHandler = (event: unknown, context: Context) => Promise<unknown>;

let submitHandler: ApiHandler;
let readHandler: ApiHandler;
let stepHandler: StepHandler;
let deliverHandler: StepHandler;
let responsesHandler: ApiHandler;
let withdrawHandler: ApiHandler;
let operatorHandler: ApiHandler;

beforeAll(async () => {
  setFunctionEnv();
  submitHandler = (await import('../../../functions/src/handlers/submit-order'))
    .handler as unknown as ApiHandler;
  readHandler = (await import('../../../functions/src/handlers/read-orders'))
    .handler as unknown as ApiHandler;
  stepHandler = (await import('../../../functions/src/handlers/workflow-step'))
    .handler as unknown as StepHandler;
  deliverHandler = (await import('../../../functions/src/handlers/deliver-webhook'))
    .handler as unknown as StepHandler;
  responsesHandler = (await import('../../../functions/src/handlers/platform-responses'))
    .handler as unknown as ApiHandler;
  withdrawHandler = (await import('../../../functions/src/handlers/withdraw-order'))
    .handler as unknown as ApiHandler;
  operatorHandler = (await import('../../../functions/src/handlers/operator'))
    .handler as unknown as ApiHandler;
});

beforeEach(() => {
  for (const mock of [documents, dynamo, sfn, secrets, events]) mock.reset();
});

const platformItem = {
  pk: 'PLATFORM#michat',
  sk: 'PLATFORM',
  platformId: 'michat',
  name: 'MiChat',
  webhookUrl: 'https://hooks.michat.example/',
  contactEmail: 'legal@michat.example',
  status: 'active',
  createdAt: '2026-11-27T00:00:00.000Z',
  secretsRotatedAt: null,
  disabledAt: null,
};

function orderMarker(overrides: Partial<OrderRecord> = {}): OrderRecord & { pk: string; sk: string } {
  return {
    pk: 'ORDER#order-1',
    sk: 'ORDER',
    orderId: 'order-1',
    agencyId: 'komdigi-ais',
    platformId: 'michat',
    category: 'gambling',
    urgency: 'standard',
    urgent: false,
    urgencyReason: null,
    legalBasis: ['UU ITE'],
    reason: 'Gambling',
    reference: 'R-1',
    territorialScope: ['ID'],
    officer: null,
    evidence: [],
    status: 'awaiting_platform',
    stage: 'order',
    createdAt: '2026-11-27T00:00:00.000Z',
    notifiedAt: '2026-11-27T00:00:00.000Z',
    deadlineAt: '2026-11-28T00:00:00.000Z',
    st2At: null,
    stageHistory: [],
    itemCounts: { total: 1, pending: 1, resolved: 0, disputed: 0, withdrawn: 0 },
    policy: DEFAULT_POLICY,
    version: 4,
    auditSeq: 2,
    taskToken: null,
    taskPurpose: null,
    lastReviewReminderAt: null,
    disputedSince: null,
    finalizedAt: null,
    withdrawal: null,
    ...overrides,
  };
}

describe('submit-order handler', () => {
  it('writes items before the marker, starts the execution named by the order id, and answers 201', async () => {
    documents.resolves({});
    documents
      .on(GetCommand)
      .callsFake((input: { Key: { pk: string } }) =>
        input.Key.pk === 'PLATFORM#michat' ? { Item: platformItem } : {},
      );
    sfn.on(StartExecutionCommand).rejects(new ExecutionAlreadyExists({ message: 'exists', $metadata: {} }));
    const body = {
      platformId: 'michat',
      category: 'terrorism',
      legalBasis: ['UU ITE'],
      reason: 'Propaganda',
      reference: 'R-9',
      items: [
        { kind: 'url', locator: 'https://michat.example/p/1' },
        { kind: 'account', locator: '@recruiter' },
      ],
    };
    const response = await submitHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'abc' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(201);
    const view = JSON.parse(response.body) as {
      id: string;
      urgency: string;
      status: string;
      items: unknown[];
    };
    expect(view).toMatchObject({ urgency: 'urgent', status: 'notifying' });
    expect(view.items).toHaveLength(2);
    // Items go out as one transaction of puts, the marker in the transaction after it.
    const [itemWrite, markerWrite] = documents.commandCalls(TransactWriteCommand);
    const itemKeys = itemWrite?.args[0].input.TransactItems?.map((action) => action.Put?.Item?.sk);
    expect(itemKeys).toEqual(['ITEM#000001', 'ITEM#000002']);
    const marker = markerWrite?.args[0].input.TransactItems?.[0]?.Put;
    expect(marker?.Item).toMatchObject({ pk: `ORDER#${view.id}`, sk: 'ORDER', gsi1pk: 'AGENCY#komdigi-ais' });
    expect(marker?.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input).toMatchObject({
      name: view.id,
      input: JSON.stringify({ orderId: view.id }),
    });
    const idempotency = documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(idempotency).toMatchObject({ pk: 'IDEMPOTENCY#komdigi-ais#abc', sk: 'IDEMPOTENCY' });
    expect(
      documents.commandCalls(UpdateCommand).at(-1)?.args[0].input.ExpressionAttributeValues?.[':completed'],
    ).toBe('completed');
  });

  it('answers 422 naming platformId for an unknown platform', async () => {
    documents.resolves({});
    const body = {
      platformId: 'nope',
      category: 'fraud',
      legalBasis: ['x'],
      reason: 'r',
      reference: 'r',
      items: [{ kind: 'url', locator: 'u' }],
    };
    const response = await submitHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'k' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body).errors).toEqual([
      { field: 'platformId', message: 'is not a registered platform' },
    ]);
  });
});

describe('read-orders handler', () => {
  it("answers 404 for another agency's order", async () => {
    documents.on(GetCommand).resolves({ Item: orderMarker({ agencyId: 'bpom' }) });
    const response = await readHandler(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: 'order-1' },
        scope: 'takedown/read',
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('answers 404 without touching the table for an id that cannot be a key', async () => {
    const response = await readHandler(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: 'x'.repeat(3_000) },
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(404);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 400 for a forged cursor and 422 for a bad limit, never 500', async () => {
    documents.resolves({ Items: [] });
    const forged = await readHandler(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query: { cursor: 'not-base64-json' } }),
      lambdaContext,
    );
    expect(forged.statusCode).toBe(400);
    const badLimit = await readHandler(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query: { limit: 'many' } }),
      lambdaContext,
    );
    expect(badLimit.statusCode).toBe(422);
  });

  it('hides internals behind a 500 problem when DynamoDB fails', async () => {
    documents.rejects(new Error('ProvisionedThroughputExceeded at table arn:aws:dynamodb:secret'));
    const response = await readHandler(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests/{id}', pathParameters: { id: 'order-1' } }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/arn:aws/);
    expect(JSON.parse(response.body).type).toBe('https://tenggat.dev/problems/internal');
  });
});

describe('workflow-step handler', () => {
  it('throws OrderChanged (by name, for the state machine to catch) when the version moved', async () => {
    documents.on(UpdateCommand).rejects(
      Object.assign(new Error('The conditional request failed'), {
        name: 'ConditionalCheckFailedException',
      }),
    );
    await expect(
      stepHandler(
        { action: 'registerWait', orderId: 'order-1', taskToken: 't', version: 3, purpose: 'answers' },
        lambdaContext,
      ),
    ).rejects.toMatchObject({ name: 'OrderChanged' });
  });

  it('evaluates an order and reports how long to wait', async () => {
    const now = Date.now();
    documents
      .on(GetCommand)
      .resolves({ Item: orderMarker({ deadlineAt: new Date(now + 3_600_000).toISOString() }) });
    documents.resolves({
      Items: [
        {
          pk: 'ORDER#order-1',
          sk: 'ITEM#000001',
          orderId: 'order-1',
          itemId: '000001',
          seq: 1,
          status: 'pending',
          deadlineAt: null,
        },
      ],
    });
    documents
      .on(GetCommand)
      .resolves({ Item: orderMarker({ deadlineAt: new Date(now + 3_600_000).toISOString() }) });
    const result = (await stepHandler({ action: 'evaluate', orderId: 'order-1' }, lambdaContext)) as {
      waitSeconds: number;
      done: boolean;
    };
    expect(result.done).toBe(false);
    expect(result.waitSeconds).toBeGreaterThan(3_590);
    expect(result.waitSeconds).toBeLessThanOrEqual(3_600);
  });

  it('refuses an unknown action', async () => {
    await expect(stepHandler({ action: 'explode', orderId: 'o' }, lambdaContext)).rejects.toMatchObject({
      name: 'InvalidWorkflowInputError',
    });
  });
});

describe('deliver-webhook handler', () => {
  it('cancels delivery for a withdrawn order without calling the platform', async () => {
    documents.on(GetCommand).resolves({ Item: orderMarker({ status: 'withdrawn' }) });
    const result = await deliverHandler(
      { orderId: 'order-1', event: 'takedown.reminder', attempt: 0 },
      lambdaContext,
    );
    expect(result).toEqual({ delivered: false, retryInSeconds: null, cancelled: true });
    expect(events.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('sends nothing for an escalation without a new event and lets the machine evaluate', async () => {
    const result = await deliverHandler({ orderId: 'order-1', event: null, attempt: 0 }, lambdaContext);
    expect(result).toEqual({ delivered: true, retryInSeconds: null, cancelled: false });
    expect(documents.calls()).toHaveLength(0);
  });

  it('refuses an event type outside the contract', async () => {
    await expect(
      deliverHandler({ orderId: 'order-1', event: 'takedown.party', attempt: 0 }, lambdaContext),
    ).rejects.toMatchObject({
      name: 'InvalidDeliveryInputError',
    });
  });
});

describe('platform-responses handler', () => {
  const responseSecret = `whsec_${Buffer.from('response-secret-of-michat-32-bytes!').toString('base64')}`;

  function signed(body: unknown, webhookId: string) {
    const rawBody = JSON.stringify(body);
    const now = new Date();
    return {
      rawBody,
      headers: {
        'webhook-id': webhookId,
        'webhook-timestamp': String(Math.floor(now.getTime() / 1000)),
        'webhook-signature': new Webhook(responseSecret).sign(webhookId, now, rawBody),
      },
    };
  }

  it('verifies the signature, applies the answer in one conditional transaction and publishes it', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({
        current: { notificationSecret: 'whsec_bm90aWZ5', responseSecret, createdAt: '2026-11-27T00:00:00Z' },
        previous: null,
      }),
    });
    documents.resolves({});
    documents.on(GetCommand).resolves({ Item: orderMarker() });
    documents.on(BatchGetCommand).resolves({
      Responses: {
        'tenggat-test': [
          {
            pk: 'ORDER#order-1',
            sk: 'ITEM#000001',
            orderId: 'order-1',
            itemId: '000001',
            seq: 1,
            status: 'pending',
            deadlineAt: null,
            fineSettled: 0,
            fineAccruingSince: null,
          },
        ],
      },
    });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    const { rawBody, headers } = signed(
      { takedownRequestId: 'order-1', items: [{ itemId: '000001', outcome: 'removed' }] },
      'msg_answer_1',
    );
    const response = await responsesHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms/{platformId}/responses',
        pathParameters: { platformId: 'michat' },
        clientId: null,
        headers,
        body: rawBody,
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body).results).toEqual([{ itemId: '000001', result: 'applied' }]);
    const transaction = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(transaction[0]?.Update?.ExpressionAttributeValues?.[':expectedVersion']).toBe(4);
    expect(transaction[1]?.Update?.ExpressionAttributeValues?.[':expectedStatus']).toBe('pending');
    expect(documents.commandCalls(PutCommand)[0]?.args[0].input.Item).toMatchObject({
      pk: 'WEBHOOK#michat#msg_answer_1',
      sk: 'WEBHOOK',
    });
    expect(events.commandCalls(PutEventsCommand)[0]?.args[0].input.Entries?.[0]?.DetailType).toBe(
      'takedown.items_answered',
    );
  });
});

describe('withdraw-order handler', () => {
  it('withdraws, clears the stored task token in the guarded write and wakes the workflow', async () => {
    documents.resolves({ Items: [] });
    documents
      .on(GetCommand)
      .resolves({ Item: orderMarker({ taskToken: 'wait-token', taskPurpose: 'answers' }) });
    events.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [] });
    sfn.on(SendTaskSuccessCommand).resolves({});
    const response = await withdrawHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/withdrawal',
        pathParameters: { id: 'order-1' },
        body: JSON.stringify({ reason: 'Court order lifted', officer: 'Rina S.' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(200);
    const update = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.[0]?.Update;
    expect(update?.ConditionExpression).toBe('#version = :expectedVersion');
    expect(Object.values(update?.ExpressionAttributeValues ?? {})).toEqual(
      expect.arrayContaining(['withdrawn', null]),
    );
    const audit = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.at(-1)
      ?.Put?.Item;
    // The officer's name and the free-text reason are personal data: held apart from the chained fields.
    expect(audit).toMatchObject({
      action: 'order_withdrawn',
      actor: { kind: 'agency', id: 'komdigi-ais' },
      personalData: { officer: 'Rina S.', details: { reason: 'Court order lifted' } },
    });
    expect(audit?.actor).not.toHaveProperty('officer');
    expect(audit?.details).not.toHaveProperty('reason');
    expect(sfn.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'wait-token',
      output: JSON.stringify({ notify: null }),
    });
  });

  it('answers 409 for an order that is already final', async () => {
    documents.on(GetCommand).resolves({ Item: orderMarker({ status: 'complied' }) });
    const response = await withdrawHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/withdrawal',
        pathParameters: { id: 'order-1' },
        body: JSON.stringify({ reason: 'late' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(409);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    expect(sfn.calls()).toHaveLength(0);
  });
});

describe('operator handler', () => {
  it('registers a platform: secrets go to Secrets Manager only, the record to the table, both secrets to the caller once', async () => {
    documents.resolves({});
    secrets
      .on(PutSecretValueCommand)
      .rejects(new ResourceNotFoundException({ message: 'missing', $metadata: {} }));
    secrets.on(CreateSecretCommand).resolves({});
    const response = await operatorHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms',
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
        body: JSON.stringify({
          id: 'michat',
          name: 'MiChat',
          webhookUrl: 'https://93.184.216.34/hooks',
          contactEmail: 'legal@michat.example',
        }),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(201);
    const body = JSON.parse(response.body) as { notificationSecret: string; responseSecret: string };
    expect(body.notificationSecret).toMatch(/^whsec_/);
    const stored = JSON.parse(
      String(secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input.SecretString),
    );
    expect(stored.current.responseSecret).toBe(body.responseSecret);
    const record = documents.commandCalls(PutCommand)[0]?.args[0].input.Item;
    expect(record).toMatchObject({ pk: 'PLATFORM#michat', sk: 'PLATFORM' });
    expect(JSON.stringify(record)).not.toContain('whsec_');
    expect(response.headers?.['cache-control']).toBe('no-store');
  });

  it('refuses agency tokens without the admin scope', async () => {
    const response = await operatorHandler(
      apiEvent({ method: 'GET', resource: '/v1/platforms', scope: 'takedown/read takedown/write' }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(403);
    expect(documents.calls()).toHaveLength(0);
  });
});
