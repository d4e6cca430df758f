import { describe, expect, it } from 'vitest';
import { ConflictError, NotFoundError } from '../../../functions/src/domain/errors';
import { answerClarification } from '../../../functions/src/use-cases/clarifications';
import { getOrder } from '../../../functions/src/use-cases/read-orders';
import { testWorld } from '../fakes';
import {
  AGENCY,
  askClarification,
  registerMichat,
  runWorkflow,
  runWorkflowFor,
  submit,
} from '../lifecycle-helpers';

const HOUR = 3_600_000;

async function servedOrder() {
  const world = testWorld();
  const secrets = await registerMichat(world);
  const order = await submit(world);
  await runWorkflow(world, order.id);
  return { world, secrets, orderId: order.id };
}

const answer = (world: ReturnType<typeof testWorld>, orderId: string, text = 'Yes, remove all three.') =>
  answerClarification(world.deps, { agencyId: AGENCY, orderId, answer: text, officer: 'Rina S.' });

describe('clarifications', () => {
  it('a question stops the clock: no escalation and no fine however long the agency takes', async () => {
    const { world, secrets, orderId } = await servedOrder();
    world.clock.advance(2 * HOUR);
    const asked = await askClarification(world, secrets.responseSecret, orderId, 'Is item 2 satire?');
    expect(asked).toMatchObject({ takedownRequestId: orderId, clarification: { seq: 1, answer: null } });
    expect(world.published.map((event) => event.type)).toContain('takedown.clarification_requested');
    expect(await runWorkflowFor(world, orderId, 10 * 24 * HOUR)).not.toContain('escalate');
    const view = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(view).toMatchObject({ stage: 'order', deadlineAt: null });
    expect(view.clockPausedSince).not.toBeNull();
    expect(view.fine.accrued).toBe(0);
  });

  it('the answer goes to the platform; the full stage time runs again from its receipt', async () => {
    const { world, secrets, orderId } = await servedOrder();
    world.clock.advance(20 * HOUR);
    await askClarification(world, secrets.responseSecret, orderId, 'Is item 2 satire?');
    world.clock.advance(3 * 24 * HOUR);
    await answer(world, orderId);
    const run = await runWorkflow(world, orderId);
    expect(run.steps).toEqual(['deliver:000002', 'wait']);
    const clarified = JSON.parse(world.endpoint.received.at(-1)?.body ?? '{}');
    expect(clarified).toMatchObject({
      type: 'takedown.clarified',
      data: { clarification: { seq: 1, question: 'Is item 2 satire?', answer: 'Yes, remove all three.' } },
    });
    const received = world.clock.now();
    const order = await world.orders.getOrder(orderId);
    expect(order).toMatchObject({
      clarification: null,
      clockPausedSince: null,
      deadlineAt: new Date(received.getTime() + 24 * HOUR).toISOString(),
    });
    expect(order?.clarifications[0]?.receivedAt).toBe(received.toISOString());
    expect(order?.clockPauses).toHaveLength(1);
    // ST1 exactly one full period after the answer reached the platform, not 4 h later as before the pause.
    await runWorkflowFor(world, orderId, 24 * HOUR - 1_000);
    expect((await world.orders.getOrder(orderId))?.stage).toBe('order');
    await runWorkflowFor(world, orderId, 1_000);
    expect((await world.orders.getOrder(orderId))?.stage).toBe('st1');
    const actions = (world.orders.audit.get(orderId) ?? []).map((event) => event.action);
    expect(actions).toEqual(
      expect.arrayContaining(['clarification_requested', 'clarification_answered', 'clarification_received']),
    );
  });

  it('refuses a second open question, answers with none open, and more than the policy allows (409)', async () => {
    const { world, secrets, orderId } = await servedOrder();
    await expect(answer(world, orderId)).rejects.toThrow(/no clarification request is open/);
    await askClarification(world, secrets.responseSecret, orderId, 'First?');
    await expect(askClarification(world, secrets.responseSecret, orderId, 'Another?')).rejects.toThrow(
      ConflictError,
    );
    await answer(world, orderId);
    await runWorkflow(world, orderId);
    await askClarification(world, secrets.responseSecret, orderId, 'Second?');
    await answer(world, orderId);
    await runWorkflow(world, orderId);
    await expect(askClarification(world, secrets.responseSecret, orderId, 'Third?')).rejects.toThrow(
      /allows no more/,
    );
  });

  it('answers only the agency that made the order, and only served orders take questions', async () => {
    const { world, secrets, orderId } = await servedOrder();
    await askClarification(world, secrets.responseSecret, orderId, 'Which?');
    await expect(
      answerClarification(world.deps, { agencyId: 'bpom', orderId, answer: 'x', officer: null }),
    ).rejects.toThrow(NotFoundError);
    world.endpoint.statuses.push({ status: 503 });
    const unserved = await submit(world, undefined, 'key-2');
    await runWorkflow(world, unserved.id);
    await expect(askClarification(world, secrets.responseSecret, unserved.id, 'Hm?')).rejects.toThrow(
      /not been served/,
    );
  });
});
