import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  OPERATOR,
  OTHER_AGENCY,
  orderBody,
  SANDBOX_PLATFORM,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForExecutionEnd,
  waitForOrder,
} from './harness';

// The read API the web console calls (issue 9): search by reference and locator, stage filter, every agency for
// operators, and an order's execution with its definition, current state and events.

interface Listed {
  items: {
    id: string;
    agencyId: string;
    reference: string;
    stage: string;
    createdAt: string;
    itemCounts: { total: number; pending: number };
    fine: { currency: string; accrued: number | null };
  }[];
  nextCursor: string | null;
}

interface ExecutionBody {
  executionArn: string;
  name: string;
  status: string;
  redriveCount: number;
  awsConsoleUrl: string;
  deployed: boolean;
  definition: { StartAt: string; States: Record<string, unknown> };
  currentStates: string[];
  visitedStates: string[];
  statesComplete: boolean;
  events: { id: number; type: string; stateName: string | null; input: string | null }[];
  nextToken: string | null;
}

const list = (query: string, as = AGENCY) => api<Listed>('GET', `/v1/takedown-requests?${query}`, { as });
const ids = (body: Listed) => body.items.map((order) => order.id);

describe('the console’s order search', () => {
  it('finds orders by reference and by locator, filters by stage, and lists every agency for an operator', async () => {
    const run = randomBytes(4).toString('hex');
    const reference = `CONSOLE/${run}`;
    const ours = await submitOrder(
      orderBody({
        reference,
        items: [
          { kind: 'url', locator: `https://Example.TEST/${run}/post?b=2&a=1#top` },
          { kind: 'account', locator: `@Seller_${run}` },
        ],
      }),
    );
    expect(ours.status, JSON.stringify(ours.body)).toBe(201);
    const theirs = await submitOrder(orderBody({ reference }), { as: OTHER_AGENCY });
    expect(theirs.status).toBe(201);

    const byReference = await list(`reference=${encodeURIComponent(reference)}`);
    expect(byReference.status, JSON.stringify(byReference.body)).toBe(200);
    expect(ids(byReference.body)).toEqual([ours.body.id]);
    expect(byReference.body.items[0]).toMatchObject({
      agencyId: AGENCY,
      reference,
      itemCounts: { total: 2 },
      fine: { accrued: 0 },
    });
    const operatorByReference = await list(`reference=${encodeURIComponent(reference)}`, OPERATOR);
    expect(ids(operatorByReference.body).sort()).toEqual([ours.body.id, theirs.body.id].sort());

    const byUrl = await list(`locator=${encodeURIComponent(`https://example.test/${run}/post?a=1&b=2`)}`);
    expect(ids(byUrl.body)).toEqual([ours.body.id]);
    const byAccount = await list(`locator=${encodeURIComponent(`seller_${run}`)}`);
    expect(ids(byAccount.body)).toEqual([ours.body.id]);
    expect(ids((await list(`locator=${encodeURIComponent(`seller_${run}`)}`, OTHER_AGENCY)).body)).toEqual(
      [],
    );

    const atSt3 = await list(`reference=${encodeURIComponent(reference)}&stage=st3`);
    expect(ids(atSt3.body)).toEqual([]);
    const unknownStage = await list('stage=st9');
    expect([400, 422]).toContain(unknownStage.status);
    expect(unknownStage.headers.get('content-type')).toContain('application/problem+json');

    // Every agency, newest first: the newest page holds both (nothing else is submitted by this file meanwhile).
    const everyone = await list('limit=100', OPERATOR);
    expect(everyone.status, JSON.stringify(everyone.body)).toBe(200);
    const agencies = new Set(everyone.body.items.map((order) => order.agencyId));
    expect(agencies.has(AGENCY) && agencies.has(OTHER_AGENCY)).toBe(true);
    expect(ids(everyone.body)).toEqual(expect.arrayContaining([ours.body.id, theirs.body.id]));
    const created = everyone.body.items.map((order) => order.createdAt);
    expect(created).toEqual([...created].sort().reverse());
    const foreign = await list(`agencyId=${OTHER_AGENCY}`);
    expect(foreign.status).toBe(403);
  });
});

describe('the console’s execution view', () => {
  it('shows an operator the execution an order runs: definition, the state it waits in, its events', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const orderId = (await submitOrder(orderBody({ platformId }))).body.id;
      await waitForOrder(orderId, (order) => order.servedVia === 'webhook', { what: 'service by webhook' });
      const path = `/v1/takedown-requests/${orderId}/execution`;
      const waiting = await waitFor(
        async () => {
          const response = await api<ExecutionBody>('GET', path, { as: OPERATOR });
          return response.status === 200 && response.body.currentStates.includes('Await')
            ? response
            : undefined;
        },
        { what: 'the execution waiting in Await' },
      );
      expect(waiting.body).toMatchObject({
        name: orderId,
        status: 'RUNNING',
        redriveCount: 0,
        deployed: false,
        statesComplete: true,
      });
      expect(waiting.body.definition.StartAt).toBeTypeOf('string');
      expect(Object.keys(waiting.body.definition.States)).toEqual(
        expect.arrayContaining(['Evaluate', 'DeliverNotice', 'Await']),
      );
      expect(waiting.body.visitedStates).toEqual(
        expect.arrayContaining(['Evaluate', 'DeliverNotice', 'Await']),
      );
      expect(waiting.body.awsConsoleUrl).toContain(`#/v2/executions/details/${waiting.body.executionArn}`);
      expect(waiting.body.events[0]?.type).toBe('ExecutionStarted');
      const entered = waiting.body.events.find((event) => event.type.endsWith('StateEntered'));
      expect(entered?.stateName).toBe(waiting.body.definition.StartAt);

      const paged = await api<ExecutionBody>('GET', `${path}?limit=2`, { as: OPERATOR });
      expect(paged.body.events).toHaveLength(2);
      expect(paged.body.nextToken).not.toBeNull();
      const next = await api<ExecutionBody>(
        'GET',
        `${path}?limit=2&nextToken=${encodeURIComponent(paged.body.nextToken ?? '')}`,
        { as: OPERATOR },
      );
      expect(next.body.events.map((event) => event.id)).toEqual([3, 4]);

      // The gateway's authorizer refuses a token without the admin scope (401, as on AWS); the handler would say 403.
      const asAgency = await api('GET', path, { as: AGENCY });
      expect([401, 403]).toContain(asAgency.status);
      const unknown = await api('GET', `/v1/takedown-requests/${randomBytes(8).toString('hex')}/execution`, {
        as: OPERATOR,
      });
      expect(unknown.status).toBe(404);

      // End the order so that nothing of it runs on after this file.
      const withdrawn = await api('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
        as: AGENCY,
        body: { reason: 'Console test finished' },
      });
      expect(withdrawn.status, JSON.stringify(withdrawn.body)).toBeLessThan(300);
      await waitForExecutionEnd(orderId);
      const ended = await api<ExecutionBody>('GET', path, { as: OPERATOR });
      expect(ended.body.status).toBe('SUCCEEDED');
      expect(ended.body.currentStates).toEqual([]);
    } finally {
      await receiver.close();
    }
  });

  it('shows a finished order’s execution with every state it went through and none current', async () => {
    const done = (await submitOrder(orderBody({ platformId: SANDBOX_PLATFORM }))).body.id;
    await waitForExecutionEnd(done);
    const finished = await api<ExecutionBody>('GET', `/v1/takedown-requests/${done}/execution`, {
      as: OPERATOR,
    });
    expect(finished.body).toMatchObject({ status: 'SUCCEEDED', currentStates: [] });
    expect(finished.body.visitedStates).toEqual(expect.arrayContaining(['Evaluate', 'Finalize']));
  });
});
