import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';

/** Small helpers shared by the engine tests. */
export async function createMachine(
  engine: StepFunctionsEngine,
  name: string,
  definition: unknown,
  type = 'STANDARD',
): Promise<string> {
  const created = await engine.dispatch('CreateStateMachine', {
    name,
    definition: JSON.stringify(definition),
    roleArn: 'arn:aws:iam::111111111111:role/test',
    type,
  });
  return String(created.stateMachineArn);
}

export async function waitForStatus(
  engine: Pick<StepFunctionsEngine, 'dispatch'>,
  executionArn: string,
  predicate: (status: string) => boolean = (status) => status !== 'RUNNING',
  timeoutMs = 20_000,
): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const described = await engine.dispatch('DescribeExecution', { executionArn });
    if (predicate(String(described.status))) return described;
    if (Date.now() > deadline) throw new Error(`execution stayed ${String(described.status)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export async function historyTypes(engine: StepFunctionsEngine, executionArn: string): Promise<string[]> {
  const history = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 1000 });
  return (history.events as { type: string }[]).map((event) => event.type);
}

export async function waitUntil(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function temporaryDatabasePath(): string {
  return join(mkdtempSync(join(tmpdir(), 'sfn-engine-')), 'engine.sqlite');
}

/** An engine in a child process, so a test can SIGKILL it mid-execution. */
export class ChildEngine {
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    (message: { output?: Record<string, unknown>; error?: string }) => void
  >();
  private constructor(private readonly child: ChildProcess) {}

  static async start(dataPath: string, lambdaEndpoint: string): Promise<ChildEngine> {
    const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'engine-child.ts')], {
      env: { ...process.env, SFN_DATA_PATH: dataPath, SFN_LAMBDA_ENDPOINT: lambdaEndpoint },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const engine = new ChildEngine(child);
    const ready = new Promise<void>((resolve) => {
      if (!child.stdout) return;
      createInterface({ input: child.stdout }).on('line', (line) => {
        const message = JSON.parse(line) as {
          id?: number;
          ready?: boolean;
          output?: Record<string, unknown>;
          error?: string;
        };
        if (message.ready) resolve();
        if (message.id !== undefined) engine.waiting.get(message.id)?.(message);
      });
    });
    await ready;
    return engine;
  }

  async dispatch(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const answer = new Promise<{ output?: Record<string, unknown>; error?: string }>((resolve) =>
      this.waiting.set(id, resolve),
    );
    this.child.stdin?.write(`${JSON.stringify({ id, action, input })}\n`);
    const message = await answer;
    if (message.error !== undefined) throw new Error(message.error);
    return message.output ?? {};
  }

  async kill(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGKILL');
    await exited;
  }
}
