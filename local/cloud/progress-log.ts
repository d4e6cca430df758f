/**
 * The progress log of `npm start`: one readable line per step of each order, made from the API's answers to new
 * orders and the domain events the functions put on the bus, e.g.
 * `12:01:03 order 01J… (komdigi-ais → michat-sandbox) delivered takedown.requested; deadline 12:01:09`.
 * Times are UTC (HH:MM:SS, with the date when a deadline falls on another day), as the API's timestamps are.
 */
import { formatEventLine, type RecordedBusEvent } from './eventbridge';

export interface OrderParties {
  agencyId?: string;
  platformId?: string;
}

export interface ProgressStep {
  at: Date;
  orderId: string;
  parties: OrderParties;
  /** What happened, e.g. `delivered takedown.requested`. */
  what: string;
  /** The deadline that runs after this step, when there is one. */
  deadlineAt?: string | null;
}

const clock = (value: Date) => value.toISOString().slice(11, 19);

export function formatProgressLine(step: ProgressStep): string {
  const parties =
    step.parties.agencyId || step.parties.platformId
      ? ` (${step.parties.agencyId ?? '?'} → ${step.parties.platformId ?? '?'})`
      : '';
  let deadline = '';
  if (step.deadlineAt && !Number.isNaN(Date.parse(step.deadlineAt))) {
    const due = new Date(step.deadlineAt);
    // A deadline on another day (the default policy's 24 h) needs its date to be read right.
    const sameDay = due.toISOString().slice(0, 10) === step.at.toISOString().slice(0, 10);
    deadline = `; deadline ${sameDay ? '' : `${due.toISOString().slice(0, 10)} `}${clock(due)}`;
  }
  return `${clock(step.at)} order ${step.orderId}${parties} ${step.what}${deadline}`;
}

interface EventDetail {
  orderId?: unknown;
  platformId?: unknown;
  agencyId?: unknown;
  deadlineAt?: unknown;
  stage?: unknown;
  pending?: unknown;
  applied?: unknown;
  itemCounts?: { total?: unknown; pending?: unknown; resolved?: unknown; disputed?: unknown };
  decision?: unknown;
  disputed?: unknown;
  reason?: unknown;
  servedVia?: unknown;
  seq?: unknown;
  how?: unknown;
  previousStatus?: unknown;
  event?: unknown;
  emailed?: unknown;
  fraction?: unknown;
  openItems?: unknown;
}

const ESCALATIONS: Record<string, string> = {
  'takedown.reminder': 'ST1',
  'takedown.fine_notice': 'ST2',
  'takedown.blocking_referral': 'ST3',
};

const FINAL_STATUSES = ['complied', 'complied_late', 'referred_for_blocking'];

const count = (value: unknown) =>
  typeof value === 'number' ? value : Array.isArray(value) ? value.length : '?';

/**
 * What a domain event means for its order; undefined when it is not an order's step (printed raw), null for a step
 * another line already tells.
 */
export function describeDomainEvent(
  event: Pick<RecordedBusEvent, 'detailType' | 'detail'>,
): { what: string; deadlineAt?: string | null } | undefined | null {
  const detail = (event.detail ?? {}) as EventDetail;
  const deadlineAt = typeof detail.deadlineAt === 'string' ? detail.deadlineAt : null;
  const type = event.detailType;
  const escalation = ESCALATIONS[type];
  if (escalation) {
    return { what: `escalated to ${escalation}, ${count(detail.pending)} item(s) open: ${type}`, deadlineAt };
  }
  const counts = detail.itemCounts;
  switch (type) {
    case 'takedown.served':
      return detail.servedVia === 'email'
        ? { what: 'served by email (the webhook did not succeed within the grace period)', deadlineAt }
        : { what: 'delivered takedown.requested', deadlineAt };
    case 'takedown.notified':
      // The service line already says it; a webhook that recovers after an email service adds nothing.
      return null;
    case 'takedown.clarification_requested':
      return { what: `platform asked for clarification #${String(detail.seq ?? '?')}; the clock is paused` };
    case 'takedown.clarified':
      return {
        what: `agency answered clarification #${String(detail.seq ?? '?')}; the clock restarts on receipt`,
      };
    case 'order.execution_recovered':
      return {
        what: `execution recovered (${String(detail.how ?? '?')}, was ${String(detail.previousStatus ?? '?')})`,
      };
    case 'takedown.items_answered':
      return {
        what: `platform answered ${count(detail.applied)} item(s); ${count(counts?.resolved)}/${count(counts?.total)} resolved, ${count(counts?.pending)} pending, ${count(counts?.disputed)} disputed`,
      };
    case 'takedown.review_decided':
      return { what: `agency review: ${String(detail.decision ?? 'decided')}` };
    case 'takedown.deadline_approaching': {
      const share = typeof detail.fraction === 'number' ? `${Math.round(detail.fraction * 100)}%` : '?';
      return {
        what: `deadline warning (${share} of the ${String(detail.stage ?? '?')} time gone), ${count(detail.openItems)} item(s) open`,
        deadlineAt,
      };
    }
    case 'takedown.review_reminder':
      return { what: `review reminder: ${count(detail.disputed)} disputed item(s) wait for the agency` };
    case 'takedown.withdrawn':
      return { what: 'withdrawn by the agency' };
    case 'takedown.referred_for_blocking':
      // Both the ST3 escalation (for enforcement systems) and the final status carry this type.
      return { what: counts ? 'finished: referred_for_blocking' : 'referred for blocking' };
    case 'platform.undeliverable':
      return {
        what: `webhook failing: ${String(detail.event ?? 'notice')} ${detail.emailed === false ? 'could not be emailed either' : 'sent by email'}; operators alerted`,
      };
    default:
      if (type.startsWith('takedown.') && FINAL_STATUSES.includes(type.slice('takedown.'.length)))
        return { what: `finished: ${type.slice('takedown.'.length)}` };
      return type.startsWith('takedown.') ? { what: type } : undefined;
  }
}

/**
 * A new order from one API call (the proxy event and the function's proxy result), or undefined for any other
 * call. Answers with `201` to `POST .../v1/takedown-requests` carry the order; a `202` carries a large order whose
 * items are still being written in the background.
 */
export function describeSubmission(
  request: string,
  response: string,
): { orderId: string; parties: OrderParties; what: string; at: Date } | undefined {
  try {
    const event = JSON.parse(request) as { httpMethod?: string; path?: string };
    if (event.httpMethod !== 'POST' || !event.path?.replace(/\/+$/, '').endsWith('/v1/takedown-requests'))
      return undefined;
    const result = JSON.parse(response) as { statusCode?: number; body?: string };
    const accepted = result.statusCode === 202;
    if ((result.statusCode !== 201 && !accepted) || typeof result.body !== 'string') return undefined;
    const order = JSON.parse(result.body) as {
      id?: unknown;
      agencyId?: unknown;
      platformId?: unknown;
      urgency?: unknown;
      createdAt?: unknown;
      itemCounts?: { total?: unknown };
    };
    if (typeof order.id !== 'string') return undefined;
    const createdAt = typeof order.createdAt === 'string' ? Date.parse(order.createdAt) : Number.NaN;
    return {
      orderId: order.id,
      parties: {
        ...(typeof order.agencyId === 'string' ? { agencyId: order.agencyId } : {}),
        ...(typeof order.platformId === 'string' ? { platformId: order.platformId } : {}),
      },
      what: `submitted: ${count(order.itemCounts?.total)} item(s), ${String(order.urgency ?? '?')}; ${
        accepted ? 'accepting the items, then notifying the platform' : 'notifying the platform'
      }`,
      at: Number.isNaN(createdAt) ? new Date() : new Date(createdAt),
    };
  } catch {
    return undefined;
  }
}

/** `[email] 12:01:03 to a@x.example, b@y.example: Subject` for one sent email. */
export function formatEmailLine(email: {
  sentAt: string;
  to: string[];
  cc?: string[];
  subject: string;
}): string {
  const at = Number.isNaN(Date.parse(email.sentAt)) ? new Date() : new Date(email.sentAt);
  return `[email] ${clock(at)} to ${[...email.to, ...(email.cc ?? [])].join(', ')}: ${email.subject}`;
}

export interface ProgressLogOptions {
  log: (line: string) => void;
  /** Finds an order's agency and platform (events do not all carry the agency). */
  lookupOrder?: (orderId: string) => Promise<OrderParties | undefined>;
}

export interface ProgressLog {
  /** Feed every recorded bus event; lines come out in the order events went in. */
  onBusEvent(event: RecordedBusEvent): void;
  /** Feed every API call (proxy event and proxy result as JSON); new orders get a line, once each. */
  onApiCall(request: string, response: string): void;
  /** Feed every email the outbox keeps (SES and SNS): one line each. */
  onEmail(email: { sentAt: string; to: string[]; cc?: string[]; subject: string }): void;
  /** Resolves once every line so far was written. */
  flush(): Promise<void>;
}

export function createProgressLog(options: ProgressLogOptions): ProgressLog {
  const parties = new Map<string, OrderParties>();
  const submittedOrders = new Set<string>();
  let queue: Promise<void> = Promise.resolve();

  const partiesOf = async (orderId: string, detail: EventDetail): Promise<OrderParties> => {
    const known = parties.get(orderId) ?? {};
    if (typeof detail.agencyId === 'string') known.agencyId = detail.agencyId;
    if (typeof detail.platformId === 'string') known.platformId = detail.platformId;
    if (!known.agencyId && options.lookupOrder) {
      try {
        Object.assign(known, await options.lookupOrder(orderId));
      } catch {
        // the log line is still worth printing without the agency
      }
    }
    parties.set(orderId, known);
    return known;
  };

  return {
    onBusEvent(event) {
      const detail = (event.detail ?? {}) as EventDetail;
      const described = describeDomainEvent(event);
      const orderId = typeof detail.orderId === 'string' ? detail.orderId : undefined;
      queue = queue.then(async () => {
        if (described === null) return;
        if (!described || !orderId) {
          options.log(formatEventLine(event));
          return;
        }
        const at = Number.isNaN(Date.parse(event.time)) ? new Date() : new Date(event.time);
        options.log(
          formatProgressLine({ at, orderId, parties: await partiesOf(orderId, detail), ...described }),
        );
      });
    },
    onApiCall(request, response) {
      const submitted = describeSubmission(request, response);
      // An idempotent replay answers 201 with the same order: it is not a new step.
      if (!submitted || submittedOrders.has(submitted.orderId)) return;
      submittedOrders.add(submitted.orderId);
      parties.set(submitted.orderId, { ...submitted.parties });
      queue = queue.then(() => options.log(formatProgressLine(submitted)));
    },
    onEmail(email) {
      queue = queue.then(() => options.log(formatEmailLine(email)));
    },
    flush: () => queue,
  };
}
