/**
 * TOTP as authenticator apps and Cognito's software token MFA use it (RFC 6238: HMAC-SHA-1, 6 digits, 30 s),
 * through `otpauth` (maintained, no native code, RFC 4226/6238 test vectors in its own suite).
 */
import { Secret, TOTP } from 'otpauth';

const PARAMETERS = { algorithm: 'SHA1', digits: 6, period: 30 } as const;

/** A new secret of 20 random bytes, base32 (what an authenticator app is given). */
export function newTotpSecret(): string {
  return new Secret({ size: 20 }).base32;
}

/** The code for `secret` at `atMs` (default now). */
export function totpCode(secret: string, atMs = Date.now()): string {
  return TOTP.generate({ secret: Secret.fromBase32(secret), timestamp: atMs, ...PARAMETERS });
}

/** True when `code` is the code of this step or of the one before or after it (clock drift). */
export function verifyTotp(secret: string, code: string, atMs = Date.now()): boolean {
  if (!/^\d{6}$/.test(code.trim())) return false;
  const delta = TOTP.validate({
    token: code.trim(),
    secret: Secret.fromBase32(secret),
    timestamp: atMs,
    window: 1,
    ...PARAMETERS,
  });
  return delta !== null;
}

/** The `otpauth://` URI an authenticator app scans (issuer Tenggat). */
export function totpUri(secret: string, username: string): string {
  return new TOTP({
    issuer: 'Tenggat',
    label: username,
    secret: Secret.fromBase32(secret),
    ...PARAMETERS,
  }).toString();
}
