import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLocalCognito, type LocalCognito } from '../../local/cloud/cognito';
import { createPeopleSignIn, type SignInClient } from '../../local/cloud/cognito-login';
import { languageOf } from '../../local/cloud/cognito-login-pages';
import { createLocalUserStore, type LocalUserStore } from '../../local/cloud/cognito-users';
import { listen, type RunningServer } from '../../local/cloud/http-util';
import { totpCode } from '../../local/cloud/totp';
import {
  authorizeUrl,
  challengeOf,
  exchangeCode,
  formOf,
  newVerifier,
  postForm,
  secretShownIn,
  signIn,
  signInForCode,
} from './sign-in-driver';

const POOL = { logicalId: 'StaffPool', id: 'ap-southeast-3_Staff1', arn: 'arn:pool', resourceServers: [] };
const CALLBACK = 'http://127.0.0.1:9999/console/';
const SCOPES = ['openid', 'takedown/read', 'takedown/write', 'takedown/admin'];

describe('people sign in on the local Cognito', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'people-sign-in-'));
  let store: LocalUserStore;
  let cognito: LocalCognito;
  let server: RunningServer;
  let clock = Date.now();
  const client: SignInClient = {
    clientId: 'console-client',
    userPoolId: POOL.id,
    allowedOAuthFlows: ['code'],
    scopes: SCOPES,
    callbackUrls: [CALLBACK],
    logoutUrls: [CALLBACK],
  };
  const officer = () => {
    const user = store.get(POOL.id, 'officer-komdigi');
    if (!user?.totpSecret) throw new Error('not seeded');
    return {
      baseUrl: server.url,
      clientId: client.clientId,
      redirectUri: CALLBACK,
      username: user.username,
      password: user.password,
      totpSecret: user.totpSecret,
      codeAt: () => clock,
    };
  };

  beforeAll(async () => {
    store = createLocalUserStore({ dataDir, pools: { [POOL.id]: ['operator', 'agency:komdigi-ais'] } });
    store.seed(POOL.id, [{ username: 'officer-komdigi', groups: ['agency:komdigi-ais'] }]);
    const signInFlows = createPeopleSignIn({ store, clients: () => [client], now: () => clock });
    cognito = await createLocalCognito({
      dataDir,
      userPools: [POOL],
      clients: [],
      peopleGrants: () => signInFlows.grant,
    });
    server = await listen(0, [signInFlows.handle, cognito.handle]);
  });
  afterAll(() => server.close());
  beforeEach(() => {
    clock += 10 * 60_000;
  });

  it('keeps generated passwords and TOTP secrets in a 0600 file, the same after a restart', () => {
    expect(statSync(join(dataDir, 'cognito', 'users.json')).mode & 0o777).toBe(0o600);
    const again = createLocalUserStore({ dataDir, pools: { [POOL.id]: [] } });
    expect(again.get(POOL.id, 'officer-komdigi')?.totpSecret).toBe(
      store.get(POOL.id, 'officer-komdigi')?.totpSecret,
    );
    expect(store.get(POOL.id, 'officer-komdigi')?.password).toMatch(
      /^(?=.*[a-z])(?=.*[A-Z])(?=.*\d)(?=.*\W).{14,}$/,
    );
  });

  it('shows labelled fields in English or Indonesian, by ?lang= or Accept-Language', async () => {
    const url = authorizeUrl(officer(), challengeOf(newVerifier()));
    const english = await (await fetch(url, { headers: { 'accept-language': 'en-GB,en;q=0.9' } })).text();
    expect(english).toContain('<html lang="en">');
    expect(english).toContain('<label for="username">Username</label>');
    expect(english).toContain('<label for="password">Password</label>');
    expect(english).toContain('>Sign in</button>');
    const indonesian = await (await fetch(`${url}&lang=id`, { headers: { 'accept-language': 'en' } })).text();
    expect(indonesian).toContain('<label for="username">Nama pengguna</label>');
    expect(indonesian).toContain('<label for="password">Kata sandi</label>');
    expect(indonesian).toContain('>Masuk</button>');
    expect(languageOf(null, 'en;q=0.5, id;q=0.8')).toBe('id');
    expect(languageOf(null, undefined)).toBe('id');
  });

  it('asks for the code after the password, then returns to the console with code and state', async () => {
    const input = officer();
    const verifier = newVerifier();
    const first = formOf(
      await (await fetch(authorizeUrl(input, challengeOf(verifier), { lang: 'en' }))).text(),
    );
    const codePage = await (
      await postForm(`${server.url}${first.action}`, {
        ...first,
        username: input.username,
        password: input.password,
        lang: 'en',
      })
    ).text();
    expect(codePage).toContain('<label for="code">Code</label>');
    expect(codePage).toContain('>Verify</button>');
    const { location } = await signInForCode({ ...input, state: 'xyz' });
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('xyz');
  });

  it('issues access, id and refresh tokens for a code with its PKCE verifier, once', async () => {
    const input = officer();
    const { code, verifier } = await signInForCode(input);
    const response = await exchangeCode(input, code, verifier);
    expect(response.status).toBe(200);
    const tokens = (await response.json()) as {
      access_token: string;
      id_token: string;
      refresh_token: string;
    };
    const access = decodeJwt(tokens.access_token);
    expect(access).toMatchObject({
      token_use: 'access',
      client_id: 'console-client',
      username: 'officer-komdigi',
      'cognito:groups': ['agency:komdigi-ais'],
      scope: 'openid takedown/read takedown/write takedown/admin',
      iss: cognito.issuerOf('StaffPool'),
    });
    await expect(cognito.verifyAccessToken(tokens.access_token, ['StaffPool'])).resolves.toMatchObject({
      username: 'officer-komdigi',
    });
    expect(decodeJwt(tokens.id_token)).toMatchObject({ token_use: 'id', aud: 'console-client' });
    const replay = await exchangeCode(input, code, verifier);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toEqual({ error: 'invalid_grant' });
    const refreshed = await fetch(`${server.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: 'console-client',
        refresh_token: tokens.refresh_token,
      }),
    });
    expect(refreshed.status).toBe(200);
    expect(decodeJwt(((await refreshed.json()) as { access_token: string }).access_token).username).toBe(
      'officer-komdigi',
    );
  });

  it('refuses a code with the wrong verifier, another redirect URI, or once five minutes passed', async () => {
    const input = officer();
    const wrongVerifier = await signInForCode(input);
    expect((await exchangeCode(input, wrongVerifier.code, newVerifier())).status).toBe(400);
    // The failed exchange used the code up too.
    expect((await exchangeCode(input, wrongVerifier.code, wrongVerifier.verifier)).status).toBe(400);
    const otherUri = await signInForCode(input);
    const elsewhere = { ...input, redirectUri: 'http://127.0.0.1:9999/other/' };
    expect((await exchangeCode(elsewhere, otherUri.code, otherUri.verifier)).status).toBe(400);
    const late = await signInForCode(input);
    clock += 5 * 60_000 + 1;
    expect((await exchangeCode(input, late.code, late.verifier)).status).toBe(400);
  });

  it('requires PKCE S256 and a registered callback URL', async () => {
    const input = officer();
    const noPkce = await fetch(
      authorizeUrl(input, challengeOf(newVerifier()), { code_challenge_method: 'plain' }),
      {
        redirect: 'manual',
      },
    );
    expect(noPkce.status).toBe(302);
    expect(new URL(noPkce.headers.get('location') ?? '').searchParams.get('error')).toBe('invalid_request');
    const stranger = await fetch(
      authorizeUrl({ ...input, redirectUri: 'https://evil.example/' }, challengeOf(newVerifier())),
    );
    expect(stranger.status).toBe(400);
    expect(await stranger.text()).toContain('role="alert"');
  });

  it('shows the same alert for a wrong password and an unknown user, and locks out after five failures', async () => {
    const input = officer();
    const page = formOf(
      await (await fetch(authorizeUrl(input, challengeOf(newVerifier()), { lang: 'en' }))).text(),
    );
    const attempt = async (username: string, password: string) =>
      (
        await postForm(`${server.url}${page.action}`, {
          session: page.session,
          username,
          password,
          lang: 'en',
        })
      ).text();
    const wrong = await attempt(input.username, 'not the password');
    const unknown = await attempt('nobody-at-all', 'not the password');
    const alertOf = (html: string) => /<p role="alert">([^<]+)<\/p>/.exec(html)?.[1];
    expect(alertOf(wrong)).toBe('Incorrect username or password.');
    expect(alertOf(unknown)).toBe(alertOf(wrong));
    for (let failure = 2; failure <= 5; failure++) await attempt(input.username, 'still wrong');
    // Five failures: now even the right password is refused for a minute.
    expect(alertOf(await attempt(input.username, input.password))).toMatch(/Too many failed attempts/);
    clock += 61_000;
    expect(await attempt(input.username, input.password)).toContain('name="code"');
  });

  it('shows the code page again on a wrong code', async () => {
    const input = officer();
    const first = formOf(
      await (await fetch(authorizeUrl(input, challengeOf(newVerifier()), { lang: 'id' }))).text(),
    );
    const codeForm = formOf(
      await (
        await postForm(`${server.url}${first.action}`, {
          ...first,
          username: input.username,
          password: input.password,
          lang: 'id',
        })
      ).text(),
    );
    const wrongCode = String((Number(totpCode(input.totpSecret, clock)) + 500_000) % 1_000_000).padStart(
      6,
      '0',
    );
    const again = await (
      await postForm(`${server.url}${codeForm.action}`, { ...codeForm, code: wrongCode, lang: 'id' })
    ).text();
    expect(again).toContain('role="alert"');
    expect(again).toContain('<label for="code">Kode</label>');
    expect(again).toContain('>Verifikasi</button>');
  });

  it('makes a user created at run time choose a new password, then enrol an authenticator (MFA_SETUP)', async () => {
    const created = store.createUser(POOL.id, {
      username: 'staff-new',
      email: 'staff@michat.example',
      temporaryPassword: 'Temporary-Pass-1234',
    });
    expect(created.totpSecret).toBeNull();
    expect(store.published(POOL.id)['staff-new']?.totpSecret).toBeNull();
    const input = { ...officer(), username: 'staff-new', password: 'Temporary-Pass-1234' };
    const first = formOf(
      await (await fetch(authorizeUrl(input, challengeOf(newVerifier()), { lang: 'en' }))).text(),
    );
    const next = await (
      await postForm(`${server.url}${first.action}`, {
        ...first,
        username: input.username,
        password: input.password,
        lang: 'en',
      })
    ).text();
    expect(next).toContain('<label for="new-password">New password</label>');
    const form = formOf(next);
    expect(
      await (
        await postForm(`${server.url}${form.action}`, { ...form, newPassword: 'short', lang: 'en' })
      ).text(),
    ).toContain('role="alert"');
    const setup = await (
      await postForm(`${server.url}${form.action}`, {
        ...form,
        newPassword: 'A-much-better-Pass-99',
        lang: 'en',
      })
    ).text();
    expect(setup).toContain('<h1>Set up your authenticator app</h1>');
    expect(setup).toContain('<label for="code">Code</label>');
    expect(setup).toContain('>Verify</button>');
    const secret = secretShownIn(setup);
    expect(setup).toContain(`otpauth://totp/Tenggat:staff-new?issuer=Tenggat&#38;secret=${secret}&#38;`);
    expect(store.get(POOL.id, 'staff-new')).toMatchObject({ status: 'CONFIRMED', totpSecret: null });
    const setupForm = formOf(setup);
    const wrong = await (
      await postForm(`${server.url}${setupForm.action}`, { ...setupForm, code: '000000', lang: 'id' })
    ).text();
    expect(wrong).toContain('role="alert"');
    expect(wrong).toContain('<h1>Siapkan aplikasi autentikator Anda</h1>');
    // The same secret is shown again: the one the person may already have added to their app.
    expect(secretShownIn(wrong)).toBe(secret);
    const enrolled = await postForm(`${server.url}${setupForm.action}`, {
      ...setupForm,
      code: totpCode(secret, clock),
    });
    expect(enrolled.status).toBe(302);
    expect(new URL(enrolled.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
    expect(store.get(POOL.id, 'staff-new')?.totpSecret).toBe(secret);
    // From now on the sign-in asks for the code of that secret, as for everyone else.
    const tokens = await signIn({ ...input, password: 'A-much-better-Pass-99', totpSecret: secret });
    expect(decodeJwt(tokens.access_token).username).toBe('staff-new');
  });

  it('redirects sign-out only to an allowed URL', async () => {
    const good = await fetch(
      `${server.url}/logout?client_id=console-client&logout_uri=${encodeURIComponent(CALLBACK)}`,
      { redirect: 'manual' },
    );
    expect(good.status).toBe(302);
    expect(good.headers.get('location')).toBe(CALLBACK);
    const bad = await fetch(
      `${server.url}/logout?client_id=console-client&logout_uri=https://evil.example/`,
      { redirect: 'manual' },
    );
    expect(bad.status).toBe(400);
  });
});
