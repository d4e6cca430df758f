import { type ChildProcess, spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort } from '../../local/cloud/dynamodb-local';
import {
  api,
  type E2eCloud,
  fastPolicy,
  getAudit,
  orderBody,
  registerPlatform,
  STATE_MACHINE_ARN,
  sfnClient,
  startPlatformReceiver,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

/** Long enough for a kill -9 and a warm restart (about 5 s; the first start synthesizes) to fit inside the first wait. */
const ORDER_DEADLINE_SECONDS = 30;
const STAGE_SECONDS = 8;
const LATE_TOLERANCE_MS = 3_000;

const root = mkdtempSync(join(tmpdir(), 'tenggat-e2e-crash-'));
const dataDir = join(root, 'data');
const policyPath = join(root, 'crash-policy.json');
const logPath = join(root, 'npm-start.log');
const children: ChildProcess[] = [];

writeFileSync(
  policyPath,
  JSON.stringify({
    ...fastPolicy,
    name: 'e2e-crash',
    deadlines: {
      urgent: {
        order: `PT${ORDER_DEADLINE_SECONDS}S`,
        st1: `PT${STAGE_SECONDS}S`,
        st2: `PT${STAGE_SECONDS}S`,
      },
      standard: {
        order: `PT${ORDER_DEADLINE_SECONDS}S`,
        st1: `PT${STAGE_SECONDS}S`,
        st2: `PT${STAGE_SECONDS}S`,
      },
    },
  }),
);

/** `npm start` as its own process group, so the whole local cloud can be killed at once. */
function startLocalCloudProcess(ports: number[]): ChildProcess {
  const [apiPort, awsPort, dynamodbPort, sandboxPort] = ports;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', resolve('local/cloud/main.ts'), '--policy', policyPath],
    {
      cwd: resolve('.'),
      detached: true,
      env: {
        ...process.env,
        TENGGAT_DATA_DIR: dataDir,
        TENGGAT_CDK_OUT: join(root, 'cdk.out'),
        TENGGAT_API_PORT: String(apiPort),
        TENGGAT_AWS_PORT: String(awsPort),
        TENGGAT_DYNAMODB_PORT: String(dynamodbPort),
        TENGGAT_SANDBOX_PORT: String(sandboxPort),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const out = createWriteStream(logPath, { flags: 'a' });
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  children.push(child);
  return child;
}

async function ready(child: ChildProcess, since: number): Promise<E2eCloud> {
  const localJson = join(dataDir, 'local.json');
  await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`the local cloud exited with ${child.exitCode}`);
      return existsSync(localJson) && statSync(localJson).mtimeMs >= since;
    },
    { timeoutMs: 240_000, intervalMs: 250, what: 'local.json' },
  );
  return { ...(JSON.parse(readFileSync(localJson, 'utf8')) as E2eCloud), progressLogPath: logPath };
}

const killGroup = async (child: ChildProcess, signal: NodeJS.Signals) => {
  const exited = new Promise((resolveExit) => child.once('exit', resolveExit));
  if (child.pid !== undefined) process.kill(-child.pid, signal);
  await exited;
};

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) await killGroup(child, 'SIGINT');
  }
  rmSync(root, { recursive: true, force: true });
}, 60_000);

describe('the whole local cloud killed with SIGKILL during a wait', () => {
  it('resumes the order after a restart, escalates at the original deadline, and notifies nothing twice', async () => {
    const ports = [await freePort(), await freePort(), await freePort(), await freePort()];
    const first = startLocalCloudProcess(ports);
    const before = await ready(first, 0);

    const receiver = await startPlatformReceiver(before);
    try {
      const platform = await registerPlatform(receiver.url, undefined, before);
      receiver.attach(platform);
      const submitted = await submitOrder(orderBody({ platformId: platform.id }, 2), { target: before });
      expect(submitted.status).toBe(201);
      const orderId = submitted.body.id;
      const notified = await waitForOrder(orderId, (order) => order.deadlineAt !== null, { target: before });
      const deadlineMs = Date.parse(notified.deadlineAt ?? '');
      expect(deadlineMs - Date.parse(notified.notifiedAt ?? '')).toBe(ORDER_DEADLINE_SECONDS * 1000);

      await new Promise((resolveSleep) => setTimeout(resolveSleep, 2_000));
      await killGroup(first, 'SIGKILL');
      const restartedAt = Date.now();
      const second = startLocalCloudProcess(ports);
      const after = await ready(second, restartedAt);
      // The restart must land inside the wait, or the test would not show the timer survived.
      expect(Date.now()).toBeLessThan(deadlineMs);

      const resumed = await waitForOrder(orderId, (order) => order.stage === 'st1', {
        target: after,
        timeoutMs: deadlineMs - Date.now() + 15_000,
        what: 'ST1 after the restart',
      });
      // The stage changes before the reminder goes out: wait for the platform to receive it.
      const reminder = await waitFor(
        () => receiver.received.find((webhook) => webhook.type === 'takedown.reminder'),
        { what: 'takedown.reminder' },
      );
      expect(reminder?.signatureValid).toBe(true);
      expect(reminder?.receivedAt).toBeGreaterThanOrEqual(deadlineMs - 500);
      expect(reminder?.receivedAt).toBeLessThanOrEqual(deadlineMs + LATE_TOLERANCE_MS);
      expect(resumed.itemCounts).toMatchObject({ total: 2, pending: 2 });

      const fined = await waitForOrder(orderId, (order) => order.stage === 'st2', {
        target: after,
        timeoutMs: STAGE_SECONDS * 1000 + 15_000,
        what: 'ST2',
      });
      expect(fined.fine.accrued).toBeGreaterThan(0);
      const withdrawal = await api('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'End of the crash test.' },
        target: after,
      });
      expect(withdrawal.status).toBe(200);
      await waitFor(() => receiver.received.some((webhook) => webhook.type === 'takedown.withdrawn'), {
        what: 'takedown.withdrawn',
      });
      const execution = await waitFor(
        async () => {
          const described = await sfnClient(after).send(
            new DescribeExecutionCommand({
              executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:${orderId}`,
            }),
          );
          return described.status === 'SUCCEEDED' ? described : undefined;
        },
        { what: 'the execution to succeed' },
      );
      expect(execution.name).toBe(orderId);

      // Nothing notified twice: one delivery per event, each with its own webhook-id.
      const warning = 'takedown.deadline_approaching';
      const types = receiver.received.map((webhook) => webhook.type);
      expect(types.filter((type) => type !== warning)).toEqual([
        'takedown.requested',
        'takedown.reminder',
        'takedown.fine_notice',
        'takedown.withdrawn',
      ]);
      expect(new Set(receiver.received.map((webhook) => webhook.webhookId)).size).toBe(
        receiver.received.length,
      );
      // The warnings of the first deadline survived the crash too: each fraction at most once, all before it (one,
      // the latest, when the restart took longer than the first fraction).
      const firstDeadline = receiver.received.filter(
        (webhook) =>
          webhook.type === warning && (webhook.body.data.warning as { stage: string }).stage === 'order',
      );
      const fractions = firstDeadline.map(
        (webhook) => (webhook.body.data.warning as { fraction: number }).fraction,
      );
      expect(fractions.length).toBeGreaterThanOrEqual(1);
      expect(fastPolicy.warnAt.slice(-fractions.length)).toEqual(fractions);
      expect(firstDeadline.every((webhook) => webhook.receivedAt < deadlineMs)).toBe(true);
      // Nothing lost: the audit trail runs without gaps from the submission to the withdrawal.
      const audit = await getAudit(orderId, 'komdigi-ais', after);
      expect(audit.map((entry) => entry.seq)).toEqual(audit.map((_, index) => (audit[0]?.seq ?? 1) + index));
      expect(audit[0]?.action).toBe('order_submitted');
      expect(audit.filter((entry) => entry.action === 'escalated')).toHaveLength(2);

      // npm start's progress log told the story, one line per step.
      const log = readFileSync(logPath, 'utf8');
      expect(log).toContain(
        `order ${orderId} (komdigi-ais → ${platform.id}) delivered takedown.requested; deadline`,
      );
      expect(log).toMatch(new RegExp(`order ${orderId} .*escalated to ST1`));
      expect(log).toMatch(new RegExp(`order ${orderId} .*withdrawn`));
    } finally {
      await receiver.close();
    }
  }, 420_000);
});
