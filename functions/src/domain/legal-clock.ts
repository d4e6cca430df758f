/**
 * The legal clock of an order: it starts when the order is served (by webhook or by email), it stops while a
 * clarification is open (TCO Art. 3(8)) and runs again, for the full time of the stage, once the platform received
 * the answer. Fines do not accrue while it is stopped. Pure functions over the order's clock fields.
 */
import { deadlineFor, type Stage } from './order-rules';
import type { PolicyDocument, Urgency } from './policy';

export type ServiceChannel = 'webhook' | 'email';

export interface ClockPause {
  from: string;
  /** null while the pause lasts. */
  to: string | null;
}

export interface Clarification {
  seq: number;
  /** null once erased on a lawful request, as is `answer`. */
  question: string | null;
  askedAt: string;
  answer: string | null;
  answeredAt: string | null;
  /** When the platform received the answer (its notice delivered or emailed): the clock runs again from here. */
  receivedAt: string | null;
}

/** The clock fields of an order marker. */
export interface OrderClock {
  urgency: Urgency;
  stage: Stage;
  policy: PolicyDocument;
  servedAt: string | null;
  servedVia: ServiceChannel | null;
  notifiedAt: string | null;
  deadlineAt: string | null;
  clockPausedSince: string | null;
  clockPauses: ClockPause[];
  clarification: Clarification | null;
  clarifications: Clarification[];
}

export interface StageEntry {
  stage: Stage;
  at: string;
  deadlineAt: string | null;
}

/**
 * What serving the order changes: the first service starts the first stage's deadline; a later webhook success
 * after an email service only records `notifiedAt` (the first webhook acknowledgement), never a new deadline.
 */
export function serve(
  clock: Pick<OrderClock, 'policy' | 'urgency' | 'servedAt' | 'notifiedAt'>,
  via: ServiceChannel,
  at: Date,
): {
  servedAt?: string;
  servedVia?: ServiceChannel;
  notifiedAt?: string;
  deadlineAt?: string | null;
  stageHistory?: StageEntry[];
} | null {
  const notified = via === 'webhook' && clock.notifiedAt === null ? { notifiedAt: at.toISOString() } : {};
  if (clock.servedAt !== null) return Object.keys(notified).length === 0 ? null : notified;
  const deadline = deadlineFor(clock.policy, clock.urgency, 'order', at)?.toISOString() ?? null;
  return {
    ...notified,
    servedAt: at.toISOString(),
    servedVia: via,
    deadlineAt: deadline,
    stageHistory: [{ stage: 'order', at: at.toISOString(), deadlineAt: deadline }],
  };
}

export const clockRunning = (clock: Pick<OrderClock, 'servedAt' | 'clockPausedSince'>): boolean =>
  clock.servedAt !== null && clock.clockPausedSince === null;

/** Stops the clock for a clarification request; the deadline is void until the answer is received. */
export function pauseForClarification(
  clock: Pick<OrderClock, 'clarifications' | 'clockPauses'>,
  question: string,
  at: Date,
): Pick<OrderClock, 'clarification' | 'clockPausedSince' | 'clockPauses' | 'deadlineAt'> {
  const iso = at.toISOString();
  return {
    clarification: {
      seq: clock.clarifications.length + 1,
      question,
      askedAt: iso,
      answer: null,
      answeredAt: null,
      receivedAt: null,
    },
    clockPausedSince: iso,
    clockPauses: [...clock.clockPauses, { from: iso, to: null }],
    deadlineAt: null,
  };
}

/** The platform received the answer: the full time of the current stage runs again from `at`. */
export function resumeAfterClarification(
  clock: Pick<
    OrderClock,
    'policy' | 'urgency' | 'stage' | 'clarification' | 'clarifications' | 'clockPauses'
  >,
  at: Date,
): Pick<
  OrderClock,
  'clarification' | 'clarifications' | 'clockPausedSince' | 'clockPauses' | 'deadlineAt'
> | null {
  if (clock.clarification === null || clock.clarification.answer === null) return null;
  const iso = at.toISOString();
  return {
    clarification: null,
    clarifications: [...clock.clarifications, { ...clock.clarification, receivedAt: iso }],
    clockPausedSince: null,
    clockPauses: clock.clockPauses.map((pause) => (pause.to === null ? { ...pause, to: iso } : pause)),
    deadlineAt: deadlineFor(clock.policy, clock.urgency, clock.stage, at)?.toISOString() ?? null,
  };
}

/** Milliseconds of [since, until] during which the clock ran (pauses subtracted). */
export function runningMs(since: Date, until: Date, pauses: readonly ClockPause[]): number {
  const start = since.getTime();
  const end = until.getTime();
  if (end <= start) return 0;
  let paused = 0;
  for (const pause of pauses) {
    const from = Math.max(start, new Date(pause.from).getTime());
    const to = Math.min(end, pause.to === null ? end : new Date(pause.to).getTime());
    if (to > from) paused += to - from;
  }
  return end - start - paused;
}

/**
 * What the platform's receipt of a notice does to the clock: the order itself serves the order (by webhook or
 * email; a later webhook success after an email only records `notifiedAt`); a clarification answer restarts the
 * current stage. Null when it changes nothing; `action` names the audit event.
 */
export function onNoticeReceived(
  clock: OrderClock & { status: string },
  event: string,
  via: ServiceChannel,
  at: Date,
): { set: Record<string, unknown>; action: string; served: boolean } | null {
  if (event === 'takedown.requested') {
    const set = serve(clock, via, at);
    if (set === null) return null;
    const served = set.servedAt !== undefined;
    const status = served && clock.status === 'notifying' ? { status: 'awaiting_platform' } : {};
    // Service by webhook keeps its historic audit name; a webhook success after an email service only acknowledges.
    const action = served
      ? via === 'webhook'
        ? 'platform_notified'
        : 'served_by_email'
      : 'webhook_acknowledged';
    return { set: { ...set, ...status }, action, served };
  }
  if (event === 'takedown.clarified') {
    const set = resumeAfterClarification(clock, at);
    return set === null ? null : { set, action: 'clarification_received', served: false };
  }
  return null;
}
