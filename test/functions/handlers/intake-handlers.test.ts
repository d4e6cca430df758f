import { describe, expect, it } from 'vitest';
import { testWorld } from '../fakes';
import { orderBody, registerMichat } from '../lifecycle-helpers';
import { apiEvent, handlersOver, lambdaContext, setFunctionEnv } from './api-event';

async function intakeHandler(world: ReturnType<typeof testWorld>) {
  setFunctionEnv();
  return (await import('../../../functions/src/handlers/intake-order')).makeHandler(world.deps);
}

describe('the handlers of a large order', () => {
  it('POST answers 202 with the accepting order and its location; GET then shows the progress', async () => {
    const world = testWorld();
    const handlers = await handlersOver(world);
    await registerMichat(world);
    const response = await handlers.submit(
      apiEvent({
        method: 'POST',
        resource: '/v1/takedown-requests',
        headers: { 'Idempotency-Key': 'large-1' },
        body: JSON.stringify(orderBody({}, 1_001)),
      }),
      lambdaContext,
    );
    expect(response.statusCode, response.body).toBe(202);
    const view = JSON.parse(response.body) as { id: string; status: string; itemsAccepted: number };
    expect(view).toMatchObject({ status: 'accepting', itemsAccepted: 0 });
    expect(response.headers?.location).toBe(`/v1/takedown-requests/${view.id}`);

    const [request] = world.intake.take();
    const intake = await intakeHandler(world);
    expect(await intake(request, lambdaContext)).toEqual({ state: 'complete', itemsAccepted: 1_001 });
    const read = await handlers.read(
      apiEvent({
        method: 'GET',
        resource: '/v1/takedown-requests/{id}',
        pathParameters: { id: view.id },
      }),
      lambdaContext,
    );
    expect(JSON.parse(read.body)).toMatchObject({ status: 'notifying', itemsAccepted: 1_001 });
  });

  it('the intake handler refuses a payload that names no order, by name, writing nothing', async () => {
    const world = testWorld();
    const intake = await intakeHandler(world);
    await expect(intake({ from: 0, trigger: 'submit' }, lambdaContext)).rejects.toMatchObject({
      name: 'InvalidIntakeRequestError',
    });
    expect(world.orders.orders.size).toBe(0);
  });
});
