import { CONSOLE_CALLBACK_PATH, type ConsoleRuntimeConfig, DEFAULT_CONSOLE_SCOPES } from '../runtime-config';

/**
 * Sign-in: Cognito's authorization-code flow with PKCE (S256) for a public client. Tokens live in sessionStorage
 * (gone with the tab); the access token's `cognito:groups` say what the person is.
 */
export interface Tokens {
  accessToken: string;
  idToken?: string;
  refreshToken?: string;
  expiresAt: number;
}

export interface Viewer {
  username: string;
  operator: boolean;
  agencies: string[];
  platforms: string[];
}

const TOKENS_KEY = 'tenggat.tokens';
const PENDING_KEY = 'tenggat.signin';

const base64Url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const randomText = () => base64Url(crypto.getRandomValues(new Uint8Array(32)));

export async function codeChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64Url(new Uint8Array(digest));
}

export const redirectUri = () => `${location.origin}${CONSOLE_CALLBACK_PATH}`;

export async function startSignIn(config: ConsoleRuntimeConfig, returnTo: string): Promise<void> {
  const verifier = randomText();
  const state = randomText();
  sessionStorage.setItem(PENDING_KEY, JSON.stringify({ verifier, state, returnTo }));
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: config.signIn.clientId,
    redirect_uri: redirectUri(),
    state,
    code_challenge: await codeChallenge(verifier),
    code_challenge_method: 'S256',
    scope: config.signIn.scopes ?? DEFAULT_CONSOLE_SCOPES,
  });
  location.assign(`${config.signIn.authBaseUrl}/oauth2/authorize?${query}`);
}

async function tokenRequest(config: ConsoleRuntimeConfig, form: Record<string, string>): Promise<Tokens> {
  const response = await fetch(`${config.signIn.authBaseUrl}/oauth2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: config.signIn.clientId, ...form }),
  });
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok || typeof body.access_token !== 'string')
    throw new Error(
      typeof body.error === 'string' ? body.error : `token endpoint answered ${response.status}`,
    );
  const tokens: Tokens = {
    accessToken: body.access_token,
    idToken: typeof body.id_token === 'string' ? body.id_token : undefined,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : form.refresh_token,
    expiresAt: Date.now() + (typeof body.expires_in === 'number' ? body.expires_in : 3600) * 1000,
  };
  sessionStorage.setItem(TOKENS_KEY, JSON.stringify(tokens));
  return tokens;
}

/** On the callback page: checks `state`, trades the code for tokens; returns where the person was going. */
export async function completeSignIn(config: ConsoleRuntimeConfig, url: URL): Promise<string> {
  const pending = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? 'null') as {
    verifier: string;
    state: string;
    returnTo: string;
  } | null;
  sessionStorage.removeItem(PENDING_KEY);
  const error = url.searchParams.get('error');
  if (error) throw new Error(url.searchParams.get('error_description') ?? error);
  const code = url.searchParams.get('code');
  if (!pending || !code || url.searchParams.get('state') !== pending.state)
    throw new Error('the sign-in answer does not match a sign-in started here');
  await tokenRequest(config, {
    grant_type: 'authorization_code',
    code,
    code_verifier: pending.verifier,
    redirect_uri: redirectUri(),
  });
  return pending.returnTo.startsWith('/') ? pending.returnTo : '/';
}

function storedTokens(): Tokens | null {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS_KEY) ?? 'null') as Tokens | null;
  } catch {
    return null;
  }
}

/** A valid access token, refreshed when it has less than a minute left; null when signed out. */
export async function accessToken(config: ConsoleRuntimeConfig): Promise<string | null> {
  const tokens = storedTokens();
  if (!tokens) return null;
  if (tokens.expiresAt - Date.now() > 60_000) return tokens.accessToken;
  if (!tokens.refreshToken) return null;
  try {
    return (await tokenRequest(config, { grant_type: 'refresh_token', refresh_token: tokens.refreshToken }))
      .accessToken;
  } catch {
    sessionStorage.removeItem(TOKENS_KEY);
    return null;
  }
}

export function claimsOf(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1] ?? '';
  const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
  const bytes = Uint8Array.from(text, (character) => character.charCodeAt(0));
  return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
}

export function viewerOf(accessTokenText: string): Viewer {
  const claims = claimsOf(accessTokenText);
  const groups = Array.isArray(claims['cognito:groups']) ? (claims['cognito:groups'] as string[]) : [];
  const prefixed = (prefix: string) =>
    groups.filter((group) => group.startsWith(prefix)).map((group) => group.slice(prefix.length));
  return {
    username: typeof claims.username === 'string' ? claims.username : String(claims.sub ?? ''),
    operator: groups.includes('operator'),
    agencies: prefixed('agency:'),
    platforms: prefixed('platform:'),
  };
}

export function signOut(config: ConsoleRuntimeConfig): void {
  sessionStorage.removeItem(TOKENS_KEY);
  const query = new URLSearchParams({ client_id: config.signIn.clientId, logout_uri: `${location.origin}/` });
  location.assign(`${config.signIn.authBaseUrl}/logout?${query}`);
}
