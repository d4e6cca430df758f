import {
  type KMSClient,
  KMSInvalidSignatureException,
  SignCommand,
  VerifyCommand,
} from '@aws-sdk/client-kms';
import type { ChainSigner } from '../ports';

export class ChainSigningError extends Error {
  override name = 'ChainSigningError';
}

/** Signs chain heads with an asymmetric ECC_NIST_P256 KMS key (ECDSA_SHA_256, DER signatures). */
export class KmsChainSigner implements ChainSigner {
  constructor(
    private readonly client: KMSClient,
    private readonly keyId: string,
  ) {}

  async sign(message: Uint8Array): Promise<{ keyId: string; signature: string }> {
    const result = await this.client.send(
      new SignCommand({
        KeyId: this.keyId,
        Message: message,
        MessageType: 'RAW',
        SigningAlgorithm: 'ECDSA_SHA_256',
      }),
    );
    if (result.Signature === undefined)
      throw new ChainSigningError(`KMS returned no signature for ${this.keyId}`);
    // The key ARN, so that a reader knows which key (and version of the alias) signed.
    return { keyId: result.KeyId ?? this.keyId, signature: Buffer.from(result.Signature).toString('base64') };
  }

  async verify(message: Uint8Array, signature: string): Promise<boolean> {
    try {
      const result = await this.client.send(
        new VerifyCommand({
          KeyId: this.keyId,
          Message: message,
          MessageType: 'RAW',
          Signature: Buffer.from(signature, 'base64'),
          SigningAlgorithm: 'ECDSA_SHA_256',
        }),
      );
      return result.SignatureValid === true;
    } catch (error) {
      if (
        error instanceof KMSInvalidSignatureException ||
        (error instanceof Error && error.name === 'KMSInvalidSignatureException')
      )
        return false;
      throw error;
    }
  }
}
