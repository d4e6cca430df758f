import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { totpCode } from '../../local/cloud/totp';

/** What a browser would do on the local sign-in pages, with fetch: PKCE, the two forms, the redirect. */
export interface SignInInput {
  baseUrl: string;
  clientId: string;
  redirectUri: string;
  username: string;
  password: string;
  totpSecret: string;
  state?: string;
  /** The time the code is computed for (a test's own clock). @default now */
  codeAt?: () => number;
}

export const newVerifier = () => randomBytes(32).toString('base64url');
export const challengeOf = (verifier: string) => createHash('sha256').update(verifier).digest('base64url');

/** The value of a hidden field and the action of the page's form. */
export function formOf(html: string): { action: string; session: string } {
  const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
  const session = /name="session" value="([^"]+)"/.exec(html)?.[1];
  if (!action || !session) throw new Error(`no sign-in form in:\n${html}`);
  return { action, session };
}

export const postForm = (url: string, fields: Record<string, string>) =>
  fetch(url, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });

export function authorizeUrl(
  input: SignInInput,
  challenge: string,
  extra: Record<string, string> = {},
): string {
  const url = new URL('/oauth2/authorize', input.baseUrl);
  url.search = new URLSearchParams({
    response_type: 'code',
    client_id: input.clientId,
    redirect_uri: input.redirectUri,
    state: input.state ?? 'state-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    scope: 'openid takedown/read takedown/write takedown/admin',
    ...extra,
  }).toString();
  return url.toString();
}

/** Signs in through both pages; answers the authorization code and the verifier that goes with it. */
export async function signInForCode(
  input: SignInInput,
): Promise<{ code: string; verifier: string; location: URL }> {
  const verifier = newVerifier();
  const first = await fetch(authorizeUrl(input, challengeOf(verifier)));
  expect(first.status).toBe(200);
  const passwordForm = formOf(await first.text());
  const second = await postForm(new URL(passwordForm.action, input.baseUrl).toString(), {
    session: passwordForm.session,
    username: input.username,
    password: input.password,
  });
  const codeHtml = await second.text();
  expect(codeHtml, codeHtml).toContain('name="code"');
  const codeForm = formOf(codeHtml);
  const third = await postForm(new URL(codeForm.action, input.baseUrl).toString(), {
    session: codeForm.session,
    code: totpCode(input.totpSecret, input.codeAt?.() ?? Date.now()),
  });
  expect(third.status, await third.clone().text()).toBe(302);
  const location = new URL(third.headers.get('location') ?? '');
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code in ${location}`);
  return { code, verifier, location };
}

export async function exchangeCode(
  input: Pick<SignInInput, 'baseUrl' | 'clientId' | 'redirectUri'>,
  code: string,
  verifier: string,
) {
  return fetch(new URL('/oauth2/token', input.baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      client_id: input.clientId,
      code,
      redirect_uri: input.redirectUri,
      code_verifier: verifier,
    }),
  });
}

/** Sign-in to tokens in one go. */
export async function signIn(input: SignInInput) {
  const { code, verifier } = await signInForCode(input);
  const response = await exchangeCode(input, code, verifier);
  expect(response.status).toBe(200);
  return (await response.json()) as { access_token: string; id_token: string; refresh_token: string };
}

/** The base32 secret an authenticator setup page (MFA_SETUP) shows. */
export function secretShownIn(html: string): string {
  const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(html)?.[1];
  if (!secret) throw new Error(`no authenticator secret in:\n${html}`);
  return secret;
}

/**
 * First sign-in of a user made by AdminCreateUser: the temporary password, a new password, then enrolment (the
 * secret the page shows, and its code). Answers the access token and the secret, for the sign-ins after.
 */
export async function signInNewUser(
  input: Omit<SignInInput, 'totpSecret'>,
  newPassword = `${newVerifier().slice(0, 16)}-Aa1`,
): Promise<{ accessToken: string; totpSecret: string; password: string }> {
  const verifier = newVerifier();
  const first = formOf(
    await (await fetch(authorizeUrl({ ...input, totpSecret: '' }, challengeOf(verifier)))).text(),
  );
  const post = async (action: string, fields: Record<string, string>) =>
    postForm(new URL(action, input.baseUrl).toString(), fields);
  const passwordPage = formOf(
    await (
      await post(first.action, { session: first.session, username: input.username, password: input.password })
    ).text(),
  );
  const setupHtml = await (
    await post(passwordPage.action, { session: passwordPage.session, newPassword })
  ).text();
  const totpSecret = secretShownIn(setupHtml);
  const setupForm = formOf(setupHtml);
  const done = await post(setupForm.action, {
    session: setupForm.session,
    code: totpCode(totpSecret, input.codeAt?.() ?? Date.now()),
  });
  expect(done.status).toBe(302);
  const code = new URL(done.headers.get('location') ?? '').searchParams.get('code') ?? '';
  const tokens = await exchangeCode(input, code, verifier);
  expect(tokens.status).toBe(200);
  const accessToken = ((await tokens.json()) as { access_token: string }).access_token;
  return { accessToken, totpSecret, password: newPassword };
}
