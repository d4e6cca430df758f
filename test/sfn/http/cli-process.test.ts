import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../../../local/sfn/cli.ts');

function startCli(args: string[]) {
  // The CLI's own default region (us-east-1), whatever region another test file left in this worker's env.
  const { AWS_REGION: _region, AWS_DEFAULT_REGION: _defaultRegion, ...env } = process.env;
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const url = /endpoint ready at (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url) {
        clearInterval(timer);
        resolve(url);
      }
    }, 20);
    exited.then(() => {
      clearInterval(timer);
      reject(new Error(`sfn-local exited early: ${stdout}${stderr}`));
    });
  });
  return { child, ready, exited, output: () => stdout + stderr };
}

async function withClient<T>(url: string, use: (client: SFNClient) => Promise<T>): Promise<T> {
  const client = new SFNClient({
    endpoint: url,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  try {
    return await use(client);
  } finally {
    client.destroy();
  }
}

describe('sfn-local process', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sfn-cli-'));
  const children: ChildProcess[] = [];

  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('serves the API, stops cleanly on SIGTERM and keeps state machines in the data directory', async () => {
    const first = startCli(['--port', '0', '--data', dataDir, '--account', '111111111111']);
    children.push(first.child);
    const url = await first.ready;
    await withClient(url, (client) =>
      client.send(
        new CreateStateMachineCommand({
          name: 'kept',
          roleArn: 'arn:aws:iam::111111111111:role/x',
          definition: JSON.stringify({ StartAt: 'P', States: { P: { Type: 'Pass', End: true } } }),
        }),
      ),
    );
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(first.output()).toContain('SIGTERM, stopping');
    expect(existsSync(join(dataDir, 'sfn.sqlite'))).toBe(true);

    const second = startCli(['--port', '0', '--data', dataDir, '--account', '111111111111']);
    children.push(second.child);
    const listed = await withClient(await second.ready, (client) =>
      client.send(new ListStateMachinesCommand({})),
    );
    expect(listed.stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([
      'arn:aws:states:us-east-1:111111111111:stateMachine:kept',
    ]);
    second.child.kill('SIGINT');
    expect(await second.exited).toBe(0);
  });

  it('exits with code 2 and the usage on a bad flag', async () => {
    const bad = startCli(['--port', 'eighty']);
    children.push(bad.child);
    bad.ready.catch(() => {});
    expect(await bad.exited).toBe(2);
    expect(bad.output()).toContain('--port: not a port number: eighty');
    expect(bad.output()).toContain('Usage: npm run sfn-local');
  });
});
