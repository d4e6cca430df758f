/**
 * A local KMS (AWS JSON 1.1, `TrentService.<Action>`) for the asymmetric signing keys of the template: every
 * `AWS::KMS::Key` whose `KeySpec` is `ECC_NIST_P256` gets a P-256 key pair, created on first use and kept as a PEM
 * file (0600) in the data dir, so that signatures stay verifiable across restarts. Sign, Verify, GetPublicKey and
 * DescribeKey, with `ECDSA_SHA_256`, `MessageType` RAW or DIGEST, and DER signatures as AWS returns them.
 */
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { p256 } from '@noble/curves/nist.js';
import {
  AwsApiError,
  actionTable,
  type JsonObject,
  optionalString,
  requiredString,
  serveAwsJson,
} from './aws-json';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION, stableUuid } from './template';

export interface LocalSigningKeySpec {
  logicalId: string;
  keyId: string;
  arn: string;
  /** Alias names (`alias/...`) that point at the key. */
  aliases: string[];
  description: string;
}

export interface LocalKms {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  dispatch(action: string, input: JsonObject): Promise<JsonObject>;
  keys: readonly LocalSigningKeySpec[];
}

const ALGORITHM = 'ECDSA_SHA_256';
const MAX_RAW_MESSAGE_BYTES = 4096;
const SHA256_BYTES = 32;

const isObject = (value: unknown): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The template's ECC_NIST_P256 keys, with the ids and ARNs the local template resolver gives them. */
export function signingKeysFromTemplate(template: unknown, stackName: string): LocalSigningKeySpec[] {
  const resources = isObject(template) && isObject(template.Resources) ? template.Resources : {};
  const keys: LocalSigningKeySpec[] = [];
  for (const [logicalId, resource] of Object.entries(resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::KMS::Key') continue;
    const properties = isObject(resource.Properties) ? resource.Properties : {};
    if (properties.KeySpec !== 'ECC_NIST_P256') continue;
    const keyId = stableUuid(stackName, logicalId);
    keys.push({
      logicalId,
      keyId,
      arn: `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:key/${keyId}`,
      aliases: [],
      description: typeof properties.Description === 'string' ? properties.Description : '',
    });
  }
  for (const resource of Object.values(resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::KMS::Alias' || !isObject(resource.Properties))
      continue;
    const { AliasName: aliasName, TargetKeyId: target } = resource.Properties;
    const targetId = isObject(target)
      ? typeof target.Ref === 'string'
        ? target.Ref
        : Array.isArray(target['Fn::GetAtt'])
          ? target['Fn::GetAtt'][0]
          : undefined
      : undefined;
    const key = keys.find((candidate) => candidate.logicalId === targetId);
    if (key && typeof aliasName === 'string') key.aliases.push(aliasName);
  }
  return keys;
}

export function readSigningKeys(cdkOutDir: string, stackName: string): LocalSigningKeySpec[] {
  const template: unknown = JSON.parse(readFileSync(join(cdkOutDir, `${stackName}.template.json`), 'utf8'));
  return signingKeysFromTemplate(template, stackName);
}

/** Blobs travel base64 encoded in AWS JSON. */
function requiredBlob(input: JsonObject, key: string): Buffer {
  const text = requiredString(input, key);
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text))
    throw new AwsApiError('SerializationException', `${key} must be base64 encoded`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.length === 0) throw new AwsApiError('ValidationException', `${key} must not be empty`);
  return bytes;
}

// MessageType DIGEST: node:crypto cannot sign or verify a digest without hashing it again, so @noble/curves does
// it (prehash off). KMS signatures are DER and not normalized to low S, so neither is enforced here.
const DIGEST_OPTIONS = { prehash: false, lowS: false, format: 'der' } as const;
const scalarOf = (privateKey: KeyObject) =>
  Buffer.from(privateKey.export({ format: 'jwk' }).d ?? '', 'base64url');
const publicPointOf = (publicKey: KeyObject) =>
  Buffer.from(publicKey.export({ type: 'spki', format: 'der' })).subarray(-65);

function signDigest(digest: Buffer, privateKey: KeyObject): Buffer {
  return Buffer.from(p256.sign(digest, scalarOf(privateKey), DIGEST_OPTIONS));
}

function verifyDigest(digest: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  try {
    return p256.verify(signature, digest, publicPointOf(publicKey), DIGEST_OPTIONS);
  } catch {
    return false;
  }
}

export function createLocalKms(options: { keysDir: string; keys: readonly LocalSigningKeySpec[] }): LocalKms {
  const loaded = new Map<string, KeyObject>();

  const findKey = (reference: string): LocalSigningKeySpec => {
    const key = options.keys.find(
      (candidate) =>
        candidate.keyId === reference ||
        candidate.arn === reference ||
        candidate.aliases.includes(reference) ||
        candidate.aliases.some(
          (alias) => reference === `arn:aws:kms:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:${alias}`,
        ),
    );
    if (!key) throw new AwsApiError('NotFoundException', `Key '${reference}' does not exist`);
    return key;
  };

  /** The key pair, made on first use and kept 0600 so signatures survive a restart. */
  const privateKeyOf = (key: LocalSigningKeySpec): KeyObject => {
    const cached = loaded.get(key.keyId);
    if (cached) return cached;
    mkdirSync(options.keysDir, { recursive: true, mode: 0o700 });
    const path = join(options.keysDir, `${key.keyId}.pem`);
    if (!existsSync(path)) {
      const pair = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      writeFileSync(path, pair.privateKey.export({ format: 'pem', type: 'pkcs8' }), {
        mode: 0o600,
        flag: 'wx',
      });
    }
    chmodSync(path, 0o600);
    const privateKey = createPrivateKey(readFileSync(path));
    loaded.set(key.keyId, privateKey);
    return privateKey;
  };

  const signingInput = (input: JsonObject) => {
    const key = findKey(requiredString(input, 'KeyId'));
    const algorithm = requiredString(input, 'SigningAlgorithm');
    if (algorithm !== ALGORITHM) {
      throw new AwsApiError(
        'InvalidKeyUsageException',
        `Signing algorithm ${algorithm} is not valid for key ${key.arn}; use ${ALGORITHM}`,
      );
    }
    const messageType = optionalString(input, 'MessageType') ?? 'RAW';
    const message = requiredBlob(input, 'Message');
    if (messageType === 'RAW' && message.length > MAX_RAW_MESSAGE_BYTES) {
      throw new AwsApiError(
        'ValidationException',
        `Message must be at most ${MAX_RAW_MESSAGE_BYTES} bytes; send a digest with MessageType DIGEST`,
      );
    }
    if (messageType === 'DIGEST' && message.length !== SHA256_BYTES)
      throw new AwsApiError('ValidationException', `Digest is invalid length for algorithm ${ALGORITHM}.`);
    if (messageType !== 'RAW' && messageType !== 'DIGEST')
      throw new AwsApiError('ValidationException', `MessageType must be RAW or DIGEST`);
    return { key, message, digest: messageType === 'DIGEST' };
  };

  const dispatch = actionTable({
    Sign: (input) => {
      const { key, message, digest } = signingInput(input);
      const privateKey = privateKeyOf(key);
      const signature = digest ? signDigest(message, privateKey) : sign('sha256', message, privateKey);
      return { KeyId: key.arn, Signature: signature.toString('base64'), SigningAlgorithm: ALGORITHM };
    },
    Verify: (input) => {
      const { key, message, digest } = signingInput(input);
      const signature = requiredBlob(input, 'Signature');
      const publicKey = createPublicKey(privateKeyOf(key));
      let valid: boolean;
      try {
        valid = digest
          ? verifyDigest(message, signature, publicKey)
          : verify('sha256', message, publicKey, signature);
      } catch {
        valid = false;
      }
      // AWS answers an invalid signature with an error, not with SignatureValid: false.
      if (!valid) throw new AwsApiError('KMSInvalidSignatureException', 'The signature is not valid.');
      return { KeyId: key.arn, SignatureValid: true, SigningAlgorithm: ALGORITHM };
    },
    GetPublicKey: (input) => {
      const key = findKey(requiredString(input, 'KeyId'));
      const publicKey = createPublicKey(privateKeyOf(key)).export({ format: 'der', type: 'spki' });
      return {
        KeyId: key.arn,
        PublicKey: publicKey.toString('base64'),
        KeySpec: 'ECC_NIST_P256',
        CustomerMasterKeySpec: 'ECC_NIST_P256',
        KeyUsage: 'SIGN_VERIFY',
        SigningAlgorithms: [ALGORITHM],
      };
    },
    DescribeKey: (input) => {
      const key = findKey(requiredString(input, 'KeyId'));
      return {
        KeyMetadata: {
          AWSAccountId: LOCAL_ACCOUNT_ID,
          KeyId: key.keyId,
          Arn: key.arn,
          Description: key.description,
          Enabled: true,
          KeyState: 'Enabled',
          KeyManager: 'CUSTOMER',
          KeySpec: 'ECC_NIST_P256',
          CustomerMasterKeySpec: 'ECC_NIST_P256',
          KeyUsage: 'SIGN_VERIFY',
          Origin: 'AWS_KMS',
          SigningAlgorithms: [ALGORITHM],
          MultiRegion: false,
        },
      };
    },
  });

  return {
    keys: options.keys,
    dispatch: async (action, input) => dispatch(action, input),
    handle: (request, response) =>
      serveAwsJson(request, response, 'TrentService', 'application/x-amz-json-1.1', dispatch),
  };
}
