/**
 * The codes and tokens of people's sign-in (`cognito-login.ts`): an authorization code works once, for five
 * minutes, with its PKCE verifier and redirect URI; refresh tokens answer new access and id tokens. Kept in memory:
 * a restart signs everyone out, as a revoked session would.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { CognitoError } from './cognito';
import type { PeopleSignIn, TokenSigner } from './cognito-login';
import type { LocalUserStore } from './cognito-users';

export interface CodeRequest {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  userPoolId: string;
  username: string;
  scopes: string[];
  nonce: string | null;
}
interface IssuedCode extends CodeRequest {
  authTime: number;
  expiresAt: number;
}
interface RefreshGrant {
  clientId: string;
  userPoolId: string;
  username: string;
  scopes: string[];
  authTime: number;
}

const CODE_LIFETIME_MS = 5 * 60_000;
const token = () => randomBytes(32).toString('base64url');
export const pkceChallenge = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

export function createPeopleTokens(options: {
  store: LocalUserStore;
  now: () => number;
  lifetimeSeconds: number;
}) {
  const { now } = options;
  const lifetime = options.lifetimeSeconds;
  const codes = new Map<string, IssuedCode>();
  const refreshTokens = new Map<string, RefreshGrant>();

  const issueCode = (request: CodeRequest): string => {
    const code = token();
    codes.set(code, { ...request, authTime: Math.floor(now() / 1000), expiresAt: now() + CODE_LIFETIME_MS });
    return code;
  };

  const tokensFor = async (grant: RefreshGrant, sign: TokenSigner, nonce: string | null) => {
    const user = options.store.get(grant.userPoolId, grant.username);
    if (!user) throw new CognitoError('invalid_grant');
    const groups = user.groups.length > 0 ? { 'cognito:groups': [...user.groups] } : {};
    const signed = { userPoolId: grant.userPoolId, subject: user.sub, lifetimeSeconds: lifetime };
    const originJti = randomUUID();
    const access = await sign(
      {
        ...groups,
        client_id: grant.clientId,
        origin_jti: originJti,
        event_id: randomUUID(),
        token_use: 'access',
        scope: grant.scopes.join(' '),
        auth_time: grant.authTime,
        username: user.username,
        version: 2,
      },
      signed,
    );
    const id = await sign(
      {
        ...groups,
        aud: grant.clientId,
        'cognito:username': user.username,
        origin_jti: originJti,
        token_use: 'id',
        auth_time: grant.authTime,
        ...(user.email ? { email: user.email, email_verified: true } : {}),
        ...(nonce ? { nonce } : {}),
      },
      signed,
    );
    return { access_token: access, id_token: id, token_type: 'Bearer', expires_in: lifetime };
  };

  const grant: PeopleSignIn['grant'] = async (form, sign) => {
    const clientId = form.get('client_id') ?? '';
    if (form.get('grant_type') === 'refresh_token') {
      const refresh = refreshTokens.get(form.get('refresh_token') ?? '');
      if (!refresh || refresh.clientId !== clientId) throw new CognitoError('invalid_grant');
      return tokensFor(refresh, sign, null);
    }
    const code = form.get('code') ?? '';
    const issued = codes.get(code);
    // Single use: gone at its first exchange, whether that exchange succeeds or not.
    codes.delete(code);
    if (!issued || issued.expiresAt <= now()) throw new CognitoError('invalid_grant');
    if (issued.clientId !== clientId) throw new CognitoError('invalid_grant');
    if (issued.redirectUri !== form.get('redirect_uri')) throw new CognitoError('invalid_grant');
    if (pkceChallenge(form.get('code_verifier') ?? '') !== issued.codeChallenge)
      throw new CognitoError('invalid_grant');
    const refreshGrant: RefreshGrant = {
      clientId,
      userPoolId: issued.userPoolId,
      username: issued.username,
      scopes: issued.scopes,
      authTime: issued.authTime,
    };
    const refreshToken = token();
    refreshTokens.set(refreshToken, refreshGrant);
    return { ...(await tokensFor(refreshGrant, sign, issued.nonce)), refresh_token: refreshToken };
  };

  return { issueCode, grant };
}
