import type { APIGatewayProxyResult } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverWebhook } from '../../../functions/src/use-cases/deliver-webhook';
import { type InMemoryIdempotency, type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, signedAnswer, submit } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

let world: TestWorld;
let handlers: Awaited<ReturnType<typeof handlersOver>>;

beforeEach(async () => {
  world = testWorld();
  handlers = await handlersOver(world);
});

const problemType = (response: APIGatewayProxyResult): string => {
  expect(response.headers?.['content-type']).toBe('application/problem+json');
  return (JSON.parse(response.body) as { type: string }).type;
};

/** A registered platform and an order it was notified of; answers are signed with its response secret. */
async function notifiedOrder(itemCount = 1) {
  const secrets = await registerMichat(world);
  const order = await submit(world, orderBody({}, itemCount));
  await deliverWebhook(world.deps, { orderId: order.id, noticeId: '000001' });
  return { secrets, orderId: order.id };
}

describe('submit-order handler', () => {
  it('stores the order, starts the execution named by the order id and answers 201 with its location', async () => {
    await registerMichat(world);
    const body = {
      platformId: 'michat',
      category: 'terrorism',
      legalBasis: ['UU ITE'],
      reason: 'Propaganda',
      reference: 'R-9',
      items: [
        { kind: 'url', locator: 'https://michat.example/p/1' },
        { kind: 'account', locator: '@recruiter' },
      ],
    };
    const response = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'abc' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(201);
    const view = JSON.parse(response.body) as {
      id: string;
      urgency: string;
      status: string;
      items: unknown[];
    };
    expect(view).toMatchObject({ urgency: 'urgent', status: 'notifying' });
    expect(view.items).toHaveLength(2);
    expect(response.headers?.location).toBe(`/v1/takedown-requests/${view.id}`);
    expect(world.orders.orders.get(view.id)?.agencyId).toBe('komdigi-ais');
    expect(world.orders.items.get(view.id)?.size).toBe(2);
    expect(world.workflow.started).toEqual([view.id]);
    expect((world.deps.idempotency as InMemoryIdempotency).records.has('komdigi-ais#abc')).toBe(true);
    const retry = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'abc' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(retry.statusCode).toBe(201);
    expect(JSON.parse(retry.body)).toEqual(view);
  });

  it('answers 422 naming platformId for an unknown platform', async () => {
    const body = {
      platformId: 'nope',
      category: 'fraud',
      legalBasis: ['x'],
      reason: 'r',
      reference: 'r',
      items: [{ kind: 'url', locator: 'u' }],
    };
    const response = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'k' },
        body: JSON.stringify(body),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(422);
    expect(JSON.parse(response.body).errors).toEqual([
      { field: 'platformId', message: 'is not a registered platform' },
    ]);
  });
});

describe('read-orders handler', () => {
  it("answers 404 for another agency's order", async () => {
    await registerMichat(world);
    const order = await submit(world, orderBody(), 'k', 'bpom');
    const response = await handlers.read(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: order.id },
        scope: 'takedown/read',
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(404);
    expect(problemType(response)).toBe('https://tenggat.dev/problems/not-found');
  });

  it('answers 404 without touching the table for an id that cannot be a key', async () => {
    const getOrder = vi.spyOn(world.orders, 'getOrder');
    const response = await handlers.read(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: 'x'.repeat(3_000) },
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(404);
    expect(getOrder).not.toHaveBeenCalled();
  });

  it('answers 400 for a forged cursor and 422 for a bad limit, never 500', async () => {
    const forged = await handlers.read(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query: { cursor: 'not-base64-json' } }),
      lambdaContext,
    );
    expect(forged.statusCode).toBe(400);
    expect(problemType(forged)).toBe('https://tenggat.dev/problems/bad-request');
    const badLimit = await handlers.read(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query: { limit: 'many' } }),
      lambdaContext,
    );
    expect(badLimit.statusCode).toBe(422);
  });

  it('hides internals behind a 500 problem when the store fails', async () => {
    world.orders.getOrder = async () => {
      throw new Error('ProvisionedThroughputExceeded at table arn:aws:dynamodb:secret');
    };
    const response = await handlers.read(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests/{id}', pathParameters: { id: 'order-1' } }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/arn:aws/);
    expect(problemType(response)).toBe('https://tenggat.dev/problems/internal');
  });
});

describe('routing', () => {
  it('answers 404 for a method or resource outside the function’s route table', async () => {
    const misrouted = [
      handlers.read(apiEvent({ method: 'POST', resource: '/v1/takedown-requests' }), lambdaContext),
      handlers.read(
        apiEvent({ method: 'GET', resource: '/v1/takedown-requests/{id}/secrets' }),
        lambdaContext,
      ),
      handlers.submit(apiEvent({ method: 'GET', resource: '/v1/takedown-requests' }), lambdaContext),
      handlers.operator(
        apiEvent({
          method: 'DELETE',
          resource: '/v1/platforms',
          clientId: OPERATOR_CLIENT,
          scope: 'takedown/admin',
        }),
        lambdaContext,
      ),
    ];
    for (const response of await Promise.all(misrouted)) {
      expect(response.statusCode).toBe(404);
      expect(problemType(response)).toBe('https://tenggat.dev/problems/not-found');
    }
  });
});

describe('workflow-step handler', () => {
  it('throws OrderChanged (by name, for the state machine to catch) when the version moved', async () => {
    const { orderId } = await notifiedOrder();
    const version = (await world.orders.getOrder(orderId))?.version ?? 0;
    await expect(
      handlers.step(
        {
          action: 'registerWait',
          orderId,
          taskToken: 't',
          version: version - 1,
          evaluatedAt: world.clock.now().toISOString(),
        },
        lambdaContext,
      ),
    ).rejects.toMatchObject({ name: 'OrderChanged' });
  });

  it('evaluates an order and reports how long to wait, warning of the deadline first', async () => {
    const { orderId } = await notifiedOrder();
    world.clock.advance(23 * 3_600_000);
    expect(await handlers.step({ action: 'evaluate', orderId }, lambdaContext)).toMatchObject({
      next: 'warn',
    });
    // Past 90 % of the 24 h: one warning (the latest fraction), not one for each fraction passed.
    expect(await handlers.step({ action: 'warn', orderId }, lambdaContext)).toMatchObject({
      warned: true,
      warning: { stage: 'order', fraction: 0.9, openItems: 1 },
      noticeId: '000002',
    });
    expect(await handlers.step({ action: 'evaluate', orderId }, lambdaContext)).toMatchObject({
      next: 'deliver',
      noticeId: '000002',
    });
    await handlers.deliver({ orderId, noticeId: '000002' }, lambdaContext);
    const result = await handlers.step({ action: 'evaluate', orderId }, lambdaContext);
    expect(result).toMatchObject({ next: 'wait', noticeId: null, waitSeconds: 3_600 });
  });

  it('refuses an unknown action', async () => {
    await expect(handlers.step({ action: 'explode', orderId: 'o' }, lambdaContext)).rejects.toMatchObject({
      name: 'InvalidWorkflowInputError',
    });
  });
});

describe('deliver-webhook handler', () => {
  it('cancels a notice of a withdrawn order without calling the platform', async () => {
    await registerMichat(world);
    const order = await submit(world);
    const marker = world.orders.orders.get(order.id);
    if (marker) marker.status = 'withdrawn';
    const result = await handlers.deliver({ orderId: order.id, noticeId: '000001' }, lambdaContext);
    expect(result).toEqual({ outcome: 'skipped', noticeId: '000001' });
    expect(world.endpoint.received).toHaveLength(0);
    expect((await world.orders.getNotice(order.id, '000001'))?.webhook.state).toBe('cancelled');
  });

  it('delivers a notice and reports it', async () => {
    await registerMichat(world);
    const order = await submit(world);
    const result = await handlers.deliver({ orderId: order.id, noticeId: '000001' }, lambdaContext);
    expect(result).toEqual({ outcome: 'delivered', noticeId: '000001' });
    expect(world.endpoint.received).toHaveLength(1);
  });

  it('refuses input that does not name one notice', async () => {
    for (const input of [
      { orderId: 'order-1', event: 'takedown.requested', attempt: 0 },
      { orderId: 'order-1', noticeId: '1' },
    ]) {
      await expect(handlers.deliver(input, lambdaContext)).rejects.toMatchObject({
        name: 'InvalidDeliveryInputError',
      });
    }
  });
});

describe('platform-responses handler', () => {
  it('verifies the signature, applies the answer, wakes the wait and publishes it', async () => {
    const { secrets, orderId } = await notifiedOrder();
    const version = (await world.orders.getOrder(orderId))?.version ?? 0;
    await world.orders.storeTaskToken(orderId, version, 'wait-token');
    const signed = signedAnswer(
      secrets.responseSecret,
      { takedownRequestId: orderId, items: [{ itemId: '000001', outcome: 'removed' }] },
      'msg_answer_1',
    );
    const response = await handlers.responses(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms/{platformId}/responses',
        pathParameters: { platformId: 'michat' },
        clientId: null,
        headers: signed.headers,
        body: signed.rawBody,
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body).results).toEqual([{ itemId: '000001', result: 'applied' }]);
    expect(world.orders.items.get(orderId)?.get('000001')?.status).toBe('resolved');
    expect(world.workflow.woken).toEqual([{ taskToken: 'wait-token', output: { changed: 'answers' } }]);
    expect(world.published.map((event) => event.type)).toContain('takedown.items_answered');
  });

  it('refuses a webhook-id longer than 200 characters with 400 once the signature holds', async () => {
    const { secrets, orderId } = await notifiedOrder();
    const signed = signedAnswer(
      secrets.responseSecret,
      { takedownRequestId: orderId, items: [{ itemId: '000001', outcome: 'removed' }] },
      `msg_${'x'.repeat(200)}`,
    );
    const response = await handlers.responses(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms/{platformId}/responses',
        pathParameters: { platformId: 'michat' },
        clientId: null,
        headers: signed.headers,
        body: signed.rawBody,
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(400);
    expect(problemType(response)).toBe('https://tenggat.dev/problems/bad-request');
  });
});

describe('withdraw-order handler', () => {
  it('withdraws, clears the stored task token and wakes the workflow, keeping the officer apart', async () => {
    const { orderId } = await notifiedOrder();
    const version = (await world.orders.getOrder(orderId))?.version ?? 0;
    await world.orders.storeTaskToken(orderId, version, 'wait-token');
    const response = await handlers.withdraw(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/withdrawal',
        pathParameters: { id: orderId },
        body: JSON.stringify({ reason: 'Court order lifted', officer: 'Rina S.' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ status: 'withdrawn' });
    expect(world.orders.orders.get(orderId)).toMatchObject({ status: 'withdrawn', taskToken: null });
    const audit = world.orders.audit.get(orderId)?.find((event) => event.action === 'order_withdrawn');
    // The officer's name and the free-text reason are personal data: held apart from the chained fields.
    expect(audit).toMatchObject({
      actor: { kind: 'agency', id: AGENCY },
      personalData: { officer: 'Rina S.', details: { reason: 'Court order lifted' } },
    });
    expect(audit?.actor).not.toHaveProperty('officer');
    expect(audit?.details).not.toHaveProperty('reason');
    expect(world.workflow.woken).toEqual([{ taskToken: 'wait-token', output: { changed: 'withdrawal' } }]);
  });

  it('answers 409 for an order that is already final, changing nothing', async () => {
    const { orderId } = await notifiedOrder();
    const marker = world.orders.orders.get(orderId);
    if (marker) marker.status = 'complied';
    const commit = vi.spyOn(world.orders, 'commit');
    const response = await handlers.withdraw(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/withdrawal',
        pathParameters: { id: orderId },
        body: JSON.stringify({ reason: 'late' }),
      }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(409);
    expect(commit).not.toHaveBeenCalled();
    expect(world.workflow.woken).toHaveLength(0);
  });
});

describe('operator handler', () => {
  it('registers a platform: secrets to the secret store only, both to the caller once, never cached', async () => {
    const response = await handlers.operator(
      apiEvent({
        method: 'POST',
        resource: '/v1/platforms',
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
        body: JSON.stringify({
          id: 'michat',
          name: 'MiChat',
          webhookUrl: 'https://93.184.216.34/hooks',
          contactEmail: 'legal@michat.example',
        }),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(201);
    const body = JSON.parse(response.body) as { notificationSecret: string; responseSecret: string };
    expect(body.notificationSecret).toMatch(/^whsec_/);
    expect(world.secrets.secrets.get('michat')?.current.responseSecret).toBe(body.responseSecret);
    expect(JSON.stringify(world.platforms.platforms.get('michat'))).not.toContain('whsec_');
    expect(response.headers?.['cache-control']).toBe('no-store');
  });

  it('refuses agency tokens without the admin scope, reading nothing', async () => {
    const list = vi.spyOn(world.platforms, 'list');
    const response = await handlers.operator(
      apiEvent({ method: 'GET', resource: '/v1/platforms', scope: 'takedown/read takedown/write' }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(403);
    expect(list).not.toHaveBeenCalled();
  });

  it('signs the redelivered order with the operator named in AGENCY_CLIENTS', async () => {
    await registerMichat(world);
    world.endpoint.statuses.push({ status: 503 });
    const submitted = await submit(world);
    await deliverWebhook(world.deps, { orderId: submitted.id, noticeId: '000001' });
    const order = await world.orders.getOrder(submitted.id);
    if (!order) throw new Error('no order');
    const response = await handlers.operator(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests/{id}/redelivery',
        pathParameters: { id: order.orderId },
        clientId: OPERATOR_CLIENT,
        scope: 'takedown/admin',
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(202);
    const audit = world.orders.audit.get(order.orderId)?.at(-1);
    expect(audit).toMatchObject({
      action: 'redelivery_requested',
      actor: { kind: 'operator', id: 'tenggat-operator' },
    });
  });
});

describe('read-orders handler for operators', () => {
  const asOperator = { clientId: OPERATOR_CLIENT, scope: 'takedown/read takedown/admin' };

  it('lets an operator read any agency’s order, its items and its audit trail', async () => {
    const { orderId } = await notifiedOrder();
    for (const resource of [
      '/v1/takedown-requests/{id}',
      '/v1/takedown-requests/{id}/items',
      '/v1/takedown-requests/{id}/audit',
    ]) {
      const response = await handlers.read(
        apiEvent({ method: 'GET', resource, pathParameters: { id: orderId }, ...asOperator }),
        lambdaContext,
      );
      expect(response.statusCode, `${resource}: ${response.body}`).toBe(200);
    }
  });

  it('lists one agency’s orders for an operator, and every agency’s when none is given', async () => {
    await notifiedOrder();
    world.clock.advance(1_000);
    await submit(world, orderBody({ reference: 'POLRI/1' }), 'key-polri', 'polri-siber');
    const listed = await handlers.read(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests',
        query: { agencyId: AGENCY },
        ...asOperator,
      }),
      lambdaContext,
    );
    expect(listed.statusCode, listed.body).toBe(200);
    expect(JSON.parse(listed.body).items).toHaveLength(1);
    const unnamed = await handlers.read(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', ...asOperator }),
      lambdaContext,
    );
    expect(unnamed.statusCode, unnamed.body).toBe(200);
    const agencies = (JSON.parse(unnamed.body) as { items: { agencyId: string }[] }).items.map(
      (o) => o.agencyId,
    );
    expect(agencies).toEqual(['polri-siber', AGENCY]);
  });

  it('refuses an agency that asks for another agency’s list', async () => {
    const response = await handlers.read(
      apiEvent({ method: 'GET', resource: '/v1/takedown-requests', query: { agencyId: 'polri-siber' } }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(403);
  });
});
