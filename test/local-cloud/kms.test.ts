import { createHash, createPublicKey, verify } from 'node:crypto';
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeKeyCommand,
  GetPublicKeyCommand,
  KMSClient,
  KMSInvalidSignatureException,
  NotFoundException,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KmsChainSigner } from '../../functions/src/adapters/kms-signer';
import { startAwsEndpoint } from '../../local/cloud/aws-endpoint';
import type { RunningServer } from '../../local/cloud/http-util';
import { createLocalKms, signingKeysFromTemplate } from '../../local/cloud/kms';

const TEMPLATE = {
  Resources: {
    AuditSigningKey: {
      Type: 'AWS::KMS::Key',
      Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY', Description: 'audit chain heads' },
    },
    AuditSigningKeyAlias: {
      Type: 'AWS::KMS::Alias',
      Properties: {
        AliasName: 'alias/tenggat-audit',
        TargetKeyId: { 'Fn::GetAtt': ['AuditSigningKey', 'Arn'] },
      },
    },
    DataKey: { Type: 'AWS::KMS::Key', Properties: { EnableKeyRotation: true } },
  },
};

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
});

describe('local KMS, through @aws-sdk/client-kms', () => {
  const keysDir = join(mkdtempSync(join(tmpdir(), 'kms-')), 'kms');
  const keys = signingKeysFromTemplate(TEMPLATE, 'Tenggat');
  const signingKey = keys[0];
  let endpoint: RunningServer;
  let client: KMSClient;
  const message = new TextEncoder().encode('{"orderId":"o1","seq":3}');

  beforeAll(async () => {
    endpoint = await startAwsEndpoint({ kms: createLocalKms({ keysDir, keys }) });
    client = new KMSClient(clientConfig(endpoint.url));
  });
  afterAll(async () => {
    client.destroy();
    await endpoint.close();
  });

  it('takes only the ECC_NIST_P256 keys of the template, with their aliases', () => {
    expect(keys).toHaveLength(1);
    expect(signingKey).toMatchObject({
      logicalId: 'AuditSigningKey',
      aliases: ['alias/tenggat-audit'],
      arn: expect.stringMatching(/^arn:aws:kms:us-east-1:000000000000:key\/[0-9a-f-]{36}$/),
    });
  });

  it('signs a raw message with a DER ECDSA signature that the public key verifies', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    const signed = await client.send(
      new SignCommand({
        KeyId: signingKey.arn,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(signed.KeyId).toBe(signingKey.arn);
    const signature = Buffer.from(signed.Signature ?? new Uint8Array());
    expect(signature[0]).toBe(0x30);
    const published = await client.send(new GetPublicKeyCommand({ KeyId: 'alias/tenggat-audit' }));
    expect(published).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const publicKey = createPublicKey({
      key: Buffer.from(published.PublicKey ?? new Uint8Array()),
      format: 'der',
      type: 'spki',
    });
    expect(verify('sha256', message, publicKey, signature)).toBe(true);
    const checked = await client.send(
      new VerifyCommand({
        KeyId: signingKey.keyId,
        Message: message,
        Signature: signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(checked.SignatureValid).toBe(true);
  });

  it('signs and verifies a SHA-256 digest the same way as the message it stands for', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    const digest = createHash('sha256').update(message).digest();
    const signed = await client.send(
      new SignCommand({
        KeyId: signingKey.arn,
        Message: digest,
        MessageType: 'DIGEST',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    const signature = Buffer.from(signed.Signature ?? new Uint8Array());
    const checkedAsRaw = await client.send(
      new VerifyCommand({
        KeyId: signingKey.arn,
        Message: message,
        MessageType: 'RAW',
        Signature: signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(checkedAsRaw.SignatureValid).toBe(true);
    const rawSignature = await client.send(
      new SignCommand({ KeyId: signingKey.arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const checkedAsDigest = await client.send(
      new VerifyCommand({
        KeyId: signingKey.arn,
        Message: digest,
        MessageType: 'DIGEST',
        Signature: rawSignature.Signature,
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    expect(checkedAsDigest.SignatureValid).toBe(true);
  });

  it('answers KMSInvalidSignatureException for a changed message or a garbled signature', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    const signed = await client.send(
      new SignCommand({ KeyId: signingKey.arn, Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    const changed = new TextEncoder().encode('{"orderId":"o1","seq":4}');
    await expect(
      client.send(
        new VerifyCommand({
          KeyId: signingKey.arn,
          Message: changed,
          Signature: signed.Signature,
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toThrow(KMSInvalidSignatureException);
    await expect(
      client.send(
        new VerifyCommand({
          KeyId: signingKey.arn,
          Message: message,
          Signature: new Uint8Array([1, 2, 3]),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toThrow(KMSInvalidSignatureException);
  });

  it('refuses unknown keys, other algorithms and oversized raw messages', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    await expect(
      client.send(
        new SignCommand({ KeyId: 'alias/nope', Message: message, SigningAlgorithm: 'ECDSA_SHA_256' }),
      ),
    ).rejects.toThrow(NotFoundException);
    await expect(
      client.send(
        new SignCommand({ KeyId: signingKey.arn, Message: message, SigningAlgorithm: 'RSASSA_PSS_SHA_256' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidKeyUsageException' });
    await expect(
      client.send(
        new SignCommand({
          KeyId: signingKey.arn,
          Message: new Uint8Array(4097),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });

  it('keeps the private key in the data dir readable by its owner only, and the same across restarts', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    const mode = statSync(join(keysDir, `${signingKey.keyId}.pem`)).mode & 0o777;
    expect(mode).toBe(0o600);
    const before = await client.send(new GetPublicKeyCommand({ KeyId: signingKey.arn }));
    const restarted = createLocalKms({ keysDir, keys });
    const after = await restarted.dispatch('GetPublicKey', { KeyId: signingKey.arn });
    expect(after.PublicKey).toBe(Buffer.from(before.PublicKey ?? new Uint8Array()).toString('base64'));
    const described = await client.send(new DescribeKeyCommand({ KeyId: signingKey.arn }));
    expect(described.KeyMetadata).toMatchObject({ KeyUsage: 'SIGN_VERIFY', KeySpec: 'ECC_NIST_P256' });
  });

  it('serves the chain signer the functions use: a signed head verifies, a forged one does not', async () => {
    if (signingKey === undefined) throw new Error('no signing key');
    const signer = new KmsChainSigner(client, signingKey.arn);
    const { keyId, signature } = await signer.sign(message);
    expect(keyId).toBe(signingKey.arn);
    expect(await signer.verify(message, signature)).toBe(true);
    expect(await signer.verify(new TextEncoder().encode('other head'), signature)).toBe(false);
  });
});
