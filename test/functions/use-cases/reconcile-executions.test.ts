import { describe, expect, it } from 'vitest';
import { reconcileExecutions } from '../../../functions/src/use-cases/reconcile-executions';
import { testWorld } from '../fakes';
import { registerMichat, runWorkflow, submit } from '../lifecycle-helpers';

const MINUTE = 60_000;

async function openOrder() {
  const world = testWorld();
  await registerMichat(world);
  const order = await submit(world);
  await runWorkflow(world, order.id);
  world.clock.advance(2 * MINUTE);
  return { world, orderId: order.id, arn: world.workflow.executionArnOf(order.id) };
}

describe('reconcileExecutions', () => {
  it('leaves orders whose execution runs alone and writes nothing', async () => {
    const { world } = await openOrder();
    const report = await reconcileExecutions(world.deps);
    expect(report).toEqual({ openOrders: 1, running: 1, recovered: [], resumedIntakes: [], failed: [] });
    expect(world.workflow.redriven).toEqual([]);
  });

  it('redrives a failed execution, audits and publishes the recovery', async () => {
    const { world, orderId, arn } = await openOrder();
    world.workflow.executions.set(arn, {
      status: 'FAILED',
      stopDate: new Date(world.clock.now().getTime() - MINUTE),
      redriveStatus: 'REDRIVABLE',
    });
    const report = await reconcileExecutions(world.deps);
    expect(report.recovered).toEqual([{ orderId, how: 'redriven', executionArn: arn }]);
    expect(world.workflow.redriven).toEqual([arn]);
    const audit = world.orders.audit.get(orderId)?.at(-1);
    expect(audit).toMatchObject({
      action: 'execution_recovered',
      details: { how: 'redriven', previousStatus: 'FAILED' },
    });
    expect(world.published.at(-1)).toMatchObject({
      type: 'order.execution_recovered',
      orderId,
      detail: { how: 'redriven' },
    });
    // Running again: the next run changes nothing.
    expect((await reconcileExecutions(world.deps)).recovered).toEqual([]);
  });

  it('starts <orderId>.1 with the resume flag when the execution cannot be redriven', async () => {
    const { world, orderId, arn } = await openOrder();
    world.workflow.executions.set(arn, {
      status: 'ABORTED',
      stopDate: new Date(world.clock.now().getTime() - 15 * 24 * 3_600_000),
      redriveStatus: 'NOT_REDRIVABLE',
    });
    const report = await reconcileExecutions(world.deps);
    const restarted = world.workflow.executionArnOf(`${orderId}.1`);
    expect(report.recovered).toEqual([{ orderId, how: 'restarted', executionArn: restarted }]);
    expect(world.workflow.started).toContain(`${orderId}.1`);
    expect(await world.orders.getOrder(orderId)).toMatchObject({ executionArn: restarted, recoveries: 1 });
  });

  it('starts a never-started order under its own name, as the client retry would', async () => {
    const { world, orderId, arn } = await openOrder();
    world.workflow.executions.delete(arn);
    world.workflow.started = [];
    const report = await reconcileExecutions(world.deps);
    expect(report.recovered).toEqual([{ orderId, how: 'started', executionArn: arn }]);
    expect(world.workflow.started).toEqual([orderId]);
  });

  it('leaves final orders out, and reports an order whose recovery failed without stopping the others', async () => {
    const { world, orderId, arn } = await openOrder();
    const second = await submit(world, undefined, 'key-2');
    world.clock.advance(2 * MINUTE);
    const secondArn = world.workflow.executionArnOf(second.id);
    for (const execution of [arn, secondArn]) {
      world.workflow.executions.set(execution, {
        status: 'FAILED',
        stopDate: world.clock.now(),
        redriveStatus: 'REDRIVABLE',
      });
    }
    const redrive = world.workflow.redrive.bind(world.workflow);
    world.workflow.redrive = async (executionArn) => {
      if (executionArn === arn) throw new Error('ThrottlingException: slow down');
      await redrive(executionArn);
    };
    const report = await reconcileExecutions(world.deps);
    expect(report.failed).toEqual([{ orderId, error: 'ThrottlingException: slow down' }]);
    expect(report.recovered.map((entry) => entry.orderId)).toEqual([second.id]);
    const marker = world.orders.orders.get(second.id);
    if (marker) world.orders.orders.set(second.id, { ...marker, status: 'complied', finalizedAt: 'x' });
    expect((await reconcileExecutions(world.deps)).openOrders).toBe(1);
  });
});
