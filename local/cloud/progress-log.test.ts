import { describe, expect, it } from 'vitest';
import type { RecordedBusEvent } from './eventbridge';
import {
  createProgressLog,
  describeDomainEvent,
  describeSubmission,
  formatEmailLine,
  formatProgressLine,
} from './progress-log';

const busEvent = (detailType: string, detail: Record<string, unknown>, time = '2026-11-27T12:01:03Z') =>
  ({
    id: 'e1',
    time,
    eventBusName: 'Tenggat-Events',
    source: 'tenggat.orders',
    detailType,
    detail,
    resources: [],
    receivedAt: time,
  }) satisfies RecordedBusEvent;

describe('formatProgressLine', () => {
  it('writes time, order, agency → platform, the step and the deadline on one line', () => {
    expect(
      formatProgressLine({
        at: new Date('2026-11-27T12:01:03.456Z'),
        orderId: '01JD',
        parties: { agencyId: 'komdigi-ais', platformId: 'michat-sandbox' },
        what: 'delivered takedown.requested',
        deadlineAt: '2026-11-27T12:01:09.000Z',
      }),
    ).toBe(
      '12:01:03 order 01JD (komdigi-ais → michat-sandbox) delivered takedown.requested; deadline 12:01:09',
    );
  });

  it('dates a deadline that falls on another day', () => {
    expect(
      formatProgressLine({
        at: new Date('2026-11-27T20:21:31Z'),
        orderId: 'o',
        parties: {},
        what: 'delivered takedown.requested',
        deadlineAt: '2026-11-28T20:21:31Z',
      }),
    ).toBe('20:21:31 order o delivered takedown.requested; deadline 2026-11-28 20:21:31');
  });

  it('leaves out what it does not know', () => {
    expect(
      formatProgressLine({
        at: new Date('2026-11-27T23:59:59Z'),
        orderId: 'x',
        parties: {},
        what: 'finished: complied',
      }),
    ).toBe('23:59:59 order x finished: complied');
  });
});

describe('describeDomainEvent', () => {
  it('names each step of an order', () => {
    expect(
      describeDomainEvent(
        busEvent('takedown.served', { servedVia: 'webhook', deadlineAt: '2026-11-27T12:01:09Z' }),
      ),
    ).toEqual({
      what: 'delivered takedown.requested',
      deadlineAt: '2026-11-27T12:01:09Z',
    });
    expect(
      describeDomainEvent(busEvent('takedown.fine_notice', { pending: 2, deadlineAt: null }))?.what,
    ).toBe('escalated to ST2, 2 item(s) open: takedown.fine_notice');
    expect(
      describeDomainEvent(
        busEvent('takedown.items_answered', {
          applied: 1,
          itemCounts: { total: 3, pending: 1, resolved: 2, disputed: 0 },
        }),
      )?.what,
    ).toBe('platform answered 1 item(s); 2/3 resolved, 1 pending, 0 disputed');
    expect(
      describeDomainEvent(
        busEvent('takedown.deadline_approaching', {
          stage: 'order',
          fraction: 0.9,
          openItems: 2,
          deadlineAt: '2026-11-27T12:01:09Z',
        }),
      ),
    ).toEqual({
      what: 'deadline warning (90% of the order time gone), 2 item(s) open',
      deadlineAt: '2026-11-27T12:01:09Z',
    });
    expect(describeDomainEvent(busEvent('takedown.complied', {}))?.what).toBe('finished: complied');
    expect(describeDomainEvent(busEvent('takedown.referred_for_blocking', { pending: 2 }))?.what).toBe(
      'referred for blocking',
    );
    expect(
      describeDomainEvent(busEvent('takedown.referred_for_blocking', { itemCounts: { total: 2 } }))?.what,
    ).toBe('finished: referred_for_blocking');
    expect(describeDomainEvent(busEvent('platform.undeliverable', {}))?.what).toContain('operators alerted');
    expect(describeDomainEvent(busEvent('takedown.served', { servedVia: 'email' }))?.what).toContain(
      'served by email',
    );
    expect(describeDomainEvent(busEvent('takedown.notified', {}))).toBeNull();
    expect(describeDomainEvent(busEvent('order.execution_recovered', { how: 'redriven' }))?.what).toContain(
      'recovered (redriven',
    );
    expect(describeDomainEvent(busEvent('aws.other', {}))).toBeUndefined();
  });
});

describe('createProgressLog', () => {
  it('looks the agency up once per order and keeps lines in event order', async () => {
    const lines: string[] = [];
    let lookups = 0;
    const progress = createProgressLog({
      log: (line) => lines.push(line),
      lookupOrder: async () => {
        lookups += 1;
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { agencyId: 'bpom', platformId: 'michat-sandbox' };
      },
    });
    progress.onBusEvent(
      busEvent('takedown.served', { orderId: 'o1', platformId: 'michat-sandbox', servedVia: 'webhook' }),
    );
    progress.onBusEvent(busEvent('takedown.complied', { orderId: 'o1' }, '2026-11-27T12:01:05Z'));
    progress.onBusEvent(busEvent('something.else', { note: 'not an order' }));
    await progress.flush();
    expect(lines[0]).toBe('12:01:03 order o1 (bpom → michat-sandbox) delivered takedown.requested');
    expect(lines[1]).toBe('12:01:05 order o1 (bpom → michat-sandbox) finished: complied');
    expect(lines[2]).toContain('[event]');
    expect(lookups).toBe(1);
  });
});

const submitCall = (statusCode: number, path = '/prod/v1/takedown-requests') => ({
  request: JSON.stringify({ httpMethod: 'POST', path, body: '{}' }),
  response: JSON.stringify({
    statusCode,
    body: JSON.stringify({
      id: 'o9',
      agencyId: 'polri-siber',
      platformId: 'michat-sandbox',
      urgency: 'urgent',
      createdAt: '2026-11-27T12:00:00.000Z',
      itemCounts: { total: 3 },
    }),
  }),
});

describe('describeSubmission', () => {
  it('turns a 201 answer to POST /v1/takedown-requests into the submitted step', () => {
    const call = submitCall(201);
    expect(describeSubmission(call.request, call.response)).toEqual({
      orderId: 'o9',
      parties: { agencyId: 'polri-siber', platformId: 'michat-sandbox' },
      what: 'submitted: 3 item(s), urgent; notifying the platform',
      at: new Date('2026-11-27T12:00:00.000Z'),
    });
  });

  it('turns a 202 (a large order accepted in the background) into the submitted step too', () => {
    const call = submitCall(202);
    expect(describeSubmission(call.request, call.response)?.what).toBe(
      'submitted: 3 item(s), urgent; accepting the items, then notifying the platform',
    );
  });

  it('ignores refused submissions and other routes', () => {
    const refused = submitCall(422);
    expect(describeSubmission(refused.request, refused.response)).toBeUndefined();
    const other = submitCall(201, '/prod/v1/takedown-requests/o9/withdrawal');
    expect(describeSubmission(other.request, other.response)).toBeUndefined();
    expect(describeSubmission('not json', '{}')).toBeUndefined();
  });

  it('logs an idempotent replay of the same order once, and knows its agency afterwards without a lookup', async () => {
    const lines: string[] = [];
    const progress = createProgressLog({
      log: (line) => lines.push(line),
      lookupOrder: async () => {
        throw new Error('no lookup expected');
      },
    });
    const call = submitCall(201);
    progress.onApiCall(call.request, call.response);
    progress.onApiCall(call.request, call.response);
    progress.onBusEvent(
      busEvent('takedown.served', { orderId: 'o9', servedVia: 'webhook' }, '2026-11-27T12:00:01Z'),
    );
    await progress.flush();
    expect(lines).toEqual([
      '12:00:00 order o9 (polri-siber → michat-sandbox) submitted: 3 item(s), urgent; notifying the platform',
      '12:00:01 order o9 (polri-siber → michat-sandbox) delivered takedown.requested',
    ]);
  });
});

describe('email lines', () => {
  it('prints one line per sent email, in order with the other lines', async () => {
    expect(
      formatEmailLine({
        sentAt: '2026-01-02T12:00:05.123Z',
        to: ['a@x.example'],
        cc: ['b@y.example'],
        subject: 'ST1',
      }),
    ).toBe('[email] 12:00:05 to a@x.example, b@y.example: ST1');
    const lines: string[] = [];
    const progress = createProgressLog({ log: (line) => lines.push(line) });
    progress.onEmail({
      sentAt: '2026-01-02T12:00:06Z',
      to: ['ops@example.org'],
      subject: 'AWS Notification Message',
    });
    await progress.flush();
    expect(lines).toEqual(['[email] 12:00:06 to ops@example.org: AWS Notification Message']);
  });
});
