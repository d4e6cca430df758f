import { describe, expect, it } from 'vitest';
import { MemoryEngineStore } from '../../../local/sfn/engine/memory-store';
import { SqliteEngineStore } from '../../../local/sfn/engine/sqlite-store';
import type { EngineStorage, StateMachineRow } from '../../../local/sfn/engine/store';

const MACHINE = 'arn:aws:states:us-east-1:000000000000:stateMachine:m';
const VERSION = `${MACHINE}:1`;
const ALIAS = `${MACHINE}:live`;
const executionArn = (name: string) => `arn:aws:states:us-east-1:000000000000:execution:m:${name}`;

const machine = (arn: string, createdMs: number): StateMachineRow => ({
  arn,
  name: arn.split(':').at(-1) ?? '',
  definition: '{}',
  roleArn: 'arn:aws:iam::000000000000:role/r',
  type: 'STANDARD',
  createdMs,
  updatedMs: null,
  revisionId: 'r1',
});

function startExecution(
  store: EngineStorage,
  name: string,
  scope: { versionArn?: string; aliasArn?: string } = {},
) {
  store.insertExecution({
    arn: executionArn(name),
    stateMachineArn: MACHINE,
    name,
    input: '{}',
    startMs: 1_000,
    definition: '{}',
    type: 'STANDARD',
    roleArn: 'arn:aws:iam::000000000000:role/r',
    ...scope,
  });
}

const end = (store: EngineStorage, name: string, status: string) =>
  store.finishExecution({
    arn: executionArn(name),
    status,
    output: null,
    error: 'E',
    cause: null,
    stopMs: 2_000,
  });

/** Both stores must answer alike: the engine runs on SQLite with a data file and on plain objects without. */
describe.each([
  ['SQLite', () => new SqliteEngineStore(':memory:')],
  ['plain objects', () => new MemoryEngineStore()],
])('engine store (%s)', (_name, open: () => EngineStorage) => {
  it('lists machines by creation time then ARN, refuses a taken ARN and hands out copies', () => {
    const store = open();
    store.insertMachine(machine(`${MACHINE}-b`, 2));
    store.insertMachine(machine(`${MACHINE}-c`, 1));
    store.insertMachine(machine(`${MACHINE}-a`, 2));
    expect(() => store.insertMachine(machine(`${MACHINE}-a`, 3))).toThrow();
    expect(store.listMachines().map((row) => row.arn.at(-1))).toEqual(['c', 'a', 'b']);
    const read = store.getMachine(`${MACHINE}-a`);
    if (read) read.definition = 'changed by the reader';
    store.updateMachine({
      arn: `${MACHINE}-b`,
      definition: '{"x":1}',
      roleArn: 'r2',
      updatedMs: 5,
      revisionId: 'r2',
    });
    expect(store.getMachine(`${MACHINE}-a`)?.definition).toBe('{}');
    expect(store.getMachine(`${MACHINE}-b`)).toMatchObject({
      definition: '{"x":1}',
      updatedMs: 5,
      createdMs: 2,
    });
    store.deleteMachine(`${MACHINE}-b`);
    expect(store.getMachine(`${MACHINE}-b`)).toBeUndefined();
  });

  it('pages executions newest first by sequence, per machine, version and alias, with status and redrive filters', () => {
    const store = open();
    startExecution(store, 'e1');
    startExecution(store, 'e2', { versionArn: VERSION });
    startExecution(store, 'e3', { versionArn: VERSION, aliasArn: ALIAS });
    startExecution(store, 'e4');
    expect(() => startExecution(store, 'e4')).toThrow();
    expect(end(store, 'e2', 'FAILED')).toBe(true);
    expect(end(store, 'e2', 'SUCCEEDED')).toBe(false);
    expect(store.redriveExecution(executionArn('e2'), 3_000)).toBe(true);
    expect(store.redriveExecution(executionArn('e1'), 3_000)).toBe(false);
    const names = (rows: { name: string }[]) => rows.map((row) => row.name);
    const all = store.listExecutions({ column: 'machine', arn: MACHINE }, {}, Number.MAX_SAFE_INTEGER, 10);
    expect(names(all)).toEqual(['e4', 'e3', 'e2', 'e1']);
    const before = all[1]?.sequence ?? 0;
    expect(names(store.listExecutions({ column: 'machine', arn: MACHINE }, {}, before, 2))).toEqual([
      'e2',
      'e1',
    ]);
    expect(
      names(store.listExecutions({ column: 'version', arn: VERSION }, {}, Number.MAX_SAFE_INTEGER, 10)),
    ).toEqual(['e3', 'e2']);
    expect(
      names(store.listExecutions({ column: 'alias', arn: ALIAS }, {}, Number.MAX_SAFE_INTEGER, 10)),
    ).toEqual(['e3']);
    const page = (filters: { status?: string; redrive?: 'REDRIVEN' | 'NOT_REDRIVEN' }) =>
      names(store.listExecutions({ column: 'machine', arn: MACHINE }, filters, Number.MAX_SAFE_INTEGER, 10));
    expect(page({ redrive: 'REDRIVEN' })).toEqual(['e2']);
    expect(page({ redrive: 'NOT_REDRIVEN', status: 'RUNNING' })).toEqual(['e4', 'e3', 'e1']);
    expect(store.getExecution(executionArn('e2'))).toMatchObject({
      status: 'RUNNING',
      error: null,
      stopMs: null,
      redriveCount: 1,
      redriveMs: 3_000,
      versionArn: VERSION,
      aliasArn: null,
    });
    end(store, 'e3', 'SUCCEEDED');
    expect(names(store.runningExecutions())).toEqual(['e1', 'e2', 'e4']);
  });

  it('keeps the last 10 redrive client tokens of an execution', () => {
    const store = open();
    startExecution(store, 'e1');
    for (let index = 0; index < 12; index++)
      store.rememberRedriveToken(executionArn('e1'), `t${index}`, 100 + index);
    store.rememberRedriveToken(executionArn('e1'), 't11', 500);
    expect(store.redriveTokenDate(executionArn('e1'), 't11')).toBe(500);
    expect(store.redriveTokenDate(executionArn('e1'), 't2')).toBe(102);
    expect(store.redriveTokenDate(executionArn('e1'), 't1')).toBeUndefined();
    expect(store.redriveTokenDate(executionArn('e2'), 't2')).toBeUndefined();
  });

  it('answers a task token once, heartbeats only a pending one, closes and retires the tokens of an execution', () => {
    const store = open();
    const token = (name: string, stepKey: string) => ({
      token: name,
      executionArn: executionArn('e1'),
      stepKey,
      deadlineMs: null,
      heartbeatSeconds: 5,
      heartbeatDeadlineMs: 10,
    });
    store.insertToken(token('a', 'S#0'));
    store.insertToken(token('b', 'T#0'));
    store.insertToken(token('c', 'U#0'));
    expect(() => store.insertToken(token('a', 'S#1'))).toThrow();
    expect(store.heartbeatToken('a', 20)).toBe(true);
    const answer = { token: 'a', status: 'SUCCEEDED' as const, output: '{}', error: null, cause: null };
    expect(store.answerToken(answer)).toBe(true);
    expect(store.answerToken({ ...answer, status: 'FAILED' })).toBe(false);
    expect(store.heartbeatToken('a', 30)).toBe(false);
    expect(store.getToken('a')).toMatchObject({ status: 'SUCCEEDED', output: '{}', heartbeatDeadlineMs: 20 });
    expect(store.tokenForStep(executionArn('e1'), 'T#0')?.token).toBe('b');
    store.closeTokensOf(executionArn('e1'));
    expect([store.getToken('a')?.status, store.getToken('b')?.status]).toEqual(['SUCCEEDED', 'CLOSED']);
    store.retireTokensOf(executionArn('e1'), '@redrive1');
    expect(store.tokenForStep(executionArn('e1'), 'T#0')).toBeUndefined();
    expect(store.getToken('a')).toMatchObject({ status: 'CLOSED', stepKey: 'S#0@redrive1' });
  });

  it('takes back everything a failed transaction wrote, also in the catalog, and keeps a nested one that succeeded', () => {
    const store = open();
    startExecution(store, 'e1');
    store.putJournal(executionArn('e1'), 'S#0', 'kept');
    expect(() =>
      store.transaction(() => {
        store.insertMachine(machine(MACHINE, 1));
        store.catalog.putTags(MACHINE, [{ key: 'k', value: 'v' }]);
        store.catalog.insertVersion({
          ...machine(VERSION, 1),
          machineArn: MACHINE,
          version: 1,
          description: null,
        });
        store.transaction(() => store.putJournal(executionArn('e1'), 'S#0', 'replaced'));
        end(store, 'e1', 'FAILED');
        for (const name of ['e1', 'e5']) {
          store.insertEvents(executionArn(name), [
            { key: 'k1', id: 1, previousEventId: 0, type: 'ExecutionFailed', timestampMs: 1, details: null },
          ]);
        }
        store.insertToken({
          token: 't',
          executionArn: executionArn('e1'),
          stepKey: 'S#0',
          deadlineMs: null,
          heartbeatSeconds: null,
          heartbeatDeadlineMs: null,
        });
        startExecution(store, 'e1');
      }),
    ).toThrow();
    expect(store.getMachine(MACHINE)).toBeUndefined();
    expect(store.catalog.tagsOf(MACHINE)).toEqual([]);
    expect(store.catalog.getVersion(VERSION)).toBeUndefined();
    expect(store.getExecution(executionArn('e1'))?.status).toBe('RUNNING');
    expect(store.journal(executionArn('e1')).get('S#0')).toBe('kept');
    expect(store.maxEventId(executionArn('e1'))).toBe(0);
    // Nothing of the rolled-back history may surface under another execution's events.
    store.insertEvents(executionArn('e9'), [
      { key: 'k1', id: 7, previousEventId: 0, type: 'ExecutionStarted', timestampMs: 1, details: null },
    ]);
    expect([store.maxEventId(executionArn('e1')), store.maxEventId(executionArn('e5'))]).toEqual([0, 0]);
    expect(store.maxEventId(executionArn('e9'))).toBe(7);
    expect(store.getToken('t')).toBeUndefined();
    expect(
      store.listExecutions({ column: 'machine', arn: MACHINE }, {}, Number.MAX_SAFE_INTEGER, 10),
    ).toHaveLength(1);
    store.transaction(() => {
      const failingInner = () => {
        store.insertMachine(machine(MACHINE, 1));
        startExecution(store, 'e1');
      };
      expect(() => store.transaction(failingInner)).toThrow();
      store.catalog.putTags(MACHINE, [{ key: 'outer', value: 'v' }]);
    });
    expect(store.getMachine(MACHINE)).toBeUndefined();
    expect(store.catalog.tagsOf(MACHINE)).toEqual([{ key: 'outer', value: 'v' }]);
  });

  it('reads the history rows of a transaction inside it; a nested rollback takes back only its rows', () => {
    const store = open();
    const [first, second] = [executionArn('e1'), executionArn('e2')];
    const events = (count: number) =>
      Array.from({ length: count }, (_, at) => ({
        key: `|${at}`,
        id: at + 1,
        previousEventId: at,
        type: 'PassStateEntered',
        timestampMs: 1,
        details: null,
      }));
    store.transaction(() => {
      // More rows than one INSERT takes, one step at a time, as grouped commits write them.
      for (const event of events(45)) store.insertEvents(first, [event]);
      for (let at = 0; at < 45; at++) store.putJournal(first, `S${at % 40}#0`, `v${at}`);
      expect(() =>
        store.transaction(() => {
          store.insertEvents(second, events(3));
          store.putJournal(first, 'S0#0', 'rolled back');
          throw new Error('inner');
        }),
      ).toThrow('inner');
      expect(store.maxEventId(first)).toBe(45);
      store.insertEvents(first, events(46).slice(45));
    });
    expect(store.events(first, false, 0, 100).map((row) => row.id)).toEqual(events(46).map((e) => e.id));
    expect(store.maxEventId(second)).toBe(0);
    const journal = store.journal(first);
    expect(journal.size).toBe(40);
    expect([journal.get('S0#0'), journal.get('S4#0'), journal.get('S5#0')]).toEqual(['v40', 'v44', 'v5']);
  });

  it('numbers versions without reuse, orders aliases, activities, their tasks and tags', () => {
    const { catalog } = open();
    expect([catalog.nextVersionNumber(MACHINE), catalog.nextVersionNumber(MACHINE)]).toEqual([1, 2]);
    for (const version of [1, 2]) {
      catalog.insertVersion({
        ...machine(`${MACHINE}:${version}`, version),
        machineArn: MACHINE,
        version,
        description: null,
      });
    }
    expect(catalog.versionsOf(MACHINE).map((row) => row.version)).toEqual([2, 1]);
    catalog.forgetMachine(MACHINE);
    expect(catalog.versionsOf(MACHINE)).toEqual([]);
    expect(catalog.nextVersionNumber(MACHINE)).toBe(3);
    const routing = [{ stateMachineVersionArn: VERSION, weight: 100 }];
    catalog.putAlias({
      arn: `${ALIAS}-b`,
      machineArn: MACHINE,
      name: 'b',
      description: null,
      routing,
      createdMs: 1,
      updatedMs: null,
    });
    catalog.putAlias({
      arn: `${ALIAS}-a`,
      machineArn: MACHINE,
      name: 'a',
      description: null,
      routing,
      createdMs: 1,
      updatedMs: null,
    });
    const alias = catalog.getAlias(`${ALIAS}-a`);
    if (alias?.routing[0]) alias.routing[0].weight = 1;
    expect(catalog.aliasesOf(MACHINE).map((row) => [row.name, row.routing[0]?.weight])).toEqual([
      ['a', 100],
      ['b', 100],
    ]);
    catalog.insertActivity({ arn: 'act:2', name: '2', createdMs: 1 });
    catalog.insertActivity({ arn: 'act:1', name: '1', createdMs: 1 });
    expect(() => catalog.insertActivity({ arn: 'act:1', name: '1', createdMs: 2 })).toThrow();
    expect(catalog.listActivities().map((row) => row.arn)).toEqual(['act:1', 'act:2']);
    catalog.queueActivityTask({ token: 'x', activityArn: 'act:1', input: '1' });
    catalog.queueActivityTask({ token: 'y', activityArn: 'act:1', input: '2' });
    catalog.queueActivityTask({ token: 'x', activityArn: 'act:1', input: 'again' });
    expect(catalog.takeActivityTask('act:1', 'w', 7)).toEqual({
      token: 'x',
      activityArn: 'act:1',
      input: '1',
      workerName: 'w',
      takenMs: 7,
    });
    expect(catalog.takeActivityTask('act:1', null, 8)?.token).toBe('y');
    expect(catalog.takeActivityTask('act:1', null, 9)).toBeUndefined();
    catalog.dropActivityTask('x');
    expect(catalog.activityTask('x')).toBeUndefined();
    catalog.putTags('act:1', [
      { key: 'b', value: '1' },
      { key: 'a', value: '2' },
    ]);
    catalog.putTags('act:1', [{ key: 'b', value: '3' }]);
    catalog.removeTags('act:1', ['a']);
    expect(catalog.tagsOf('act:1')).toEqual([{ key: 'b', value: '3' }]);
    catalog.dropTags('act:1');
    expect(catalog.tagsOf('act:1')).toEqual([]);
  });
});
