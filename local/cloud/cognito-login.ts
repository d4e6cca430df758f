/**
 * People's sign-in on the local Cognito, as managed login does it on AWS: `GET /oauth2/authorize` (authorization
 * code with PKCE S256, redirect URI checked against the client's callback URLs) → password page → TOTP code page →
 * redirect with `code` and `state`. A user made by AdminCreateUser first sets a new password (NEW_PASSWORD_REQUIRED),
 * then enrols an authenticator: the page shows a new secret and takes its code (MFA_SETUP); later sign-ins ask for
 * the code. `POST /oauth2/token` grants `authorization_code` (single use, 5 minutes, PKCE
 * verifier and redirect URI checked) and `refresh_token`; `GET /logout` redirects to an allowed `logout_uri`.
 * Five failed attempts (password or code) lock a username for a minute; messages never tell whether it exists.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JWTPayload } from 'jose';
import {
  codePage,
  errorPage,
  type Language,
  languageOf,
  type Message,
  newPasswordPage,
  passwordPage,
  setupPage,
} from './cognito-login-pages';
import { createPeopleTokens } from './cognito-people-tokens';
import type { LocalUser, LocalUserStore } from './cognito-users';
import { readBody } from './http-util';
import { newTotpSecret, totpUri, verifyTotp } from './totp';

export interface SignInClient {
  clientId: string;
  userPoolId: string;
  allowedOAuthFlows: string[];
  scopes: string[];
  callbackUrls: string[];
  logoutUrls: string[];
}

/** Signs a JWT of the pool with the local Cognito's key (`cognito.ts`). */
export type TokenSigner = (
  claims: JWTPayload,
  input: { userPoolId: string; subject: string; lifetimeSeconds: number },
) => Promise<string>;

export interface PeopleSignIn {
  /** The pages and `/logout`; false for any other path. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  /** `grant_type=authorization_code` or `refresh_token` at the token endpoint. */
  grant(form: URLSearchParams, sign: TokenSigner): Promise<Record<string, unknown>>;
}

export interface PeopleSignInOptions {
  store: LocalUserStore;
  clients: () => readonly SignInClient[];
  now?: () => number;
  tokenLifetimeSeconds?: number;
}

export const LOGIN_PATHS = {
  authorize: '/oauth2/authorize',
  password: '/oauth2/login',
  newPassword: '/oauth2/login/new-password',
  code: '/oauth2/login/code',
  setup: '/oauth2/login/mfa-setup',
  logout: '/logout',
} as const;
const SESSION_LIFETIME_MS = 10 * 60_000;
const MAX_FAILURES = 5;
const LOCKOUT_MS = 60_000;
const PASSWORD_RULE = /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*[^A-Za-z0-9]).{14,256}$/;

interface Session {
  client: SignInClient;
  redirectUri: string;
  state: string | null;
  codeChallenge: string;
  scopes: string[];
  nonce: string | null;
  expiresAt: number;
  step: 'password' | 'newPassword' | 'code' | 'setup';
  username: string | null;
  /** MFA_SETUP: the secret shown to a person with no authenticator yet, theirs once they give its code. */
  pendingSecret: string | null;
}
const token = () => randomBytes(32).toString('base64url');

export function createPeopleSignIn(options: PeopleSignInOptions): PeopleSignIn {
  const now = options.now ?? Date.now;
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const sessions = new Map<string, Session>();
  const tokens = createPeopleTokens({ store: options.store, now, lifetimeSeconds: lifetime });
  const failures = new Map<string, { count: number; lockedUntil: number }>();
  const clientOf = (clientId: string | null) =>
    options
      .clients()
      .find((client) => client.clientId === clientId && client.allowedOAuthFlows.includes('code'));

  const lockKey = (session: Session, username: string) => `${session.client.userPoolId}#${username}`;
  const isLocked = (key: string) => (failures.get(key)?.lockedUntil ?? 0) > now();
  const fail = (key: string) => {
    const entry = failures.get(key) ?? { count: 0, lockedUntil: 0 };
    entry.count += 1;
    if (entry.count >= MAX_FAILURES) {
      entry.count = 0;
      entry.lockedUntil = now() + LOCKOUT_MS;
    }
    failures.set(key, entry);
  };

  const authorize = (url: URL, language: Language, response: ServerResponse) => {
    const client = clientOf(url.searchParams.get('client_id'));
    const redirectUri = url.searchParams.get('redirect_uri') ?? '';
    // Without a known client and one of its callback URLs there is nowhere safe to send an error.
    if (!client) return sendHtml(response, 400, errorPage(language, 'unknown client_id'));
    if (!client.callbackUrls.includes(redirectUri))
      return sendHtml(
        response,
        400,
        errorPage(language, 'redirect_uri is not a callback URL of this client'),
      );
    const state = url.searchParams.get('state');
    const back = (error: string, description: string) =>
      redirect(response, withParams(redirectUri, { error, error_description: description, state }));
    if (url.searchParams.get('response_type') !== 'code')
      return back('unsupported_response_type', 'response_type must be code');
    const codeChallenge = url.searchParams.get('code_challenge') ?? '';
    if (url.searchParams.get('code_challenge_method') !== 'S256' || !/^[\w-]{43,128}$/.test(codeChallenge))
      return back('invalid_request', 'code_challenge with code_challenge_method=S256 is required');
    const asked = url.searchParams.get('scope');
    const scopes = asked ? asked.split(/\s+/).filter(Boolean) : client.scopes;
    if (scopes.some((scope) => !client.scopes.includes(scope))) return back('invalid_scope', 'unknown scope');
    const sessionId = token();
    sessions.set(sessionId, {
      client,
      redirectUri,
      state,
      codeChallenge,
      scopes,
      nonce: url.searchParams.get('nonce'),
      expiresAt: now() + SESSION_LIFETIME_MS,
      step: 'password',
      username: null,
      pendingSecret: null,
    });
    sendHtml(
      response,
      200,
      passwordPage(language, { action: LOGIN_PATHS.password, session: sessionId, message: null }),
    );
  };

  const finish = (response: ServerResponse, session: Session, sessionId: string, user: LocalUser) => {
    sessions.delete(sessionId);
    failures.delete(lockKey(session, user.username));
    const code = tokens.issueCode({
      clientId: session.client.clientId,
      redirectUri: session.redirectUri,
      codeChallenge: session.codeChallenge,
      userPoolId: session.client.userPoolId,
      username: user.username,
      scopes: session.scopes,
      nonce: session.nonce,
    });
    redirect(response, withParams(session.redirectUri, { code, state: session.state }));
  };

  /** The page of the session's step, with a message (a failed attempt) or none. */
  const render = (
    response: ServerResponse,
    language: Language,
    sessionId: string,
    message: Message | null,
    username?: string,
  ) => {
    const session = sessions.get(sessionId);
    const input = { session: sessionId, message };
    if (session?.step === 'code')
      return sendHtml(response, 200, codePage(language, { ...input, action: LOGIN_PATHS.code }));
    if (session?.step === 'setup' && session.pendingSecret && session.username) {
      const secret = session.pendingSecret;
      const uri = totpUri(secret, session.username);
      return sendHtml(
        response,
        200,
        setupPage(language, { ...input, action: LOGIN_PATHS.setup, secret, uri }),
      );
    }
    if (session?.step === 'newPassword')
      return sendHtml(
        response,
        200,
        newPasswordPage(language, { ...input, action: LOGIN_PATHS.newPassword }),
      );
    return sendHtml(
      response,
      200,
      passwordPage(language, { ...input, action: LOGIN_PATHS.password, username }),
    );
  };

  /** After the password: a new one for a user made by AdminCreateUser, then the code, or enrolment without one. */
  const nextAfterPassword = (session: Session, user: LocalUser | undefined): Session['step'] => {
    if (user?.status === 'FORCE_CHANGE_PASSWORD') return 'newPassword';
    if (user && user.totpSecret === null) {
      session.pendingSecret ??= newTotpSecret();
      return 'setup';
    }
    return 'code';
  };

  /** One POST of a sign-in page: the step the session is at, else the session is gone. */
  const step = async (path: string, request: IncomingMessage, response: ServerResponse) => {
    const form = new URLSearchParams((await readBody(request, 16 * 1024)).toString('utf8'));
    const language = languageOf(form.get('lang'), request.headers['accept-language']);
    const sessionId = form.get('session') ?? '';
    const session = sessions.get(sessionId);
    if (!session || session.expiresAt <= now()) {
      sessions.delete(sessionId);
      return sendHtml(response, 400, errorPage(language, 'expired'));
    }
    const poolId = session.client.userPoolId;
    const again = (message: Message | null, username?: string) =>
      render(response, language, sessionId, message, username);
    if (path === LOGIN_PATHS.password && session.step === 'password') {
      const username = (form.get('username') ?? '').trim();
      const key = lockKey(session, username);
      if (isLocked(key)) return again('locked', username);
      if (!options.store.checkPassword(poolId, username, form.get('password') ?? '')) {
        fail(key);
        return again(isLocked(key) ? 'locked' : 'badPassword', username);
      }
      session.username = username;
      session.step = nextAfterPassword(session, options.store.get(poolId, username));
      return again(null);
    }
    if (path === LOGIN_PATHS.newPassword && session.step === 'newPassword' && session.username) {
      const password = form.get('newPassword') ?? '';
      if (!PASSWORD_RULE.test(password)) return again('weakPassword');
      options.store.setPassword(poolId, session.username, password);
      session.step = nextAfterPassword(session, options.store.get(poolId, session.username));
      return again(null);
    }
    const codeStep = session.step === 'code' || session.step === 'setup';
    if ((path === LOGIN_PATHS.code || path === LOGIN_PATHS.setup) && codeStep && session.username) {
      const key = lockKey(session, session.username);
      if (isLocked(key)) return again('locked');
      const user = options.store.get(poolId, session.username);
      // Enrolment checks the code against the secret just shown (VerifySoftwareToken), sign-in against the stored.
      const secret = session.step === 'setup' ? session.pendingSecret : (user?.totpSecret ?? null);
      if (!user || secret === null || !verifyTotp(secret, form.get('code') ?? '', now())) {
        fail(key);
        return again(isLocked(key) ? 'locked' : 'badCode');
      }
      if (session.step === 'setup') options.store.setTotpSecret(poolId, user.username, secret);
      return finish(response, session, sessionId, user);
    }
    return again(codeStep ? 'badCode' : 'badPassword');
  };

  const logout = (url: URL, language: Language, response: ServerResponse) => {
    const client = options
      .clients()
      .find((candidate) => candidate.clientId === url.searchParams.get('client_id'));
    const logoutUri = url.searchParams.get('logout_uri') ?? '';
    if (!client?.logoutUrls.includes(logoutUri))
      return sendHtml(response, 400, errorPage(language, 'logout_uri is not a sign-out URL of this client'));
    // Tokens are self-contained; the console drops its own. Nothing else is kept per sign-in here.
    redirect(response, logoutUri);
  };

  const handle: PeopleSignIn['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const language = languageOf(url.searchParams.get('lang'), request.headers['accept-language']);
    if (request.method === 'GET' && url.pathname === LOGIN_PATHS.authorize) {
      authorize(url, language, response);
      return true;
    }
    if (request.method === 'GET' && url.pathname === LOGIN_PATHS.logout) {
      logout(url, language, response);
      return true;
    }
    const posted = [
      LOGIN_PATHS.password,
      LOGIN_PATHS.newPassword,
      LOGIN_PATHS.code,
      LOGIN_PATHS.setup,
    ] as string[];
    if (request.method === 'POST' && posted.includes(url.pathname)) {
      await step(url.pathname, request, response);
      return true;
    }
    return false;
  };

  return { handle, grant: tokens.grant };
}

function withParams(base: string, params: Record<string, string | null>): string {
  const url = new URL(base);
  for (const [name, value] of Object.entries(params)) if (value !== null) url.searchParams.set(name, value);
  return url.toString();
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location, 'cache-control': 'no-store' });
  response.end();
}

function sendHtml(response: ServerResponse, status: number, html: string): void {
  response.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
    'x-content-type-options': 'nosniff',
  });
  response.end(html);
}
