import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient, KMSInvalidSignatureException, SignCommand, VerifyCommand } from '@aws-sdk/client-kms';
import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { KmsChainSigner } from '../../../functions/src/adapters/kms-signer';
import {
  CHAIN_GENESIS,
  type ChainedAuditEvent,
  chainAuditEvent,
  chainHeadMessage,
  type SignedChainHead,
} from '../../../functions/src/domain/audit-chain';
import type { OrderRecord } from '../../../functions/src/domain/records';
import { apiEvent, lambdaContext, OPERATOR_CLIENT, setFunctionEnv } from './api-event';

const documents = mockClient(DynamoDBDocumentClient);
const kms = mockClient(KMSClient);
const KEY_ARN = 'arn:aws:kms:ap-southeast-3:123456789012:key/1111-audit';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

type ApiHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
let readHandler: ApiHandler;
let operatorHandler: ApiHandler;

beforeAll(async () => {
  setFunctionEnv();
  process.env.AUDIT_SIGNING_KEY_ID = KEY_ARN;
  readHandler = (await import('../../../functions/src/handlers/read-orders'))
    .handler as unknown as ApiHandler;
  operatorHandler = (await import('../../../functions/src/handlers/operator'))
    .handler as unknown as ApiHandler;
});

beforeEach(() => {
  documents.reset();
  kms.reset();
  // KMS as AWS behaves: a valid signature verifies, anything else is KMSInvalidSignatureException.
  kms.on(VerifyCommand).callsFake((input: { KeyId: string; Message: Uint8Array; Signature: Uint8Array }) => {
    if (input.KeyId !== KEY_ARN) throw new Error(`unexpected key ${input.KeyId}`);
    if (!verify('sha256', input.Message, keys.publicKey, input.Signature))
      throw new KMSInvalidSignatureException({ message: 'invalid', $metadata: {} });
    return { KeyId: KEY_ARN, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' };
  });
});

/** A stored trail of `count` events and a head signed with our key. */
function storedTrail(count: number) {
  const events: ChainedAuditEvent[] = [];
  let previous = CHAIN_GENESIS;
  for (let seq = 1; seq <= count; seq += 1) {
    const event = chainAuditEvent(
      {
        seq,
        orderId: 'order-1',
        at: `2026-11-27T00:00:0${seq}.000Z`,
        actor: { kind: 'agency', id: 'komdigi-ais', officer: 'Rina Susanti' },
        action: seq === 1 ? 'order_submitted' : 'order_withdrawn',
        stage: 'order',
        details: seq === 1 ? { items: 1 } : { reason: 'Putusan pengadilan' },
      },
      previous,
      `salt-${seq}`,
    );
    events.push(event);
    previous = event.digest;
  }
  const unsigned = { orderId: 'order-1', seq: count, digest: previous, signedAt: '2026-11-27T01:00:00.000Z' };
  const head: SignedChainHead = {
    ...unsigned,
    keyId: KEY_ARN,
    algorithm: 'ECDSA_SHA_256',
    signature: sign('sha256', chainHeadMessage(unsigned), keys.privateKey).toString('base64'),
  };
  return { events, head };
}

function serve(events: ChainedAuditEvent[], head: SignedChainHead, status = 'pending') {
  documents.on(GetCommand).resolves({
    Item: {
      pk: 'ORDER#order-1',
      sk: 'ORDER',
      orderId: 'order-1',
      agencyId: 'komdigi-ais',
      status,
      stage: 'order',
      version: 5,
      auditSeq: head.seq,
      auditHead: head,
    },
  });
  documents.on(QueryCommand).resolves({
    Items: events.map((event) => ({
      pk: 'ORDER#order-1',
      sk: `AUDIT#${String(event.seq).padStart(9, '0')}`,
      ...event,
    })),
  });
}

const readAudit = async () => {
  const response = await readHandler(
    apiEvent({
      method: 'GET',
      resource: '/v1/takedown-requests/{id}/audit',
      pathParameters: { id: 'order-1' },
    }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) };
};

describe('GET /v1/takedown-requests/{id}/audit (handler, KMS mocked)', () => {
  it('answers the events with digests and personal data, the signed head and a valid verification', async () => {
    const { events, head } = storedTrail(3);
    serve(events, head);
    const { status, body } = await readAudit();
    expect(status).toBe(200);
    expect(body.items).toHaveLength(3);
    expect(body.items[1]).toMatchObject({
      seq: 2,
      actor: { kind: 'agency', officer: 'Rina Susanti' },
      details: { reason: 'Putusan pengadilan' },
      digest: events[1]?.digest,
      previousDigest: events[0]?.digest,
    });
    expect(body.head).toMatchObject({ seq: 3, keyId: KEY_ARN, signature: head.signature });
    expect(body.verification).toEqual({ valid: true, checkedEvents: 3 });
    expect(kms.commandCalls(VerifyCommand)[0]?.args[0].input).toMatchObject({
      KeyId: KEY_ARN,
      MessageType: 'RAW',
      SigningAlgorithm: 'ECDSA_SHA_256',
    });
  });

  it('reports an edited event as broken at its sequence number', async () => {
    const { events, head } = storedTrail(3);
    const tampered = events.map((event) => (event.seq === 2 ? { ...event, action: 'review_upheld' } : event));
    serve(tampered, head);
    const { status, body } = await readAudit();
    expect(status).toBe(200);
    expect(body.verification).toEqual({
      valid: false,
      checkedEvents: 1,
      brokenAt: 2,
      reason: 'event_altered',
    });
  });

  it('reports a head whose signature KMS rejects', async () => {
    const { events, head } = storedTrail(3);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const forged = sign('sha256', chainHeadMessage(head), other.privateKey).toString('base64');
    serve(events, { ...head, signature: forged });
    const { body } = await readAudit();
    expect(body.verification).toMatchObject({ valid: false, brokenAt: 3, reason: 'head_signature_invalid' });
  });
});

describe('appending an audit event (repository with the KMS signer, mocked)', () => {
  it('signs the new head with the audit key and stores it on the marker in the same transaction', async () => {
    const signature = Buffer.from('der-signature');
    kms.on(SignCommand).resolves({ KeyId: KEY_ARN, Signature: signature, SigningAlgorithm: 'ECDSA_SHA_256' });
    documents.on(TransactWriteCommand).resolves({});
    const region = { region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
    const repository = new DynamoOrderRepository(
      DynamoDBDocumentClient.from(new DynamoDBClient(region)),
      'table',
      new KmsChainSigner(new KMSClient(region), KEY_ARN),
    );
    const order = {
      orderId: 'order-9',
      agencyId: 'komdigi-ais',
      createdAt: '2026-11-27T00:00:00.000Z',
      auditSeq: 1,
    };
    await repository.createOrder(order as OrderRecord, {
      orderId: 'order-9',
      at: '2026-11-27T00:00:00.000Z',
      actor: { kind: 'agency', id: 'komdigi-ais' },
      action: 'order_submitted',
      stage: 'order',
      details: { items: 1 },
    });
    const sent = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ KeyId: KEY_ARN, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    const [marker, audit] =
      documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    expect(audit?.Put?.Item).toMatchObject({ seq: 1, previousDigest: CHAIN_GENESIS });
    expect(marker?.Put?.Item?.auditHead).toEqual({
      orderId: 'order-9',
      seq: 1,
      digest: audit?.Put?.Item?.digest,
      signedAt: expect.any(String),
      keyId: KEY_ARN,
      algorithm: 'ECDSA_SHA_256',
      signature: signature.toString('base64'),
    });
    const signedMessage = new TextDecoder().decode(sent?.Message);
    expect(JSON.parse(signedMessage)).toMatchObject({
      orderId: 'order-9',
      seq: 1,
      digest: audit?.Put?.Item?.digest,
    });
  });
});

describe('POST /v1/takedown-requests/{id}/personal-data-erasure (operator handler, mocked)', () => {
  const erase = (body: unknown) =>
    operatorHandler(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/personal-data-erasure',
        pathParameters: { id: 'order-1' },
        body: JSON.stringify(body),
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
      }),
      lambdaContext,
    );

  it('refuses a body without the request reference with 422, erasing nothing', async () => {
    const response = await erase({});
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('requestReference');
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  it('refuses an order still being enforced with a 409 problem, erasing nothing', async () => {
    const { events, head } = storedTrail(3);
    serve(events, head, 'pending');
    const response = await erase({ requestReference: 'PDP/2026/0007' });
    expect(response.statusCode).toBe(409);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 409 });
    expect(documents.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('removes the personal data of each event that has some and appends a signed erasure event', async () => {
    const { events, head } = storedTrail(3);
    serve(events, head, 'withdrawn');
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'ORDER#order-1', ':prefix': 'ITEM#' } })
      .resolves({
        Items: [],
      });
    documents.on(UpdateCommand).resolves({});
    documents.on(TransactWriteCommand).resolves({});
    kms.on(SignCommand).resolves({ KeyId: KEY_ARN, Signature: Buffer.from('sig') });
    const response = await erase({ requestReference: 'PDP/2026/0007' });
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      orderId: 'order-1',
      erasedEvents: 3,
      erasedItems: 0,
      erasedAt: expect.any(String),
    });
    const updates = documents.commandCalls(UpdateCommand).map((call) => call.args[0].input);
    expect(updates).toHaveLength(3);
    expect(updates[0]).toMatchObject({
      Key: { pk: 'ORDER#order-1', sk: 'AUDIT#000000001' },
      UpdateExpression: 'REMOVE personalData SET personalDataErasedAt = :at',
    });
    const appended = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems?.at(-1)
      ?.Put?.Item;
    expect(appended).toMatchObject({
      seq: 4,
      action: 'personal_data_erased',
      actor: { kind: 'operator' },
      details: { erasedEvents: 3, requestReference: 'PDP/2026/0007' },
      previousDigest: head.digest,
    });
  });
});
