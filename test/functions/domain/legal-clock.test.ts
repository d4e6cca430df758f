import { describe, expect, it } from 'vitest';
import { accruedFine } from '../../../functions/src/domain/fines';
import {
  pauseForClarification,
  resumeAfterClarification,
  runningMs,
  serve,
} from '../../../functions/src/domain/legal-clock';
import { DEFAULT_POLICY } from '../policy-fixture';

const t0 = new Date('2026-12-01T08:00:00.000Z');
const hours = (n: number) => new Date(t0.getTime() + n * 3600_000);
const base = { policy: DEFAULT_POLICY, urgency: 'standard' as const, servedAt: null, notifiedAt: null };

describe('service', () => {
  it('by webhook starts the deadline and records the first acknowledgement', () => {
    expect(serve(base, 'webhook', t0)).toEqual({
      notifiedAt: t0.toISOString(),
      servedAt: t0.toISOString(),
      servedVia: 'webhook',
      deadlineAt: hours(24).toISOString(),
      stageHistory: [{ stage: 'order', at: t0.toISOString(), deadlineAt: hours(24).toISOString() }],
    });
  });

  it('by email starts the deadline without a webhook acknowledgement; a later webhook success changes no deadline', () => {
    const byEmail = serve(base, 'email', t0);
    expect(byEmail).toMatchObject({ servedVia: 'email', deadlineAt: hours(24).toISOString() });
    expect(byEmail).not.toHaveProperty('notifiedAt');
    const later = serve({ ...base, servedAt: t0.toISOString() }, 'webhook', hours(2));
    expect(later).toEqual({ notifiedAt: hours(2).toISOString() });
    expect(
      serve({ ...base, servedAt: t0.toISOString(), notifiedAt: t0.toISOString() }, 'webhook', hours(3)),
    ).toBe(null);
  });
});

describe('clarifications', () => {
  it('stop the clock and void the deadline, and the answer received restarts the full stage time', () => {
    const paused = pauseForClarification({ clarifications: [], clockPauses: [] }, 'Which account?', hours(1));
    expect(paused).toMatchObject({ deadlineAt: null, clockPausedSince: hours(1).toISOString() });
    expect(paused.clarification).toMatchObject({ seq: 1, question: 'Which account?', answer: null });
    const answered = {
      ...paused.clarification,
      answer: 'michat:judi_88',
      answeredAt: hours(5).toISOString(),
    };
    const resumed = resumeAfterClarification(
      {
        policy: DEFAULT_POLICY,
        urgency: 'standard',
        stage: 'order',
        clarification: answered as NonNullable<typeof paused.clarification>,
        clarifications: [],
        clockPauses: paused.clockPauses,
      },
      hours(6),
    );
    expect(resumed?.deadlineAt).toBe(hours(30).toISOString());
    expect(resumed?.clockPauses).toEqual([{ from: hours(1).toISOString(), to: hours(6).toISOString() }]);
    expect(resumed?.clarifications[0]?.receivedAt).toBe(hours(6).toISOString());
    expect(resumed?.clarification).toBeNull();
  });

  it('cannot resume before the agency answered', () => {
    const paused = pauseForClarification({ clarifications: [], clockPauses: [] }, 'Which account?', hours(1));
    expect(
      resumeAfterClarification(
        { policy: DEFAULT_POLICY, urgency: 'standard', stage: 'order', clarifications: [], ...paused },
        hours(2),
      ),
    ).toBeNull();
  });
});

describe('fines over a paused clock', () => {
  it('count only the time the clock ran', () => {
    const pauses = [{ from: hours(10).toISOString(), to: hours(58).toISOString() }];
    expect(runningMs(t0, hours(60), pauses)).toBe(12 * 3600_000);
    // Daily accrual: without the pause 3 periods have started, with it only 1.
    expect(accruedFine(DEFAULT_POLICY, t0, hours(60), [])).toBe(3 * 5_000_000);
    expect(accruedFine(DEFAULT_POLICY, t0, hours(60), pauses)).toBe(5_000_000);
  });

  it('treat an open pause as lasting until now', () => {
    expect(runningMs(t0, hours(5), [{ from: hours(2).toISOString(), to: null }])).toBe(2 * 3600_000);
  });
});
