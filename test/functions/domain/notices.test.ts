import { describe, expect, it } from 'vitest';
import {
  afterEmail,
  afterWebhookAttempt,
  cancelNotice,
  createNotice,
  emailDue,
  nextAttemptDelayMs,
  nextNoticeTime,
  noticeOpen,
  noticeWebhookId,
  receivedAt,
  retryWebhookNow,
  webhookDue,
} from '../../../functions/src/domain/notices';
import { DEFAULT_POLICY } from '../policy-fixture';

const t0 = new Date('2026-12-01T08:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const schedule = DEFAULT_POLICY.deliveryRetrySchedule;

function notice(urgency: 'urgent' | 'standard' = 'standard') {
  return createNotice({
    orderId: 'order-1',
    seq: 1,
    event: 'takedown.requested',
    stage: 'order',
    urgency,
    policy: DEFAULT_POLICY,
    now: t0,
  });
}

const failure = (httpStatus: number | null, retryAfterSeconds: number | null = null) => ({
  delivered: false,
  httpStatus,
  retryAfterSeconds,
  error: httpStatus === null ? 'connect ECONNREFUSED' : null,
});

describe('a new notice', () => {
  it('is due by webhook now and by email at the end of the grace period of its urgency', () => {
    expect(webhookDue(notice(), t0)).toBe(true);
    expect(notice('standard').email.dueAt).toBe(at(3600).toISOString());
    expect(notice('urgent').email.dueAt).toBe(at(900).toISOString());
    expect(emailDue(notice(), at(3599))).toBe(false);
    expect(emailDue(notice(), at(3600))).toBe(true);
  });

  it('has webhook ids that are stable per part and differ between notices', () => {
    expect(noticeWebhookId('order-1', '000001', 1)).toBe(noticeWebhookId('order-1', '000001', 1));
    expect(noticeWebhookId('order-1', '000001', 1)).not.toBe(noticeWebhookId('order-1', '000002', 1));
    expect(noticeWebhookId('order-1', '000001', 1)).not.toBe(noticeWebhookId('order-1', '000001', 2));
    expect(noticeWebhookId('order-1', '000001', 1)).toMatch(/^msg_[A-Za-z0-9_-]{32}$/);
  });
});

describe('webhook retries', () => {
  it('follow the schedule after each failure and give up when it is spent', () => {
    let current = notice();
    const delays: (number | null)[] = [];
    for (let attempt = 0; attempt < schedule.length; attempt += 1) {
      current = afterWebhookAttempt(current, failure(500), schedule, t0);
      delays.push(
        current.webhook.nextAttemptAt === null
          ? null
          : new Date(current.webhook.nextAttemptAt).getTime() - t0.getTime(),
      );
    }
    expect(delays.slice(0, 3)).toEqual([5_000, 300_000, 1_800_000]);
    expect(delays.at(-1)).toBeNull();
    expect(current.webhook).toMatchObject({
      state: 'gave_up',
      attempts: schedule.length,
      lastError: 'HTTP 500',
    });
  });

  it('honour Retry-After only on 429 and 503, capped at the longest delay of the schedule', () => {
    expect(nextAttemptDelayMs(schedule, 1, 503, 31_536_000)).toBe(10 * 3600 * 1000);
    expect(nextAttemptDelayMs(schedule, 1, 429, 60)).toBe(60_000);
    expect(nextAttemptDelayMs(schedule, 1, 500, 31_536_000)).toBe(5_000);
    expect(nextAttemptDelayMs(schedule, 1, 503, 1)).toBe(5_000);
  });

  it('stop at once on 410 Gone', () => {
    expect(afterWebhookAttempt(notice(), failure(410), schedule, t0).webhook.state).toBe('gave_up');
  });

  it('never delay the email: a Retry-After of a year still leaves the email due at the grace period', () => {
    const failed = afterWebhookAttempt(notice(), failure(503, 31_536_000), schedule, t0);
    expect(emailDue(failed, at(3600))).toBe(true);
    expect(nextNoticeTime(failed, false)?.toISOString()).toBe(at(3600).toISOString());
  });
});

describe('delivery and email', () => {
  it('a delivered webhook makes the email unnecessary and closes the notice', () => {
    const delivered = afterWebhookAttempt(
      notice(),
      { delivered: true, httpStatus: 200, retryAfterSeconds: null, error: null },
      schedule,
      at(2),
    );
    expect(delivered.email.state).toBe('not_needed');
    expect(noticeOpen(delivered, false)).toBe(false);
    expect(receivedAt(delivered)?.toISOString()).toBe(at(2).toISOString());
  });

  it('an emailed notice is received when SES accepted it, and its webhook keeps trying while the order is open', () => {
    const failed = afterWebhookAttempt(notice(), failure(null), schedule, t0);
    const emailed = afterEmail(failed, { messageId: 'ses-1' }, at(3600));
    expect(receivedAt(emailed)?.toISOString()).toBe(at(3600).toISOString());
    expect(noticeOpen(emailed, false)).toBe(true);
    expect(noticeOpen(emailed, true)).toBe(false);
  });

  it('a cancelled notice owes nothing', () => {
    const cancelled = cancelNotice(notice());
    expect(noticeOpen(cancelled, false)).toBe(false);
    expect(emailDue(cancelled, at(7200))).toBe(false);
  });

  it('an operator redelivery retries a failed webhook now, and even one that gave up, once', () => {
    expect(retryWebhookNow(notice(), at(10))).toBeNull();
    const gaveUp = afterWebhookAttempt(notice(), failure(410), schedule, t0);
    const retried = retryWebhookNow(gaveUp, at(10));
    expect(retried?.webhook).toMatchObject({ state: 'pending', nextAttemptAt: at(10).toISOString() });
    expect(retried && afterWebhookAttempt(retried, failure(500), schedule, at(10)).webhook.state).toBe(
      'pending',
    );
  });
});
