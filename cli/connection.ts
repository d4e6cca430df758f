import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Where the CLI talks to and as whom. Against the local cloud it reads `.tenggat/local.json` (written by
 * `npm start`); `--client <name>` picks one of its clients (default: the first agency). Elsewhere `--api`,
 * `--token-url`, `--client-id` and the secret in `TENGGAT_CLIENT_SECRET` (never on the command line, where
 * other users of the machine could read it).
 */
export interface ConnectionOptions {
  api?: string;
  tokenUrl?: string;
  clientId?: string;
  client?: string;
  localConfig?: string;
}

export interface Connection {
  apiUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The client's name in local.json, or its id. */
  label: string;
}

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

interface LocalJson {
  apiUrl: string;
  tokenUrl: string;
  clients: Record<string, { clientId: string; clientSecret: string; agency?: string }>;
}

export function resolveConnection(
  options: ConnectionOptions,
  env: NodeJS.ProcessEnv,
  cwd: string,
): Connection {
  if (options.api) {
    if (!options.tokenUrl || !options.clientId)
      throw new CliError('--api needs --token-url and --client-id (and the secret in TENGGAT_CLIENT_SECRET)');
    const secret = env.TENGGAT_CLIENT_SECRET;
    if (!secret) throw new CliError('set TENGGAT_CLIENT_SECRET to the client secret of --client-id');
    return {
      apiUrl: options.api.replace(/\/+$/, ''),
      tokenUrl: options.tokenUrl,
      clientId: options.clientId,
      clientSecret: secret,
      label: options.clientId,
    };
  }
  const path = resolve(cwd, options.localConfig ?? env.TENGGAT_LOCAL_CONFIG ?? '.tenggat/local.json');
  if (!existsSync(path))
    throw new CliError(
      `no ${path}: start the local cloud with \`npm start\`, or pass --api, --token-url and --client-id`,
    );
  const local = JSON.parse(readFileSync(path, 'utf8')) as LocalJson;
  const names = Object.keys(local.clients);
  const name = options.client ?? names.find((entry) => local.clients[entry]?.agency !== undefined);
  const client = name === undefined ? undefined : local.clients[name];
  if (name === undefined || client === undefined)
    throw new CliError(`no client ${options.client ?? '(agency)'} in ${path}; known: ${names.join(', ')}`);
  return {
    apiUrl: local.apiUrl.replace(/\/+$/, ''),
    tokenUrl: local.tokenUrl,
    clientId: client.clientId,
    clientSecret: client.clientSecret,
    label: name,
  };
}

export interface ApiResult<T> {
  status: number;
  headers: Headers;
  body: T;
}

/** An OAuth2 client-credentials token, fetched once per run and renewed a minute before it expires. */
export class ApiClient {
  private token: { value: string; expiresAt: number } | undefined;
  constructor(
    readonly connection: Connection,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  private async accessToken(): Promise<string> {
    if (this.token && this.token.expiresAt > Date.now() + 60_000) return this.token.value;
    const basic = Buffer.from(`${this.connection.clientId}:${this.connection.clientSecret}`).toString(
      'base64',
    );
    const response = await this.fetchImpl(this.connection.tokenUrl, {
      method: 'POST',
      headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json().catch(() => ({}))) as { access_token?: string; expires_in?: number };
    if (!response.ok || !body.access_token)
      throw new CliError(
        `could not get a token from ${this.connection.tokenUrl}: HTTP ${response.status}`,
        2,
      );
    this.token = { value: body.access_token, expiresAt: Date.now() + (body.expires_in ?? 3600) * 1000 };
    return body.access_token;
  }

  /** One call; JSON in and out. Retries 429, 503 and `409 idempotency-in-flight` after their `Retry-After`. */
  async call<T>(
    method: string,
    path: string,
    options: { body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    for (let attempt = 1; ; attempt += 1) {
      const response = await this.fetchImpl(`${this.connection.apiUrl}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${await this.accessToken()}`,
          ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
          ...options.headers,
        },
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
      });
      const text = await response.text();
      let body: unknown = text;
      try {
        body = text ? JSON.parse(text) : null;
      } catch {
        // not JSON: keep the text
      }
      const retryable =
        response.status === 429 ||
        response.status === 503 ||
        (response.status === 409 && /in-flight/.test(text));
      if (retryable && attempt < 6) {
        const seconds = Math.min(30, Number(response.headers.get('retry-after')) || attempt * 2);
        await new Promise((done) => setTimeout(done, seconds * 1000));
        continue;
      }
      return { status: response.status, headers: response.headers, body: body as T };
    }
  }

  /** A download: follows a `303` to a presigned URL without sending the token there. */
  async download(path: string): Promise<Response> {
    const response = await this.fetchImpl(`${this.connection.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${await this.accessToken()}` },
      redirect: 'manual',
    });
    const location = response.headers.get('location');
    if ((response.status === 303 || response.status === 302) && location) return this.fetchImpl(location);
    return response;
  }
}

/** The problem document's detail and field errors, for messages. */
export function problemText(body: unknown): string {
  if (body === null || typeof body !== 'object') return String(body);
  const problem = body as { title?: string; detail?: string; errors?: { field: string; message: string }[] };
  const errors = (problem.errors ?? []).slice(0, 10).map((error) => `${error.field}: ${error.message}`);
  return [problem.title, problem.detail, ...errors].filter(Boolean).join('; ');
}
