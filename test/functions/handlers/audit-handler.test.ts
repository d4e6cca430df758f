import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { KMSClient, KMSInvalidSignatureException, VerifyCommand } from '@aws-sdk/client-kms';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { KmsChainSigner } from '../../../functions/src/adapters/kms-signer';
import {
  CHAIN_GENESIS,
  type ChainedAuditEvent,
  chainAuditEvent,
  chainHeadMessage,
  type SignedChainHead,
} from '../../../functions/src/domain/audit-chain';
import { cancelNotice } from '../../../functions/src/domain/notices';
import { isFinalOrderStatus } from '../../../functions/src/domain/order-rules';
import type { OrderRecord } from '../../../functions/src/domain/records';
import { type TestWorld, testWorld } from '../fakes';
import { AGENCY, registerMichat, submit } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

const kms = mockClient(KMSClient);
// Unit files share a module cache (isolate: false): put the clients' real send back for the next file.
afterAll(() => {
  kms.restore();
});
const KEY_ARN = 'arn:aws:kms:ap-southeast-3:123456789012:key/1111-audit';
const keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });

let world: TestWorld;
let handlers: Awaited<ReturnType<typeof handlersOver>>;
let orderId: string;

beforeEach(async () => {
  kms.reset();
  // KMS as AWS behaves: a valid signature verifies, anything else is KMSInvalidSignatureException.
  kms.on(VerifyCommand).callsFake((input: { KeyId: string; Message: Uint8Array; Signature: Uint8Array }) => {
    if (input.KeyId !== KEY_ARN) throw new Error(`unexpected key ${input.KeyId}`);
    if (!verify('sha256', input.Message, keys.publicKey, input.Signature))
      throw new KMSInvalidSignatureException({ message: 'invalid', $metadata: {} });
    return { KeyId: KEY_ARN, SignatureValid: true, SigningAlgorithm: 'ECDSA_SHA_256' };
  });
  world = testWorld();
  // The read function verifies heads with the KMS adapter (over a mocked KMS), as it does on AWS.
  world.deps.chainSigner = new KmsChainSigner(
    new KMSClient({ region: 'ap-southeast-3', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    KEY_ARN,
  );
  await registerMichat(world);
  orderId = (await submit(world)).id;
  handlers = await handlersOver(world);
});

/** A trail of `count` events and a head signed with the KMS key, stored for the order in `status`. */
function storeTrail(count: number, status: OrderRecord['status'] = 'awaiting_platform') {
  const events: ChainedAuditEvent[] = [];
  let previous = CHAIN_GENESIS;
  for (let seq = 1; seq <= count; seq += 1) {
    const event = chainAuditEvent(
      {
        seq,
        orderId,
        at: `2026-11-27T00:00:0${seq}.000Z`,
        actor: { kind: 'agency', id: AGENCY, officer: 'Rina Susanti' },
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
  const unsigned = { orderId, seq: count, digest: previous, signedAt: '2026-11-27T01:00:00.000Z' };
  const head: SignedChainHead = {
    ...unsigned,
    keyId: KEY_ARN,
    algorithm: 'ECDSA_SHA_256',
    signature: sign('sha256', chainHeadMessage(unsigned), keys.privateKey).toString('base64'),
  };
  const store = (trail: ChainedAuditEvent[], stored: SignedChainHead) => {
    const marker = world.orders.orders.get(orderId);
    if (marker === undefined) throw new Error('no order');
    const final = isFinalOrderStatus(status);
    world.orders.orders.set(orderId, {
      ...marker,
      status,
      auditSeq: stored.seq,
      finalizedAt: final ? '2026-11-27T01:00:00.000Z' : null,
    });
    // A final order owes the platform nothing once its withdrawal is through: finalize cancelled the rest.
    const notices = world.orders.notices.get(orderId);
    for (const [noticeId, notice] of notices ?? []) {
      if (final) notices?.set(noticeId, cancelNotice(notice));
    }
    world.orders.audit.set(orderId, trail);
    world.orders.heads.set(orderId, stored);
  };
  store(events, head);
  return { events, head, store };
}

const readAudit = async () => {
  const response = await handlers.read(
    apiEvent({
      method: 'GET',
      resource: '/v1/takedown-requests/{id}/audit',
      pathParameters: { id: orderId },
    }),
    lambdaContext,
  );
  return { status: response.statusCode, body: JSON.parse(response.body) };
};

describe('GET /v1/takedown-requests/{id}/audit (handler, KMS mocked)', () => {
  it('answers the events with digests and personal data, the signed head and a valid verification', async () => {
    const { events, head } = storeTrail(3);
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
    const { events, head, store } = storeTrail(3);
    store(
      events.map((event) => (event.seq === 2 ? { ...event, action: 'review_upheld' } : event)),
      head,
    );
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
    const { events, head, store } = storeTrail(3);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    store(events, {
      ...head,
      signature: sign('sha256', chainHeadMessage(head), other.privateKey).toString('base64'),
    });
    const { body } = await readAudit();
    expect(body.verification).toMatchObject({ valid: false, brokenAt: 3, reason: 'head_signature_invalid' });
  });
});

describe('POST /v1/takedown-requests/{id}/personal-data-erasure (operator handler)', () => {
  const erase = (body: unknown) =>
    handlers.operator(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/personal-data-erasure',
        pathParameters: { id: orderId },
        body: JSON.stringify(body),
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
      }),
      lambdaContext,
    );
  const personalDataOf = () => world.orders.audit.get(orderId)?.map((event) => event.personalData);

  it('refuses a body without the request reference with 422, erasing nothing', async () => {
    storeTrail(3, 'withdrawn');
    const response = await erase({});
    expect(response.statusCode).toBe(422);
    expect(response.body).toContain('requestReference');
    expect(personalDataOf()?.every((data) => data !== null)).toBe(true);
  });

  it('refuses an order still being enforced with a 409 problem, erasing nothing', async () => {
    storeTrail(3);
    const response = await erase({ requestReference: 'PDP/2026/0007' });
    expect(response.statusCode).toBe(409);
    expect(response.headers?.['content-type']).toContain('application/problem+json');
    expect(JSON.parse(response.body)).toMatchObject({ status: 409 });
    expect(personalDataOf()?.every((data) => data !== null)).toBe(true);
  });

  it('refuses a final order while a notice that carries the locators is still owed to the platform', async () => {
    storeTrail(3, 'withdrawn');
    const notices = world.orders.notices.get(orderId);
    const first = notices?.get('000001');
    if (first) notices?.set('000001', { ...first, webhook: { ...first.webhook, state: 'pending' } });
    const response = await erase({ requestReference: 'PDP/2026/0007' });
    expect(response.statusCode).toBe(409);
    expect(JSON.parse(response.body).detail).toMatch(/notice 000001 .* still being delivered/);
    expect(personalDataOf()?.every((data) => data !== null)).toBe(true);
  });

  it('removes the personal data of each event that has some and appends the erasure event', async () => {
    const { head } = storeTrail(3, 'withdrawn');
    const response = await erase({ requestReference: 'PDP/2026/0007' });
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body)).toEqual({
      orderId,
      erasedEvents: 3,
      erasedItems: 3,
      erasedAt: expect.any(String),
    });
    const trail = world.orders.audit.get(orderId) ?? [];
    expect(trail.slice(0, 3).every((event) => event.personalData === null)).toBe(true);
    expect(trail[3]).toMatchObject({
      seq: 4,
      action: 'personal_data_erased',
      actor: { kind: 'operator', id: 'tenggat-operator' },
      details: { erasedEvents: 3, erasedItems: 3, requestReference: 'PDP/2026/0007' },
      previousDigest: head.digest,
    });
  });
});
