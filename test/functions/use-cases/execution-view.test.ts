import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../../functions/src/domain/errors';
import type { HistoryEvent } from '../../../functions/src/ports';
import { executionView } from '../../../functions/src/use-cases/execution-view';
import { type TestWorld, testWorld } from '../fakes';
import recorded from '../fixtures/recorded-executions.json';
import { registerMichat, submit } from '../lifecycle-helpers';

type RecordedCase = (typeof recorded.cases)[number];

const recordedCase = (suffix: string): RecordedCase => {
  const found = recorded.cases.find((entry) => entry.name.endsWith(suffix));
  if (found === undefined) throw new Error(`no recorded case ${suffix}`);
  return found;
};

/**
 * The recorded event types as GetExecutionHistory events: each *StateEntered named from the recorded sequence, each
 * *StateExited naming the state entered last and still open, Map iterations naming their Map state.
 */
function historyOf(entry: RecordedCase, start = new Date('2026-12-01T00:00:00.000Z')): HistoryEvent[] {
  const names = [...entry.state_sequence];
  const open: string[] = [];
  let mapName: string | null = null;
  return entry.events.map((type, index) => {
    let details: Record<string, unknown> | null = null;
    if (type.endsWith('StateEntered')) {
      const name = names.shift() ?? 'missing';
      open.push(name);
      if (type === 'MapStateEntered') mapName = name;
      details = { name, input: JSON.stringify({ entered: name }) };
    } else if (type.endsWith('StateExited')) {
      const name = open.pop() ?? 'missing';
      details = { name, output: JSON.stringify({ exited: name }) };
    } else if (type.startsWith('MapIteration')) {
      details = { name: mapName, index };
    }
    return {
      id: index + 1,
      previousEventId: index === 0 ? 0 : index,
      timestamp: new Date(start.getTime() + index * 1_000),
      type,
      details,
    };
  });
}

async function orderWithExecution(
  world: TestWorld,
  entry: RecordedCase,
  events: HistoryEvent[],
  running: boolean,
) {
  await registerMichat(world);
  const order = await submit(world);
  const executionArn = world.workflow.executionArnOf(order.id);
  world.executions.record({
    description: {
      executionArn,
      stateMachineArn: 'arn:aws:states:ap-southeast-3:123456789012:stateMachine:Tenggat-OrderWorkflow',
      name: order.id,
      status: running ? 'RUNNING' : 'SUCCEEDED',
      startDate: new Date('2026-12-01T00:00:00.000Z'),
      stopDate: running ? null : new Date('2026-12-01T00:01:00.000Z'),
      redriveCount: 0,
      redriveStatus: running ? null : 'NOT_REDRIVABLE',
    },
    definition: JSON.stringify(entry.definition),
    events,
  });
  return { orderId: order.id, executionArn };
}

describe('executionView', () => {
  it('marks the Parallel state and its three branches current while they run, and every state visited', async () => {
    const world = testWorld();
    const entry = recordedCase('[BASE_SCOPE_PARALLEL]');
    // Cut after the three branches' PassStateEntered: nothing has exited the Parallel state yet.
    const cut = historyOf(entry).slice(0, 8);
    const { orderId } = await orderWithExecution(world, entry, cut, true);
    const view = await executionView(world.deps, { orderId, limit: 200, nextToken: null });
    expect(view.visitedStates).toEqual(['State0', 'State1', 'Branch1', 'Branch21', 'Branch31']);
    expect(view.currentStates).toEqual(['State1', 'Branch1', 'Branch21', 'Branch31']);
    expect(view.statesComplete).toBe(true);
    expect(view.definition).toEqual(entry.definition);
    expect(view.events.map((event) => event.stateName)).toEqual([
      null,
      'State0',
      'State0',
      'State1',
      'State1',
      'Branch1',
      'Branch21',
      'Branch31',
    ]);
  });

  it('marks no state current once the execution ended, and lists a Map’s inner state once', async () => {
    const world = testWorld();
    const entry = recordedCase('[BASE_SCOPE_MAP]');
    const { orderId } = await orderWithExecution(world, entry, historyOf(entry), false);
    const view = await executionView(world.deps, { orderId, limit: 200, nextToken: null });
    expect(view.visitedStates).toEqual(['State0', 'State1', 'Inner', 'State2']);
    expect(view.currentStates).toEqual([]);
    expect(view.status).toBe('SUCCEEDED');
    expect(view.stopDate).toBe('2026-12-01T00:01:00.000Z');
    const exits = view.events.filter((event) => event.type === 'PassStateExited');
    expect(exits.map((event) => event.output)).toContain(JSON.stringify({ exited: 'Inner' }));
  });

  it('marks the Map state and its inner state current in the middle of an iteration', async () => {
    const world = testWorld();
    const entry = recordedCase('[BASE_SCOPE_MAP]');
    // ... MapIterationStarted, PassStateEntered (Inner) of the second iteration.
    const { orderId } = await orderWithExecution(world, entry, historyOf(entry).slice(0, 11), true);
    const view = await executionView(world.deps, { orderId, limit: 200, nextToken: null });
    expect(view.currentStates).toEqual(['State1', 'Inner']);
    expect(view.visitedStates).toEqual(['State0', 'State1', 'Inner']);
  });

  it('pages the events, and computes the states over the whole history on the first page', async () => {
    const world = testWorld();
    const entry = recordedCase('[BASE_SCOPE_MAP]');
    const { orderId } = await orderWithExecution(world, entry, historyOf(entry).slice(0, 11), true);
    const first = await executionView(world.deps, { orderId, limit: 4, nextToken: null });
    expect(first.events.map((event) => event.id)).toEqual([1, 2, 3, 4]);
    expect(first.nextToken).not.toBeNull();
    expect(first.currentStates).toEqual(['State1', 'Inner']);
    expect(first.statesComplete).toBe(true);
    const second = await executionView(world.deps, { orderId, limit: 4, nextToken: first.nextToken });
    expect(second.events.map((event) => event.id)).toEqual([5, 6, 7, 8]);
    expect(second.statesComplete).toBe(false);
  });

  it('says the states are incomplete when the history holds more than 1,000 events', async () => {
    const world = testWorld();
    const entry = recordedCase('[BASE_SCOPE_MAP]');
    const loop = historyOf(entry).slice(0, 3);
    const events = Array.from({ length: 1_200 }, (_, index) => ({
      ...(loop[index % 3] as HistoryEvent),
      id: index + 1,
      previousEventId: index,
    }));
    const { orderId } = await orderWithExecution(world, entry, events, true);
    const view = await executionView(world.deps, { orderId, limit: 200, nextToken: null });
    expect(view.events).toHaveLength(200);
    expect(view.statesComplete).toBe(false);
    expect(world.executions.historyCalls).toEqual([200, 1_000]);
  });

  it('links the execution in the AWS console of its region, and says whether it is deployed', async () => {
    const world = testWorld();
    world.deps.deployed = false;
    const entry = recordedCase('[BASE_SCOPE_MAP]');
    const { orderId, executionArn } = await orderWithExecution(world, entry, historyOf(entry), false);
    const view = await executionView(world.deps, { orderId, limit: 200, nextToken: null });
    expect(view.awsConsoleUrl).toBe(
      `https://ap-southeast-3.console.aws.amazon.com/states/home?region=ap-southeast-3#/v2/executions/details/${executionArn}`,
    );
    expect(view.deployed).toBe(false);
  });

  it('answers not found for an unknown order, and for an order whose execution has not started', async () => {
    const world = testWorld();
    await expect(executionView(world.deps, { orderId: 'nope', limit: 200, nextToken: null })).rejects.toThrow(
      NotFoundError,
    );
    await registerMichat(world);
    const order = await submit(world);
    await expect(
      executionView(world.deps, { orderId: order.id, limit: 200, nextToken: null }),
    ).rejects.toThrow(/has no execution yet/);
  });
});
