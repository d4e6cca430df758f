import { describe, expect, it } from 'vitest';
import {
  deadlineWarnings,
  warningMoot,
  warningPayload,
} from '../../../functions/src/domain/deadline-warnings';
import { formatDurationSeconds } from '../../../functions/src/domain/duration';
import { pauseForClarification, resumeAfterClarification } from '../../../functions/src/domain/legal-clock';
import { nextStep } from '../../../functions/src/domain/next-step';
import { createNotice } from '../../../functions/src/domain/notices';
import { DEFAULT_POLICY } from '../policy-fixture';
import { at, HOUR, notifiedOrder } from './records-fixture';

const { order } = notifiedOrder(2);
const iso = (ms: number) => at(ms).toISOString();

describe('deadlineWarnings (standard order served at T0, deadline T0 + 24 h, warnAt [0.5, 0.9])', () => {
  it('owes nothing before half the time, then the half-time warning, then the 90 % one', () => {
    expect(deadlineWarnings(order, 2, at(HOUR))).toEqual({ due: null, nextAt: at(12 * HOUR) });
    expect(deadlineWarnings(order, 2, at(12 * HOUR))).toEqual({
      due: { stage: 'order', deadlineAt: iso(24 * HOUR), fraction: 0.5 },
      nextAt: at(21.6 * HOUR),
    });
    const warned = { ...order, lastWarning: { deadlineAt: iso(24 * HOUR), fraction: 0.5 } };
    expect(deadlineWarnings(warned, 2, at(13 * HOUR))).toEqual({ due: null, nextAt: at(21.6 * HOUR) });
    expect(deadlineWarnings(warned, 2, at(22 * HOUR)).due?.fraction).toBe(0.9);
    const both = { ...order, lastWarning: { deadlineAt: iso(24 * HOUR), fraction: 0.9 } };
    expect(deadlineWarnings(both, 2, at(23 * HOUR))).toEqual({ due: null, nextAt: null });
  });

  it('sends one warning, the latest, after an outage that passed both fractions', () => {
    expect(deadlineWarnings(order, 2, at(23 * HOUR))).toEqual({
      due: { stage: 'order', deadlineAt: iso(24 * HOUR), fraction: 0.9 },
      nextAt: null,
    });
  });

  it('owes none for an order answered in full, final, withdrawn, not yet served, or past its deadline', () => {
    const none = { due: null, nextAt: null };
    expect(deadlineWarnings(order, 0, at(12 * HOUR))).toEqual(none);
    expect(deadlineWarnings({ ...order, status: 'complied' }, 2, at(12 * HOUR))).toEqual(none);
    expect(deadlineWarnings({ ...order, status: 'withdrawn' }, 2, at(12 * HOUR))).toEqual(none);
    expect(deadlineWarnings({ ...order, finalizedAt: iso(HOUR) }, 2, at(12 * HOUR))).toEqual(none);
    expect(
      deadlineWarnings({ ...order, servedAt: null, deadlineAt: null, status: 'notifying' }, 2, at(HOUR)),
    ).toEqual(none);
    expect(deadlineWarnings(order, 2, at(24 * HOUR))).toEqual(none);
    expect(
      deadlineWarnings({ ...order, policy: { ...DEFAULT_POLICY, warnAt: [] } }, 2, at(23 * HOUR)),
    ).toEqual(none);
  });

  it('owes none while a clarification pauses the clock, and follows the new deadline after it, not the old one', () => {
    const paused = { ...order, ...pauseForClarification(order, 'Which post?', at(10 * HOUR)) };
    expect(deadlineWarnings(paused, 2, at(12 * HOUR))).toEqual({ due: null, nextAt: null });
    const answered = {
      ...paused,
      clarification: {
        ...(paused.clarification ?? ({} as never)),
        answer: 'This one.',
        answeredAt: iso(14 * HOUR),
      },
    };
    const resumed = { ...answered, ...resumeAfterClarification(answered, at(15 * HOUR)) };
    // The full 24 h again from 15 h: the deadline is at 39 h, the warnings at 27 h and 36.6 h.
    expect(resumed.deadlineAt).toBe(iso(39 * HOUR));
    expect(deadlineWarnings(resumed, 2, at(21.6 * HOUR))).toEqual({ due: null, nextAt: at(27 * HOUR) });
    // A half-time warning sent for the old deadline does not count against the new one.
    const warnedBefore = { ...resumed, lastWarning: { deadlineAt: iso(24 * HOUR), fraction: 0.5 } };
    expect(deadlineWarnings(warnedBefore, 2, at(27 * HOUR)).due).toEqual({
      stage: 'order',
      deadlineAt: iso(39 * HOUR),
      fraction: 0.5,
    });
  });

  it('warns of each later stage deadline, from the escalation that started it', () => {
    // ST1 began at 24 h with its own 24 h: warnings at 36 h and 45.6 h.
    const st1 = { ...order, stage: 'st1' as const, deadlineAt: iso(48 * HOUR) };
    expect(deadlineWarnings(st1, 1, at(30 * HOUR))).toEqual({ due: null, nextAt: at(36 * HOUR) });
    expect(deadlineWarnings(st1, 1, at(36 * HOUR)).due).toEqual({
      stage: 'st1',
      deadlineAt: iso(48 * HOUR),
      fraction: 0.5,
    });
    // ST3 has no deadline: nothing to warn of.
    expect(deadlineWarnings({ ...order, stage: 'st3', deadlineAt: null }, 1, at(30 * HOUR))).toEqual({
      due: null,
      nextAt: null,
    });
  });

  it('reads the default warnAt for an order stored under a policy without the field', () => {
    const { warnAt: _omitted, ...older } = DEFAULT_POLICY;
    const stored = { ...order, policy: older as typeof DEFAULT_POLICY };
    expect(deadlineWarnings(stored, 2, at(12 * HOUR)).due?.fraction).toBe(0.5);
  });
});

describe('the warning in the workflow', () => {
  const base = {
    order: { ...order, clockPausedSince: null, finalizedAt: null },
    notices: [],
    items: { pending: 2, disputed: 0, earliestDeadline: at(24 * HOUR) },
    reviewReminderDue: null,
  };

  it('comes after escalation, and the wait ends at the next warning when it is before the deadline', () => {
    expect(nextStep({ ...base, warning: { due: true, nextAt: null }, now: at(12 * HOUR) })).toEqual({
      next: 'warn',
    });
    expect(nextStep({ ...base, warning: { due: true, nextAt: null }, now: at(24 * HOUR) })).toEqual({
      next: 'escalate',
    });
    expect(nextStep({ ...base, warning: { due: false, nextAt: at(12 * HOUR) }, now: at(HOUR) })).toEqual({
      next: 'wait',
      wakeAt: at(12 * HOUR),
    });
  });

  it('is cancelled once it says nothing true: the deadline moved or passed, or nothing is open', () => {
    const notice = createNotice({
      orderId: order.orderId,
      seq: 2,
      event: 'takedown.deadline_approaching',
      stage: 'order',
      urgency: 'standard',
      policy: DEFAULT_POLICY,
      now: at(12 * HOUR),
      detail: { deadlineAt: iso(24 * HOUR), fraction: 0.5 },
    });
    expect(warningMoot(order, notice, 2, at(12 * HOUR))).toBe(false);
    expect(warningMoot(order, notice, 0, at(12 * HOUR))).toBe(true);
    expect(warningMoot(order, notice, 2, at(24 * HOUR))).toBe(true);
    expect(warningMoot({ ...order, deadlineAt: iso(39 * HOUR) }, notice, 2, at(16 * HOUR))).toBe(true);
    expect(warningMoot({ ...order, clockPausedSince: iso(13 * HOUR) }, notice, 2, at(14 * HOUR))).toBe(true);
    const delivered = { ...notice, webhook: { ...notice.webhook, state: 'delivered' as const } };
    expect(
      warningMoot(order, { ...delivered, email: { ...notice.email, state: 'not_needed' } }, 0, at(HOUR)),
    ).toBe(false);
  });

  it('tells the platform the time left as of sending, in ISO 8601 and in seconds, and the items open', () => {
    const notice = { stage: 'order' as const, detail: { deadlineAt: iso(24 * HOUR), fraction: 0.9 } };
    expect(warningPayload('order-1', notice, 2, at(21.6 * HOUR + 30_000))).toEqual({
      takedownRequestId: 'order-1',
      stage: 'order',
      deadline: iso(24 * HOUR),
      timeLeft: 'PT2H23M30S',
      timeLeftSeconds: 2 * 3600 + 23 * 60 + 30,
      openItems: 2,
      fraction: 0.9,
    });
  });

  it('formats whole seconds as an ISO 8601 duration', () => {
    expect(formatDurationSeconds(0)).toBe('PT0S');
    expect(formatDurationSeconds(-5)).toBe('PT0S');
    expect(formatDurationSeconds(2.9)).toBe('PT2S');
    expect(formatDurationSeconds(3600)).toBe('PT1H');
    expect(formatDurationSeconds(36 * 3600 + 61)).toBe('PT36H1M1S');
  });
});
