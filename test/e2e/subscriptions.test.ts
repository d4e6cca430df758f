import { Webhook } from 'standardwebhooks';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  OTHER_AGENCY,
  orderBody,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';
import { type AgencyCall, type AgencyReceiver, startAgencyReceiver } from './subscription-receiver';

interface SubscriptionView {
  id: string;
  url: string;
  events: string[];
  status: 'active' | 'disabled';
  disabledAt: string | null;
  lastDelivery: { event: string; httpStatus: number | null } | null;
}
interface Created {
  subscription: SubscriptionView;
  secret: string;
}

const created: string[] = [];
const receivers: { close(): Promise<void> }[] = [];

async function subscribe(url: string, events?: string[]): Promise<Created> {
  const response = await api<Created>('POST', '/v1/subscriptions', { as: AGENCY, body: { url, events } });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  created.push(response.body.subscription.id);
  return response.body;
}

const verifies = (secret: string, call: AgencyCall): boolean => {
  try {
    new Webhook(secret).verify(call.raw, call.headers as Record<string, string>);
    return true;
  } catch {
    return false;
  }
};

afterAll(async () => {
  for (const id of created) await api('DELETE', `/v1/subscriptions/${id}`, { as: AGENCY });
  for (const receiver of receivers) await receiver.close();
});

describe('agency subscriptions through HTTP on the local cloud', () => {
  it('refuses unknown events and unsafe URLs, and keeps each agency to its own subscriptions', async () => {
    const unknown = await api<{ errors: { field: string; message: string }[] }>('POST', '/v1/subscriptions', {
      as: AGENCY,
      body: { url: 'http://127.0.0.1:9/x', events: ['takedown.served', 'takedown.nope'] },
    });
    expect(unknown.status).toBe(422);
    expect(unknown.body.errors).toEqual([{ field: 'events', message: 'unknown event "takedown.nope"' }]);
    const unsafe = await api<{ errors: { field: string }[] }>('POST', '/v1/subscriptions', {
      as: AGENCY,
      body: { url: 'http://10.0.0.7/hook' },
    });
    expect(unsafe.status).toBe(422);
    expect(unsafe.body.errors.map((error) => error.field)).toEqual(['url']);

    const mine = await subscribe('http://127.0.0.1:9/mine', ['takedown.order_final']);
    expect(mine.secret).toMatch(/^whsec_/);
    const asOther = await api('GET', `/v1/subscriptions/${mine.subscription.id}`, { as: OTHER_AGENCY });
    expect(asOther.status).toBe(404);
    expect(
      (await api('DELETE', `/v1/subscriptions/${mine.subscription.id}`, { as: OTHER_AGENCY })).status,
    ).toBe(404);
    const otherList = await api<{ subscriptions: SubscriptionView[] }>('GET', '/v1/subscriptions', {
      as: OTHER_AGENCY,
    });
    expect(otherList.body.subscriptions.map((view) => view.id)).not.toContain(mine.subscription.id);
    const myList = await api<{ subscriptions: SubscriptionView[] }>('GET', '/v1/subscriptions', {
      as: AGENCY,
    });
    expect(myList.body.subscriptions.find((view) => view.id === mine.subscription.id)).toEqual(
      mine.subscription,
    );
    expect(JSON.stringify(myList.body)).not.toContain(mine.secret);

    expect((await api('DELETE', `/v1/subscriptions/${mine.subscription.id}`, { as: AGENCY })).status).toBe(
      204,
    );
    expect((await api('GET', `/v1/subscriptions/${mine.subscription.id}`, { as: AGENCY })).status).toBe(404);
  });

  it("delivers the order's events signed, filtered by events, retried once, and a 410 disables", async () => {
    const agency: AgencyReceiver = await startAgencyReceiver();
    receivers.push(agency);
    const { platformId, receiver: platform } = await startRegisteredPlatform();
    receivers.push(platform);
    const body = orderBody({ platformId }, 2);
    const reference = String(body.reference);
    // Other tests' orders of the same agency reach these endpoints too: only this order's calls count.
    const ours = (path: string) =>
      agency.calls.filter((call) => call.path === path && call.body.data.order.reference === reference);
    let flakyFailed = false;
    agency.answer = (call) => {
      if (call.path === '/gone') return 410;
      if (call.path === '/flaky' && call.body.data.order.reference === reference && !flakyFailed) {
        flakyFailed = true;
        return 503;
      }
      return 200;
    };
    const all = await subscribe(`${agency.baseUrl}/all`);
    const finalOnly = await subscribe(`${agency.baseUrl}/final`, ['takedown.served', 'takedown.order_final']);
    const gone = await subscribe(`${agency.baseUrl}/gone`);
    const flaky = await subscribe(`${agency.baseUrl}/flaky`, ['takedown.served']);

    const submitted = await submitOrder(body);
    expect(submitted.status).toBe(201);
    const orderId = submitted.body.id;
    const requested = await waitFor(
      () => platform.received.find((webhook) => webhook.type === 'takedown.requested'),
      { what: 'takedown.requested at the platform' },
    );
    await platform.answer(
      orderId,
      requested.body.data.items.map((item) => ({ itemId: item.id, outcome: 'removed' })),
    );
    await waitForOrder(orderId, (order) => order.status === 'complied', { what: 'complied' });

    // Each event runs its own delivery: they arrive in any order.
    const expected = [
      'takedown.complied',
      'takedown.items_answered',
      'takedown.notified',
      'takedown.order_final',
      'takedown.served',
    ];
    const typesAt = (path: string) =>
      ours(path)
        .map((call) => call.body.type)
        .sort();
    await waitFor(() => typesAt('/all').length >= expected.length, { what: 'five events at /all' });
    expect(typesAt('/all')).toEqual(expected);
    for (const call of ours('/all')) {
      expect(call.body.data.order.id).toBe(orderId);
      expect(verifies(all.secret, call), call.body.type).toBe(true);
      expect(verifies(finalOnly.secret, call), call.body.type).toBe(false);
    }
    const final = ours('/all').find((call) => call.body.type === 'takedown.order_final');
    expect(final?.body.data).toMatchObject({
      order: { id: orderId, status: 'complied' },
      detail: { agencyId: AGENCY, status: 'complied', itemCounts: { total: 2, resolved: 2 } },
    });

    await waitFor(() => ours('/final').some((call) => call.body.type === 'takedown.order_final'), {
      what: 'takedown.order_final at /final',
    });
    expect(
      ours('/final')
        .map((call) => call.body.type)
        .sort(),
    ).toEqual(['takedown.order_final', 'takedown.served']);
    expect(ours('/final').every((call) => verifies(finalOnly.secret, call))).toBe(true);

    // 503 first, then the retry on the fast schedule (1 s later) with the same webhook-id.
    const flakyCalls = await waitFor(() => (ours('/flaky').length >= 2 ? ours('/flaky') : undefined), {
      what: 'the retry at /flaky',
    });
    expect(flakyCalls.map((call) => call.headers['webhook-id'])).toEqual([
      flakyCalls[0]?.headers['webhook-id'],
      flakyCalls[0]?.headers['webhook-id'],
    ]);
    expect(flakyCalls.every((call) => verifies(flaky.secret, call))).toBe(true);

    const disabled = await api<SubscriptionView>('GET', `/v1/subscriptions/${gone.subscription.id}`, {
      as: AGENCY,
    });
    expect(disabled.body).toMatchObject({ status: 'disabled', lastDelivery: { httpStatus: 410 } });
    expect(disabled.body.disabledAt).not.toBeNull();
    // Disabled at its first call (this order's first events or another test's): this order's last event, long
    // after, never went out to it, and nothing was retried.
    const goneCalls = agency.calls.filter((call) => call.path === '/gone');
    expect(
      goneCalls.map((call) => call.body.data.order.reference === reference && call.body.type),
    ).not.toContain('takedown.order_final');
    expect(new Set(goneCalls.map((call) => call.headers['webhook-id'])).size).toBe(goneCalls.length);
  });
});
