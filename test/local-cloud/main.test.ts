import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/cloud/dynamodb-local';
import { isAlive, isPortFree } from '../../local/cloud/processes';

interface LocalJson {
  apiUrl: string;
  tokenUrl: string;
  awsEndpoint: string;
  dynamodbEndpoint: string;
  clients: Record<string, { clientId: string; clientSecret: string; scopes: string[]; agency?: string }>;
  platforms: Record<string, { webhookUrl: string; notificationSecret: string; responseSecret: string }>;
}

const root = mkdtempSync(join(tmpdir(), 'local-cloud-main-'));
const dataDir = join(root, 'data');
const localJsonPath = join(dataDir, 'local.json');
const running: ChildProcess[] = [];

function startCloud(ports: number[]): ChildProcess {
  const [api, aws, dynamodb, sandbox] = ports;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('local/cloud/main.ts'), '--policy', 'fast'],
    {
      cwd: resolve('.'),
      env: {
        ...process.env,
        TENGGAT_DATA_DIR: dataDir,
        TENGGAT_CDK_OUT: join(root, 'cdk.out'),
        TENGGAT_API_PORT: String(api),
        TENGGAT_AWS_PORT: String(aws),
        TENGGAT_DYNAMODB_PORT: String(dynamodb),
        TENGGAT_SANDBOX_PORT: String(sandbox),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.resume();
  child.stderr?.resume();
  running.push(child);
  return child;
}

/** Waits for a local.json written after `since` (a killed run leaves its own behind). */
async function waitForReady(child: ChildProcess, since = Date.now()): Promise<LocalJson> {
  const deadline = Date.now() + 240_000;
  while (!existsSync(localJsonPath) || statSync(localJsonPath).mtimeMs < since) {
    if (child.exitCode !== null) throw new Error(`local cloud exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('local cloud not ready in time');
    await new Promise((r) => setTimeout(r, 250));
  }
  return JSON.parse(readFileSync(localJsonPath, 'utf8')) as LocalJson;
}

async function tokenOf(local: LocalJson, clientName: string): Promise<string> {
  const client = local.clients[clientName];
  const response = await fetch(local.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client?.clientId}:${client?.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

const dynamodbPid = () =>
  JSON.parse(readFileSync(join(dataDir, 'dynamodb', 'dynamodb-local.pid'), 'utf8')).pid as number;

afterAll(() => {
  for (const child of running) if (child.exitCode === null) child.kill('SIGKILL');
  // The synthesized app and DynamoDB data are ~50 MB a run.
  rmSync(root, { recursive: true, force: true });
});

describe('npm start (local/cloud/main.ts)', () => {
  it('serves the stack, survives kill -9 with its data, and leaves nothing behind after Ctrl-C', async () => {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const first = startCloud(ports);
    const local = await waitForReady(first);
    expect(statSync(localJsonPath).mode & 0o777).toBe(0o600);
    expect(Object.values(local.clients).filter((client) => client.agency).length).toBeGreaterThanOrEqual(2);
    expect(local.platforms['michat-sandbox']?.webhookUrl).toBe(`http://127.0.0.1:${ports[3]}/webhook`);
    expect(local.platforms['michat-sandbox']?.responseSecret).toMatch(/^whsec_/);

    const operator = Object.entries(local.clients).find(([, client]) => !client.agency)?.[0] ?? '';
    const adminToken = await tokenOf(local, operator);
    const register = (id: string, webhookUrl: string) =>
      fetch(`${local.apiUrl}/v1/platforms`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ id, name: id, webhookUrl, contactEmail: 'ops@example.com' }),
      });
    const ownPort = await register('uses-own-port', `http://127.0.0.1:${ports[1]}/hook`);
    expect(ownPort.status).toBeGreaterThanOrEqual(400);
    expect(ownPort.status).toBeLessThan(500);
    const registered = await register('kept-platform', 'http://127.0.0.1:9/hook');
    expect(registered.status).toBe(201);

    const javaPid = dynamodbPid();
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    const second = startCloud(ports);
    const again = await waitForReady(second);
    expect(isAlive(javaPid)).toBe(false);
    const listed = await fetch(`${again.apiUrl}/v1/platforms`, {
      headers: { authorization: `Bearer ${await tokenOf(again, operator)}` },
    });
    const body = (await listed.json()) as { items: { id: string }[] };
    expect(body.items.map((platform) => platform.id).sort()).toEqual(['kept-platform', 'michat-sandbox']);
    // The sandbox keeps its secrets across the restart instead of registering again.
    expect(again.platforms['michat-sandbox']).toEqual(local.platforms['michat-sandbox']);

    const secondJavaPid = dynamodbPid();
    second.kill('SIGINT');
    await new Promise((r) => second.once('exit', r));
    expect(isAlive(secondJavaPid)).toBe(false);
    for (const port of ports) expect(await isPortFree(port)).toBe(true);
    expect(existsSync(localJsonPath)).toBe(false);
  }, 400_000);
});
