/**
 * The part of Cognito the API needs: an OAuth2 client-credentials token endpoint (`POST /oauth2/token`, HTTP Basic
 * client auth) signing RS256 access tokens like Cognito's, and the JWKS. One client per user pool client in the
 * template; the client ids come from the template, the secrets and the signing key are generated once and kept in
 * the data dir (0600) so tokens and credentials survive restarts.
 */
import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import {
  calculateJwkThumbprint,
  createLocalJWKSet,
  exportJWK,
  importPKCS8,
  type JSONWebKeySet,
  type JWTPayload,
  jwtVerify,
  SignJWT,
} from 'jose';
import type { PeopleSignIn, TokenSigner } from './cognito-login';
import { createRuntimeClientStore, type RuntimeClient } from './cognito-runtime-clients';
import { readBody, sendJson } from './http-util';
import { LOCAL_REGION, type UserPoolClientSpec, type UserPoolSpec } from './template';

export class CognitoError extends Error {
  constructor(
    readonly oauthError: string,
    readonly httpStatus = 400,
    options?: { cause?: unknown },
  ) {
    super(oauthError, options);
    this.name = 'CognitoError';
  }
}

export interface LocalClient {
  clientId: string;
  clientSecret: string;
  clientName: string;
  logicalId: string;
  scopes: string[];
  userPoolId: string;
}

export interface LocalCognitoOptions {
  dataDir: string;
  userPools: UserPoolSpec[];
  clients: UserPoolClientSpec[];
  /** Issuer prefix; the issuer of a pool is `<issuerBaseUrl>/<userPoolId>` as on AWS. */
  issuerBaseUrl?: string;
  tokenLifetimeSeconds?: number;
  /** People's grants at the token endpoint (`authorization_code`, `refresh_token`): `cognito-login.ts`. */
  peopleGrants?: () => PeopleSignIn['grant'] | undefined;
}

export interface LocalCognito {
  /** The template's clients (created at run time ones: `getClient`). */
  clients: LocalClient[];
  userPools: UserPoolSpec[];
  /** Adds (or replaces) a client created at run time; it is kept in the data dir. */
  addClient(client: RuntimeClient): void;
  /** A template or run-time client of the pool, or undefined. */
  getClient(userPoolId: string, clientId: string): RuntimeClient | undefined;
  /** Removes a client created at run time; false when there was none. */
  deleteClient(userPoolId: string, clientId: string): boolean;
  /** The issuer of the pool with this logical id. */
  issuerOf(userPoolLogicalId: string): string;
  jwks: JSONWebKeySet;
  /** Verifies signature, issuer, expiry and `token_use: access`; throws on any failure. */
  verifyAccessToken(token: string, userPoolLogicalIds: string[]): Promise<JWTPayload>;
  issueToken(clientId: string, scopes?: string[]): Promise<{ access_token: string; expires_in: number }>;
  /** Signs a token of a pool (by pool id) with this Cognito's key: the people's tokens. */
  sign: TokenSigner;
  /** `POST /oauth2/token`, `GET /.well-known/jwks.json` and `GET /<poolId>/.well-known/jwks.json`. */
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
}

const writePrivate = (path: string, content: string) => {
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
};

export async function createLocalCognito(options: LocalCognitoOptions): Promise<LocalCognito> {
  const directory = join(options.dataDir, 'cognito');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const lifetime = options.tokenLifetimeSeconds ?? 3600;
  const issuerBase = options.issuerBaseUrl ?? `https://cognito-idp.${LOCAL_REGION}.amazonaws.com`;

  const keyPath = join(directory, 'signing-key.pem');
  if (!existsSync(keyPath)) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writePrivate(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  }
  const privateKey = await importPKCS8(readFileSync(keyPath, 'utf8'), 'RS256', { extractable: true });
  const privateJwk = await exportJWK(privateKey);
  const publicJwk = { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e };
  const kid = await calculateJwkThumbprint(publicJwk);
  const jwks: JSONWebKeySet = { keys: [{ ...publicJwk, kid, alg: 'RS256', use: 'sig' }] };
  const keySet = createLocalJWKSet(jwks);

  const secretsPath = join(directory, 'clients.json');
  const secrets: Record<string, string> = existsSync(secretsPath)
    ? JSON.parse(readFileSync(secretsPath, 'utf8'))
    : {};
  const poolIdOf = new Map(options.userPools.map((pool) => [pool.logicalId, pool.id]));
  const clients: LocalClient[] = options.clients.map((client) => {
    const existing = secrets[client.clientId];
    const clientSecret = existing ?? randomBytes(39).toString('base64url').toLowerCase().slice(0, 51);
    secrets[client.clientId] = clientSecret;
    return {
      clientId: client.clientId,
      clientSecret,
      clientName: client.clientName,
      logicalId: client.logicalId,
      scopes: client.allowedOAuthScopes,
      userPoolId: (client.userPoolLogicalId && poolIdOf.get(client.userPoolLogicalId)) || 'local_pool',
    };
  });
  writePrivate(secretsPath, JSON.stringify(secrets, null, 2));
  const clientById = new Map(clients.map((client) => [client.clientId, client]));
  const flowsById = new Map(options.clients.map((client) => [client.clientId, client.allowedOAuthFlows]));
  const runtimeClients = createRuntimeClientStore(directory);
  // Run-time clients answer /oauth2/token like the template's; a secretless one can never authenticate there.
  const admit = (client: RuntimeClient) => {
    clientById.set(client.clientId, {
      clientId: client.clientId,
      clientSecret: client.clientSecret ?? randomBytes(32).toString('hex'),
      clientName: client.clientName,
      logicalId: client.clientName,
      scopes: client.scopes,
      userPoolId: client.userPoolId,
    });
    flowsById.set(client.clientId, client.flows);
  };
  for (const client of runtimeClients.list()) admit(client);
  const runtimeClient = (userPoolId: string, clientId: string) =>
    runtimeClients.list().find((client) => client.clientId === clientId && client.userPoolId === userPoolId);
  const addClient: LocalCognito['addClient'] = (client) => {
    runtimeClients.put(client);
    admit(client);
  };
  const getClient: LocalCognito['getClient'] = (userPoolId, clientId) => {
    const found = runtimeClient(userPoolId, clientId);
    if (found) return found;
    const template = clientById.get(clientId);
    if (!template || template.userPoolId !== userPoolId) return undefined;
    return {
      clientId,
      clientSecret: template.clientSecret,
      clientName: template.clientName,
      userPoolId,
      scopes: template.scopes,
      flows: flowsById.get(clientId) ?? [],
      createdAt: 0,
    };
  };
  const deleteClient: LocalCognito['deleteClient'] = (userPoolId, clientId) => {
    if (!runtimeClient(userPoolId, clientId)) return false;
    runtimeClients.remove(clientId);
    clientById.delete(clientId);
    flowsById.delete(clientId);
    return true;
  };

  const issuerOfPoolId = (poolId: string) => `${issuerBase}/${poolId}`;
  const issuerOf = (logicalId: string) => issuerOfPoolId(poolIdOf.get(logicalId) ?? 'local_pool');

  const issueToken: LocalCognito['issueToken'] = async (clientId, requestedScopes) => {
    const client = clientById.get(clientId);
    if (!client) throw new CognitoError('invalid_client');
    const flows = flowsById.get(clientId) ?? [];
    if (!flows.includes('client_credentials')) throw new CognitoError('unauthorized_client');
    const scopes = requestedScopes ?? client.scopes;
    if (scopes.length === 0 || scopes.some((scope) => !client.scopes.includes(scope))) {
      throw new CognitoError('invalid_scope');
    }
    const now = Math.floor(Date.now() / 1000);
    const accessToken = await new SignJWT({
      client_id: clientId,
      token_use: 'access',
      scope: scopes.join(' '),
      auth_time: now,
      version: 2,
    })
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject(clientId)
      .setIssuer(issuerOfPoolId(client.userPoolId))
      .setIssuedAt(now)
      .setExpirationTime(now + lifetime)
      .setJti(randomUUID())
      .sign(privateKey);
    return { access_token: accessToken, expires_in: lifetime };
  };

  const sign: TokenSigner = async (claims, input) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid })
      .setSubject(input.subject)
      .setIssuer(issuerOfPoolId(input.userPoolId))
      .setIssuedAt(now)
      .setExpirationTime(now + input.lifetimeSeconds)
      .setJti(randomUUID())
      .sign(privateKey);
  };

  const verifyAccessToken: LocalCognito['verifyAccessToken'] = async (token, userPoolLogicalIds) => {
    const { payload } = await jwtVerify(token, keySet, {
      algorithms: ['RS256'],
      issuer: userPoolLogicalIds.map(issuerOf),
    });
    if (payload.token_use !== 'access') throw new CognitoError('invalid_token');
    return payload;
  };

  const handleToken = async (request: IncomingMessage, response: ServerResponse) => {
    try {
      const contentType = String(request.headers['content-type'] ?? '');
      if (!contentType.startsWith('application/x-www-form-urlencoded'))
        throw new CognitoError('invalid_request');
      const form = new URLSearchParams((await readBody(request, 64 * 1024)).toString('utf8'));
      const peopleGrant = options.peopleGrants?.();
      const grantType = form.get('grant_type');
      if (peopleGrant && (grantType === 'authorization_code' || grantType === 'refresh_token')) {
        sendJson(response, 200, await peopleGrant(form, sign), { 'cache-control': 'no-store' });
        return;
      }
      if (form.get('grant_type') !== 'client_credentials') {
        throw new CognitoError(form.get('grant_type') ? 'unsupported_grant_type' : 'invalid_request');
      }
      const basic = /^Basic\s+(.+)$/i.exec(String(request.headers.authorization ?? ''));
      let clientId = form.get('client_id') ?? '';
      let clientSecret = form.get('client_secret') ?? '';
      if (basic?.[1]) {
        const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        clientId = decodeURIComponent(decoded.slice(0, colon));
        clientSecret = decodeURIComponent(decoded.slice(colon + 1));
      }
      const client = clientById.get(clientId);
      if (!client || client.clientSecret !== clientSecret) throw new CognitoError('invalid_client');
      const scopeText = form.get('scope');
      const scopes = scopeText ? scopeText.split(/\s+/).filter(Boolean) : undefined;
      const token = await issueToken(clientId, scopes);
      sendJson(response, 200, { ...token, token_type: 'Bearer' }, { 'cache-control': 'no-store' });
    } catch (error) {
      const oauthError = error instanceof CognitoError ? error.oauthError : 'invalid_request';
      sendJson(response, error instanceof CognitoError ? error.httpStatus : 400, { error: oauthError });
    }
  };

  const handle: LocalCognito['handle'] = async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (path === '/oauth2/token') {
      if (request.method !== 'POST') {
        sendJson(response, 405, { error: 'invalid_request' });
        return true;
      }
      await handleToken(request, response);
      return true;
    }
    if (request.method === 'GET' && /^(\/[^/]+)?\/\.well-known\/jwks\.json$/.test(path)) {
      sendJson(response, 200, jwks);
      return true;
    }
    return false;
  };

  return {
    clients,
    userPools: options.userPools,
    addClient,
    getClient,
    deleteClient,
    issuerOf,
    jwks,
    verifyAccessToken,
    issueToken,
    sign,
    handle,
  };
}
