import { beforeEach, describe, expect, it, vi } from 'vitest';
import { type TestWorld, testWorld } from '../fakes';
import { registerMichat, submit } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, OPERATOR_CLIENT } from './api-event';

let world: TestWorld;
let handlers: Awaited<ReturnType<typeof handlersOver>>;

beforeEach(async () => {
  world = testWorld();
  handlers = await handlersOver(world);
});

const asOperator = { clientId: OPERATOR_CLIENT, scope: 'takedown/read takedown/admin' };
const DEFINITION = { StartAt: 'Evaluate', States: { Evaluate: { Type: 'Pass', End: true } } };

async function orderRunning() {
  await registerMichat(world);
  const order = await submit(world);
  const executionArn = world.workflow.executionArnOf(order.id);
  world.executions.record({
    description: {
      executionArn,
      stateMachineArn: 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow',
      name: order.id,
      status: 'RUNNING',
      startDate: new Date('2026-12-01T00:00:00.000Z'),
      stopDate: null,
      redriveCount: 0,
      redriveStatus: null,
    },
    definition: JSON.stringify(DEFINITION),
    events: [
      {
        id: 1,
        previousEventId: 0,
        timestamp: new Date('2026-12-01T00:00:00.000Z'),
        type: 'ExecutionStarted',
        details: { input: '{}' },
      },
      {
        id: 2,
        previousEventId: 1,
        timestamp: new Date('2026-12-01T00:00:01.000Z'),
        type: 'PassStateEntered',
        details: { name: 'Evaluate', input: '{}' },
      },
    ],
  });
  return order.id;
}

const executionEvent = (orderId: string, extra: Partial<Parameters<typeof apiEvent>[0]> = {}) =>
  apiEvent({
    method: 'GET',
    resource: '/v1/takedown-requests/{id}/execution',
    pathParameters: { id: orderId },
    ...extra,
  });

describe('GET /v1/takedown-requests/{id}/execution', () => {
  it('shows an operator the execution: its definition, the state it is in and its events', async () => {
    const orderId = await orderRunning();
    const response = await handlers.operator(executionEvent(orderId, asOperator), lambdaContext);
    expect(response.statusCode, response.body).toBe(200);
    const body = JSON.parse(response.body);
    expect(body).toMatchObject({
      name: orderId,
      status: 'RUNNING',
      stopDate: null,
      redriveCount: 0,
      definition: DEFINITION,
      currentStates: ['Evaluate'],
      visitedStates: ['Evaluate'],
      statesComplete: true,
      nextToken: null,
    });
    expect(body.events[1]).toMatchObject({ type: 'PassStateEntered', stateName: 'Evaluate', input: '{}' });
  });

  it('refuses an agency token with 403, reading nothing', async () => {
    const orderId = await orderRunning();
    const describe = vi.spyOn(world.executions, 'describe');
    const response = await handlers.operator(
      executionEvent(orderId, { scope: 'takedown/read takedown/write' }),
      lambdaContext,
    );
    expect(response.statusCode).toBe(403);
    expect(describe).not.toHaveBeenCalled();
  });

  it('answers 404 with a problem document for an unknown order', async () => {
    const response = await handlers.operator(executionEvent('no-such-order', asOperator), lambdaContext);
    expect(response.statusCode).toBe(404);
    expect(response.headers?.['content-type']).toBe('application/problem+json');
  });

  it('answers 404 saying so for an order whose execution has not started', async () => {
    await registerMichat(world);
    const order = await submit(world);
    const response = await handlers.operator(executionEvent(order.id, asOperator), lambdaContext);
    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body).detail).toMatch(/has no execution yet/);
  });

  it('refuses a page size over 1,000 events', async () => {
    const orderId = await orderRunning();
    const response = await handlers.operator(
      executionEvent(orderId, { ...asOperator, query: { limit: '1001' } }),
      lambdaContext,
    );
    expect([400, 422]).toContain(response.statusCode);
  });
});
