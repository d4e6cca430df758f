import {
  ActivityDoesNotExist,
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  ListTagsForResourceCommand,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { type SfnServer, startSfnServer } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';
import { temporaryDatabasePath, waitForStatus } from '../engine/engine-test-kit';

const ROLE = 'arn:aws:iam::123456789012:role/test';

function activityMachine(activityArn: string, catchAll = false) {
  return JSON.stringify({
    StartAt: 'Work',
    States: {
      Work: {
        Type: 'Task',
        Resource: activityArn,
        Parameters: { 'order.$': '$.order' },
        ResultPath: '$.done',
        ...(catchAll
          ? { Catch: [{ ErrorEquals: ['States.ALL'], Next: 'Caught' }], Next: 'Caught' }
          : { End: true }),
      },
      ...(catchAll ? { Caught: { Type: 'Pass', End: true } } : {}),
    },
  });
}

describe.each([
  ['in memory', () => ':memory:'],
  ['SQLite file', temporaryDatabasePath],
])('activities with the AWS SDK (%s)', (_label, dataPath) => {
  let engine: StepFunctionsEngine;
  let server: SfnServer;
  let client: SFNClient;

  beforeAll(async () => {
    engine = await createEngine({ dataPath: dataPath(), accountId: '123456789012', activityPollMs: 300 });
    server = await startSfnServer({ engine, port: 0 });
    client = new SFNClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  });

  afterAll(async () => {
    client.destroy();
    await server.close();
    await engine.close();
  });

  it('creates, describes, lists, tags and deletes an activity', async () => {
    const created = await client.send(
      new CreateActivityCommand({ name: 'reviewer', tags: [{ key: 'team', value: 'ops' }] }),
    );
    expect(created.activityArn).toBe('arn:aws:states:us-east-1:123456789012:activity:reviewer');
    const again = await client.send(new CreateActivityCommand({ name: 'reviewer' }));
    expect(again.creationDate).toEqual(created.creationDate);
    const described = await client.send(new DescribeActivityCommand({ activityArn: created.activityArn }));
    expect(described).toMatchObject({ name: 'reviewer', activityArn: created.activityArn });
    const listed = await client.send(new ListActivitiesCommand({}));
    expect(listed.activities?.map((a) => a.name)).toContain('reviewer');
    const tags = await client.send(new ListTagsForResourceCommand({ resourceArn: created.activityArn }));
    expect(tags.tags).toEqual([{ key: 'team', value: 'ops' }]);
    await client.send(new DeleteActivityCommand({ activityArn: created.activityArn }));
    await expect(
      client.send(new DescribeActivityCommand({ activityArn: created.activityArn })),
    ).rejects.toBeInstanceOf(ActivityDoesNotExist);
  });

  it('hands a scheduled task to a long-polling worker, whose answer continues the execution', async () => {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'approver' }));
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'approval',
        definition: activityMachine(activityArn ?? ''),
        roleArn: ROLE,
      }),
    );
    // The worker polls first; the execution's task reaches it while it waits.
    const polling = client.send(new GetActivityTaskCommand({ activityArn, workerName: 'alice' }));
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{"order":"o-1"}' }),
    );
    const task = await polling;
    expect(JSON.parse(task.input ?? '')).toEqual({ order: 'o-1' });
    await client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"approved":true}' }));
    const done = await waitForStatus(engine, started.executionArn ?? '');
    expect(JSON.parse(String(done.output))).toEqual({ order: 'o-1', done: { approved: true } });
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const events = history.events ?? [];
    expect(events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'TaskStateEntered',
      'ActivityScheduled',
      'ActivityStarted',
      'ActivitySucceeded',
      'TaskStateExited',
      'ExecutionSucceeded',
    ]);
    expect(events[2]?.activityScheduledEventDetails?.resource).toBe(activityArn);
    expect(events[3]?.activityStartedEventDetails?.workerName).toBe('alice');
    // The task is over: its token answers TaskTimedOut, and no worker gets it again.
    await expect(
      client.send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
    const empty = await client.send(new GetActivityTaskCommand({ activityArn }));
    expect(empty.taskToken).toBeUndefined();
  });

  it('queues tasks for a later worker and records a worker failure as ActivityFailed', async () => {
    const { activityArn } = await client.send(new CreateActivityCommand({ name: 'packer' }));
    const machine = await client.send(
      new CreateStateMachineCommand({
        name: 'packing',
        definition: activityMachine(activityArn ?? '', true),
        roleArn: ROLE,
      }),
    );
    const started = await client.send(
      new StartExecutionCommand({ stateMachineArn: machine.stateMachineArn, input: '{"order":"o-2"}' }),
    );
    let task = await client.send(new GetActivityTaskCommand({ activityArn }));
    for (let tries = 0; !task.taskToken && tries < 20; tries++) {
      task = await client.send(new GetActivityTaskCommand({ activityArn }));
    }
    await client.send(
      new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Jammed', cause: 'belt' }),
    );
    await waitForStatus(engine, started.executionArn ?? '');
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn: started.executionArn }));
    const failed = history.events?.find((event) => event.type === 'ActivityFailed');
    expect(failed?.activityFailedEventDetails).toEqual({ error: 'Jammed', cause: 'belt' });
    expect(history.events?.at(-1)?.type).toBe('ExecutionSucceeded');
  });

  it('answers GetActivityTask of an unknown activity with ActivityDoesNotExist', async () => {
    await expect(
      client.send(
        new GetActivityTaskCommand({ activityArn: 'arn:aws:states:us-east-1:123456789012:activity:none' }),
      ),
    ).rejects.toBeInstanceOf(ActivityDoesNotExist);
  });
});
