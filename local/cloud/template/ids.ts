import { createHash } from 'node:crypto';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

/** A stable lowercase alphanumeric id of the given length, derived from the inputs (same stack → same ids). */
export function stableId(length: number, ...parts: string[]): string {
  const digest = createHash('sha256').update(parts.join('\u0000')).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; id.length < length; i++) id += alphabet[(digest[i % digest.length] ?? 0) % alphabet.length];
  return id;
}

/** A stable UUID-shaped id (KMS key ids and the like). */
export function stableUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** `arn:aws:<service>:<region>:<account>:<rest>`, with the local region and account. */
export function localArn(service: string, rest: string, withRegion = true, withAccount = true): string {
  return `arn:aws:${service}:${withRegion ? LOCAL_REGION : ''}:${withAccount ? LOCAL_ACCOUNT_ID : ''}:${rest}`;
}
