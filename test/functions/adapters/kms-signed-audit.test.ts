import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient, SignCommand } from '@aws-sdk/client-kms';
import { DynamoDBDocumentClient, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { KmsChainSigner } from '../../../functions/src/adapters/kms-signer';
import { CHAIN_GENESIS } from '../../../functions/src/domain/audit-chain';
import type { OrderRecord } from '../../../functions/src/domain/records';

const documents = mockClient(DynamoDBDocumentClient);
const kms = mockClient(KMSClient);
// Unit files share a module cache (isolate: false): put the clients' real send back for the next file.
afterAll(() => {
  documents.restore();
  kms.restore();
});
const KEY_ARN = 'arn:aws:kms:ap-southeast-3:123456789012:key/1111-audit';

describe('appending an audit event (repository with the KMS signer, mocked)', () => {
  it('signs the new head with the audit key and stores it on the marker and with the event in the same transaction', async () => {
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
    await repository.createOrder(
      order as OrderRecord,
      {
        orderId: 'order-9',
        at: '2026-11-27T00:00:00.000Z',
        actor: { kind: 'agency', id: 'komdigi-ais' },
        action: 'order_submitted',
        stage: 'order',
        details: { items: 1 },
      },
      [],
    );
    const sent = kms.commandCalls(SignCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ KeyId: KEY_ARN, MessageType: 'RAW', SigningAlgorithm: 'ECDSA_SHA_256' });
    const written = documents.commandCalls(TransactWriteCommand)[0]?.args[0].input.TransactItems ?? [];
    const marker = written.find((entry) => entry.Put?.Item?.sk === 'ORDER');
    const audit = written.find((entry) => String(entry.Put?.Item?.sk).startsWith('AUDIT#'));
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
    // The event keeps the head signed with it, so no later head replaces it.
    expect(audit?.Put?.Item?.signedHead).toEqual(marker?.Put?.Item?.auditHead);
    const signedMessage = new TextDecoder().decode(sent?.Message);
    expect(JSON.parse(signedMessage)).toMatchObject({
      orderId: 'order-9',
      seq: 1,
      digest: audit?.Put?.Item?.digest,
    });
  });
});
