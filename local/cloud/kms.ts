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
  randomBytes,
  sign,
  verify,
} from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
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

// P-256 arithmetic for MessageType DIGEST, which node:crypto cannot sign or verify without hashing again.
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const N = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;
const G = {
  x: 0x6b17d1f2e12c4247f8bce6e563a440f277037d812deb33a0f4a13945d898c296n,
  y: 0x4fe342e2fe1a7f9b8ee7eb4a7c0f9e162bce33576b315ececbb6406837bf51f5n,
};
type Point = { x: bigint; y: bigint } | null;
const mod = (value: bigint, modulus: bigint) => ((value % modulus) + modulus) % modulus;
function inverse(value: bigint, modulus: bigint): bigint {
  let [low, high, x0, x1] = [mod(value, modulus), modulus, 1n, 0n];
  while (low > 1n) {
    const quotient = high / low;
    [low, high] = [high - quotient * low, low];
    [x0, x1] = [x1 - quotient * x0, x0];
  }
  return mod(x0, modulus);
}
function add(left: Point, right: Point): Point {
  if (left === null) return right;
  if (right === null) return left;
  if (left.x === right.x && mod(left.y + right.y, P) === 0n) return null;
  const slope =
    left.x === right.x && left.y === right.y
      ? mod((3n * left.x * left.x - 3n) * inverse(2n * left.y, P), P)
      : mod((right.y - left.y) * inverse(right.x - left.x, P), P);
  const x = mod(slope * slope - left.x - right.x, P);
  return { x, y: mod(slope * (left.x - x) - left.y, P) };
}
function multiply(point: Point, scalar: bigint): Point {
  let result: Point = null;
  let addend = point;
  for (let k = scalar; k > 0n; k >>= 1n) {
    if (k & 1n) result = add(result, addend);
    addend = add(addend, addend);
  }
  return result;
}
const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`);
const fromBase64Url = (text: string | undefined) => toBigInt(Buffer.from(text ?? '', 'base64url'));

function derInteger(value: bigint): Buffer {
  let bytes = Buffer.from(value.toString(16).padStart(64, '0'), 'hex');
  while (bytes.length > 1 && bytes[0] === 0 && (bytes[1] ?? 0) < 0x80) bytes = bytes.subarray(1);
  if ((bytes[0] ?? 0) >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
}
const derSignature = (r: bigint, s: bigint) => {
  const body = Buffer.concat([derInteger(r), derInteger(s)]);
  return Buffer.concat([Buffer.from([0x30, body.length]), body]);
};
function parseDerSignature(signature: Buffer): { r: bigint; s: bigint } | null {
  if (signature[0] !== 0x30 || signature[1] !== signature.length - 2) return null;
  const integers: bigint[] = [];
  let offset = 2;
  for (let index = 0; index < 2; index += 1) {
    const length = signature[offset + 1] ?? 0;
    if (signature[offset] !== 0x02 || offset + 2 + length > signature.length) return null;
    integers.push(toBigInt(signature.subarray(offset + 2, offset + 2 + length)));
    offset += 2 + length;
  }
  const [r, s] = integers;
  return offset === signature.length && r !== undefined && s !== undefined ? { r, s } : null;
}

function signDigest(digest: Buffer, privateKey: KeyObject): Buffer {
  const d = fromBase64Url(privateKey.export({ format: 'jwk' }).d);
  const e = toBigInt(digest);
  for (;;) {
    const k = mod(toBigInt(randomBytes(32)), N);
    const point = multiply(G, k);
    if (k === 0n || point === null) continue;
    const r = mod(point.x, N);
    const s = mod(inverse(k, N) * (e + r * d), N);
    if (r !== 0n && s !== 0n) return derSignature(r, s);
  }
}

function verifyDigest(digest: Buffer, signature: Buffer, publicKey: KeyObject): boolean {
  const parsed = parseDerSignature(signature);
  if (parsed === null) return false;
  const { r, s } = parsed;
  if (r <= 0n || r >= N || s <= 0n || s >= N) return false;
  const jwk = publicKey.export({ format: 'jwk' });
  const q = { x: fromBase64Url(jwk.x), y: fromBase64Url(jwk.y) };
  const w = inverse(s, N);
  const point = add(multiply(G, mod(toBigInt(digest) * w, N)), multiply(q, mod(r * w, N)));
  return point !== null && mod(point.x, N) === r;
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
