import { describe, expect, it } from 'vitest';
import { MAX_WAIT_MS, type NextStepInput, nextStep } from '../../../functions/src/domain/next-step';
import {
  afterEmail,
  afterWebhookAttempt,
  createNotice,
  type NoticeRecord,
} from '../../../functions/src/domain/notices';
import { DEFAULT_POLICY } from '../policy-fixture';

const t0 = new Date('2026-12-01T08:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);
const schedule = DEFAULT_POLICY.deliveryRetrySchedule;

function notice(seq: number, created = t0): NoticeRecord {
  return createNotice({
    orderId: 'o',
    seq,
    event: seq === 1 ? 'takedown.requested' : 'takedown.reminder',
    stage: 'order',
    urgency: 'standard',
    policy: DEFAULT_POLICY,
    now: created,
  });
}
const failed = (n: NoticeRecord, when = t0) =>
  afterWebhookAttempt(
    n,
    { delivered: false, httpStatus: null, retryAfterSeconds: null, error: 'refused' },
    schedule,
    when,
  );
const delivered = (n: NoticeRecord, when = t0) =>
  afterWebhookAttempt(
    n,
    { delivered: true, httpStatus: 200, retryAfterSeconds: null, error: null },
    schedule,
    when,
  );

function input(
  overrides: Partial<Omit<NextStepInput, 'order'>> & { order?: Partial<NextStepInput['order']> },
): NextStepInput {
  return {
    notices: [],
    items: { pending: 2, disputed: 0, earliestDeadline: at(86_400) },
    reviewReminderDue: null,
    now: t0,
    ...overrides,
    order: {
      status: 'awaiting_platform',
      stage: 'order',
      servedAt: t0.toISOString(),
      clockPausedSince: null,
      finalizedAt: null,
      ...overrides.order,
    },
  };
}

describe('the next step of an order', () => {
  it('delivers a new notice first, then waits for the deadline once it is delivered', () => {
    expect(nextStep(input({ order: { servedAt: null, status: 'notifying' }, notices: [notice(1)] }))).toEqual(
      {
        next: 'deliver',
        noticeId: '000001',
      },
    );
    expect(nextStep(input({ notices: [delivered(notice(1))] }))).toEqual({
      next: 'wait',
      wakeAt: at(86_400),
    });
  });

  it('while unserved waits for the next webhook attempt, and emails the notice once the grace period is over', () => {
    const unserved = { servedAt: null, status: 'notifying' as const };
    expect(nextStep(input({ order: unserved, notices: [failed(notice(1))] }))).toEqual({
      next: 'wait',
      wakeAt: at(5),
    });
    expect(nextStep(input({ order: unserved, notices: [failed(notice(1))], now: at(3600) }))).toEqual({
      next: 'email',
      noticeId: '000001',
    });
  });

  it('escalates at the deadline even while the previous notice is still being retried', () => {
    const retrying = failed(notice(2, at(86_000)), at(86_000));
    expect(nextStep(input({ notices: [delivered(notice(1)), retrying], now: at(86_400) }))).toEqual({
      next: 'escalate',
    });
  });

  it('does not escalate while the clock is paused for a clarification', () => {
    const paused = { clockPausedSince: at(100).toISOString() };
    const step = nextStep(input({ order: paused, notices: [delivered(notice(1))], now: at(90_000) }));
    expect(step).toEqual({ next: 'wait', wakeAt: at(90_000 + MAX_WAIT_MS / 1000) });
  });

  it('finalizes when nothing is open, at ST3 and when withdrawn; a withdrawn order need not have been served', () => {
    expect(nextStep(input({ items: { pending: 0, disputed: 0, earliestDeadline: null } }))).toEqual({
      next: 'finalize',
    });
    expect(nextStep(input({ order: { stage: 'st3' } }))).toEqual({ next: 'finalize' });
    expect(nextStep(input({ order: { status: 'withdrawn', servedAt: null } }))).toEqual({ next: 'finalize' });
  });

  it('after finalizing still delivers what it owes, then is done', () => {
    const final = { status: 'complied' as const, finalizedAt: t0.toISOString() };
    const pending = notice(3);
    expect(nextStep(input({ order: final, notices: [pending] }))).toEqual({
      next: 'deliver',
      noticeId: '000003',
    });
    const emailed = afterEmail(failed(pending), { messageId: 'm' }, at(3600));
    expect(nextStep(input({ order: final, notices: [emailed], now: at(3601) }))).toEqual({ next: 'done' });
  });

  it('waits for the review reminder when only disputed items remain', () => {
    const disputed = { pending: 0, disputed: 1, earliestDeadline: null };
    expect(
      nextStep(input({ items: disputed, reviewReminderDue: at(7200), notices: [delivered(notice(1))] })),
    ).toEqual({ next: 'wait', wakeAt: at(7200) });
  });
});
