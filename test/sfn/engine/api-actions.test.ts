import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { SfnApiError } from '../../../local/sfn/errors';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { createMachine, historyTypes, waitForStatus } from './engine-test-kit';

const PASS_MACHINE = {
  QueryLanguage: 'JSONata',
  StartAt: 'Greet',
  States: { Greet: { Type: 'Pass', Output: { greeting: '{% "hello " & $states.input.name %}' }, End: true } },
};

const WAIT_MACHINE = {
  StartAt: 'Pause',
  States: { Pause: { Type: 'Wait', Seconds: 30, End: true } },
};

let engine: StepFunctionsEngine;

beforeEach(async () => {
  engine = await createEngine({ dataPath: ':memory:', region: 'eu-west-1', accountId: '123456789012' });
});

afterEach(async () => {
  await engine.close();
});

describe('state machine actions', () => {
  it('creates a machine with an AWS-shaped ARN and describes it', async () => {
    const arn = await createMachine(engine, 'Orders', PASS_MACHINE);
    expect(arn).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:Orders');
    const described = await engine.dispatch('DescribeStateMachine', { stateMachineArn: arn });
    expect(described).toMatchObject({ name: 'Orders', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(String(described.definition))).toEqual(PASS_MACHINE);
    expect(typeof described.creationDate).toBe('number');
  });

  it('returns the existing ARN for the same name and definition, and refuses a different definition', async () => {
    const first = await engine.dispatch('CreateStateMachine', {
      name: 'Same',
      definition: JSON.stringify(PASS_MACHINE),
      roleArn: 'arn:aws:iam::123456789012:role/r',
    });
    const again = await engine.dispatch('CreateStateMachine', {
      name: 'Same',
      definition: JSON.stringify(PASS_MACHINE),
      roleArn: 'arn:aws:iam::123456789012:role/r',
    });
    expect(again).toEqual(first);
    await expect(
      engine.dispatch('CreateStateMachine', {
        name: 'Same',
        definition: JSON.stringify(WAIT_MACHINE),
        roleArn: 'arn:aws:iam::123456789012:role/r',
      }),
    ).rejects.toMatchObject({ code: 'StateMachineAlreadyExists' });
  });

  it('rejects a definition that is not JSON or has no valid StartAt with InvalidDefinition', async () => {
    await expect(createMachine(engine, 'Broken', '{not json')).rejects.toBeInstanceOf(SfnApiError);
    await expect(
      engine.dispatch('CreateStateMachine', { name: 'Broken', definition: '{not json', roleArn: 'r' }),
    ).rejects.toMatchObject({ code: 'InvalidDefinition' });
    await expect(
      createMachine(engine, 'NoStart', { StartAt: 'Missing', States: { Other: { Type: 'Succeed' } } }),
    ).rejects.toMatchObject({ code: 'InvalidDefinition' });
  });

  it('updates, lists with pagination and deletes machines', async () => {
    const arns = [];
    for (const name of ['A', 'B', 'C']) arns.push(await createMachine(engine, name, PASS_MACHINE));
    const firstPage = await engine.dispatch('ListStateMachines', { maxResults: 2 });
    expect((firstPage.stateMachines as unknown[]).length).toBe(2);
    const secondPage = await engine.dispatch('ListStateMachines', {
      maxResults: 2,
      nextToken: firstPage.nextToken,
    });
    expect((secondPage.stateMachines as { name: string }[]).map((machine) => machine.name)).toEqual(['C']);
    expect(secondPage.nextToken).toBeUndefined();

    const updated = await engine.dispatch('UpdateStateMachine', {
      stateMachineArn: arns[0],
      definition: JSON.stringify(WAIT_MACHINE),
    });
    expect(typeof updated.updateDate).toBe('number');
    const described = await engine.dispatch('DescribeStateMachine', { stateMachineArn: arns[0] });
    expect(JSON.parse(String(described.definition))).toEqual(WAIT_MACHINE);

    await engine.dispatch('DeleteStateMachine', { stateMachineArn: arns[1] });
    await expect(engine.dispatch('DescribeStateMachine', { stateMachineArn: arns[1] })).rejects.toMatchObject(
      {
        code: 'StateMachineDoesNotExist',
      },
    );
  });
});

describe('execution actions', () => {
  it('runs an execution and reports its output, dates and AWS-shaped ARN', async () => {
    const machineArn = await createMachine(engine, 'Greeter', PASS_MACHINE);
    const started = await engine.dispatch('StartExecution', {
      stateMachineArn: machineArn,
      name: 'first',
      input: JSON.stringify({ name: 'Ana' }),
    });
    expect(started.executionArn).toBe('arn:aws:states:eu-west-1:123456789012:execution:Greeter:first');
    const described = await waitForStatus(engine, String(started.executionArn));
    expect(described).toMatchObject({ status: 'SUCCEEDED', name: 'first', stateMachineArn: machineArn });
    expect(JSON.parse(String(described.output))).toEqual({ greeting: 'hello Ana' });
    expect(Number(described.stopDate)).toBeGreaterThanOrEqual(Number(described.startDate));
    expect(await historyTypes(engine, String(started.executionArn))).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
  });

  it('is idempotent for the same name and input while running, and refuses reuse otherwise', async () => {
    const machineArn = await createMachine(engine, 'Slow', WAIT_MACHINE);
    const request = { stateMachineArn: machineArn, name: 'once', input: '{"a":1}' };
    const first = await engine.dispatch('StartExecution', request);
    const second = await engine.dispatch('StartExecution', request);
    expect(second).toEqual(first);
    await expect(engine.dispatch('StartExecution', { ...request, input: '{"a":2}' })).rejects.toMatchObject({
      code: 'ExecutionAlreadyExists',
    });
    await engine.dispatch('StopExecution', { executionArn: first.executionArn });
    await expect(engine.dispatch('StartExecution', request)).rejects.toMatchObject({
      code: 'ExecutionAlreadyExists',
    });
  });

  it('stops a running execution as ABORTED with an ExecutionAborted event', async () => {
    const machineArn = await createMachine(engine, 'Stoppable', WAIT_MACHINE);
    const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn });
    await waitForStatus(engine, String(executionArn), () => true);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const stopped = await engine.dispatch('StopExecution', {
      executionArn,
      error: 'Cancelled',
      cause: 'by test',
    });
    expect(typeof stopped.stopDate).toBe('number');
    const described = await engine.dispatch('DescribeExecution', { executionArn });
    expect(described).toMatchObject({ status: 'ABORTED', error: 'Cancelled', cause: 'by test' });
    const history = await engine.dispatch('GetExecutionHistory', {
      executionArn,
      reverseOrder: true,
      maxResults: 1,
    });
    expect(history.events).toEqual([
      expect.objectContaining({
        type: 'ExecutionAborted',
        executionAbortedEventDetails: { error: 'Cancelled', cause: 'by test' },
      }),
    ]);
  });

  it('lists executions newest first with a status filter and pagination', async () => {
    const machineArn = await createMachine(engine, 'Mixed', WAIT_MACHINE);
    const arns: string[] = [];
    for (const name of ['e1', 'e2', 'e3']) {
      const { executionArn } = await engine.dispatch('StartExecution', { stateMachineArn: machineArn, name });
      arns.push(String(executionArn));
    }
    await engine.dispatch('StopExecution', { executionArn: arns[1] });
    const running = await engine.dispatch('ListExecutions', {
      stateMachineArn: machineArn,
      statusFilter: 'RUNNING',
    });
    expect((running.executions as { name: string }[]).map((execution) => execution.name)).toEqual([
      'e3',
      'e1',
    ]);
    const page1 = await engine.dispatch('ListExecutions', { stateMachineArn: machineArn, maxResults: 2 });
    const page2 = await engine.dispatch('ListExecutions', {
      stateMachineArn: machineArn,
      maxResults: 2,
      nextToken: page1.nextToken,
    });
    const names = [
      ...(page1.executions as { name: string }[]),
      ...(page2.executions as { name: string }[]),
    ].map((execution) => execution.name);
    expect(names).toEqual(['e3', 'e2', 'e1']);
  });

  it('pages the history forwards and backwards and can leave out execution data', async () => {
    const machineArn = await createMachine(engine, 'Paged', {
      StartAt: 'One',
      States: {
        One: { Type: 'Pass', Next: 'Two' },
        Two: { Type: 'Pass', Next: 'Three' },
        Three: { Type: 'Pass', End: true },
      },
    });
    const { executionArn } = await engine.dispatch('StartExecution', {
      stateMachineArn: machineArn,
      input: '{"x":1}',
    });
    await waitForStatus(engine, String(executionArn));
    const page1 = await engine.dispatch('GetExecutionHistory', { executionArn, maxResults: 3 });
    const page2 = await engine.dispatch('GetExecutionHistory', {
      executionArn,
      maxResults: 3,
      nextToken: page1.nextToken,
    });
    const ids = [...(page1.events as { id: number }[]), ...(page2.events as { id: number }[])].map(
      (event) => event.id,
    );
    expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    const reversed = await engine.dispatch('GetExecutionHistory', {
      executionArn,
      reverseOrder: true,
      maxResults: 2,
    });
    expect((reversed.events as { id: number; type: string }[]).map((event) => event.type)).toEqual([
      'ExecutionSucceeded',
      'PassStateExited',
    ]);
    const withoutData = await engine.dispatch('GetExecutionHistory', {
      executionArn,
      includeExecutionData: false,
    });
    const started = (withoutData.events as Record<string, Record<string, unknown>>[])[0];
    expect(started?.executionStartedEventDetails?.input).toBeUndefined();
    const entered = (page1.events as Record<string, unknown>[])[1];
    expect(entered).toMatchObject({
      previousEventId: 1,
      stateEnteredEventDetails: { name: 'One', input: '{"x":1}' },
    });
  });

  it('runs an Express machine synchronously with StartSyncExecution and refuses Standard machines', async () => {
    const expressArn = await createMachine(engine, 'Quick', PASS_MACHINE, 'EXPRESS');
    const result = await engine.dispatch('StartSyncExecution', {
      stateMachineArn: expressArn,
      name: 'sync-1',
      input: JSON.stringify({ name: 'Sari' }),
    });
    expect(result).toMatchObject({ status: 'SUCCEEDED', name: 'sync-1', stateMachineArn: expressArn });
    expect(String(result.executionArn)).toMatch(
      /^arn:aws:states:eu-west-1:123456789012:express:Quick:sync-1:/,
    );
    expect(JSON.parse(String(result.output))).toEqual({ greeting: 'hello Sari' });
    const standardArn = await createMachine(engine, 'NotExpress', PASS_MACHINE);
    await expect(
      engine.dispatch('StartSyncExecution', { stateMachineArn: standardArn }),
    ).rejects.toMatchObject({
      code: 'StateMachineTypeNotSupported',
    });
  });

  it('answers unknown executions and machines with AWS error codes', async () => {
    await expect(
      engine.dispatch('DescribeExecution', {
        executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:X:y',
      }),
    ).rejects.toMatchObject({ code: 'ExecutionDoesNotExist' });
    await expect(
      engine.dispatch('StartExecution', {
        stateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:X',
      }),
    ).rejects.toMatchObject({ code: 'StateMachineDoesNotExist' });
    await expect(engine.dispatch('DescribeExecution', { executionArn: 'nonsense' })).rejects.toMatchObject({
      code: 'InvalidArn',
    });
  });
});
