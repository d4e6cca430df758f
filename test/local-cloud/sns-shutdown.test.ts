/** The local SNS at shutdown: a publish it accepted is delivered, a later one is refused, none is dropped. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createOutbox, type Outbox } from '../../local/cloud/outbox';
import { createLocalSns } from '../../local/cloud/sns';

const topicArn = 'arn:aws:sns:us-east-1:000000000000:ops-alerts';

function snsOver(outbox: Outbox) {
  return createLocalSns({
    topics: [{ logicalId: 'OpsAlerts', name: 'ops-alerts', arn: topicArn, displayName: 'Ops', fifo: false }],
    subscriptions: [
      {
        logicalId: 'OpsAlerts/Subscription/0',
        arn: `${topicArn}:1`,
        topicArn,
        protocol: 'email',
        endpoint: 'ops@example.org',
        filterPolicy: undefined,
        filterPolicyScope: 'MessageAttributes',
        rawMessageDelivery: false,
      },
    ],
    permissions: [],
    outbox,
    invokeLambda: async () => undefined,
  });
}

describe('the local SNS stopping', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sns-shutdown-'));
  let outbox: Outbox | undefined;
  afterEach(() => outbox?.close());

  it('delivers into the outbox a publish it accepted just before it stopped, and refuses the next one', () => {
    outbox = createOutbox({ databasePath: join(dir, 'emails.sqlite') });
    const sns = snsOver(outbox);
    const { MessageId } = sns.publish({ topicArn, message: 'Order o-9 recovered' });
    // Same tick: the delivery is still queued when the cloud stops.
    sns.close();
    const [email] = outbox.list({ to: 'ops@example.org' });
    expect(email?.text).toMatch(/^Order o-9 recovered\n/);
    expect(email?.messageId.startsWith(MessageId)).toBe(true);
    expect(() => sns.publish({ topicArn, message: 'too late' })).toThrow(
      expect.objectContaining({ code: 'InternalError', httpStatus: 503 }),
    );
    expect(outbox.list({ to: 'ops@example.org' })).toHaveLength(1);
  });
});
