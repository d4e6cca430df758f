import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CaseReport, formatTable } from '../../../local/sfn/conformance/report-table';
import { runConformance } from '../../../local/sfn/conformance/run';

// A comparator with compare.mjs's signature: exact status/output/error, cause unless told to ignore it.
const COMPARATOR = `
export function checkCase(c, r, opts = {}) {
  const reasons = [];
  const e = c.expected;
  if (r.status !== e.status) reasons.push('status ' + r.status + ' != ' + e.status);
  if ('output' in e && JSON.stringify(r.output) !== JSON.stringify(e.output)) reasons.push('output differs');
  if (e.error && r.error !== e.error) reasons.push('error ' + r.error + ' != ' + e.error);
  if (opts.cause !== 'ignore' && e.cause && r.cause !== e.cause) reasons.push('cause differs');
  return { ok: reasons.length === 0, reasons };
}
`;

const lambdaArn = (name: string) => `arn:aws:lambda:us-east-1:111111111111:function:${name}`;

const CASES = [
  {
    name: 'pass::adds a field',
    area: 'pass',
    tags: ['state:Pass'],
    state_machine_type: 'STANDARD',
    definition: { StartAt: 'P', States: { P: { Type: 'Pass', Result: 1, ResultPath: '$.b', End: true } } },
    input: { a: 1 },
    lambdas: null,
    expected: { status: 'SUCCEEDED', output: { a: 1, b: 1 } },
    events: ['ExecutionStarted', 'PassStateEntered', 'PassStateExited', 'ExecutionSucceeded'],
  },
  {
    name: 'lambda::identity',
    area: 'lambda',
    tags: ['state:Task'],
    state_machine_type: 'STANDARD',
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambdaArn('fn-id'), End: true } } },
    input: { hello: 'world' },
    lambdas: {
      'fn-id': {
        arn: lambdaArn('fn-id'),
        behaviour: 'identity: returns the invocation event (payload) unchanged',
      },
    },
    expected: { status: 'SUCCEEDED', output: { hello: 'world' } },
    events: null,
  },
  {
    // Same function name, other behaviour: must run against its own fake Lambda.
    name: 'lambda::raises',
    area: 'lambda',
    tags: ['state:Task'],
    state_machine_type: 'STANDARD',
    definition: { StartAt: 'T', States: { T: { Type: 'Task', Resource: lambdaArn('fn-id'), End: true } } },
    input: {},
    lambdas: {
      'fn-id': {
        arn: lambdaArn('fn-id'),
        behaviour: 'raises Python Exception("Some exception was raised.") -> ...',
      },
    },
    expected: { status: 'FAILED', error: 'Exception', cause: 'AWS wrote something else here' },
    events: null,
  },
  {
    name: 'pass::wrong expectation',
    area: 'pass',
    tags: ['state:Pass'],
    state_machine_type: 'STANDARD',
    definition: { StartAt: 'P', States: { P: { Type: 'Pass', End: true } } },
    input: { a: 1 },
    lambdas: null,
    expected: { status: 'SUCCEEDED', output: { a: 2 } },
    events: ['ExecutionStarted', 'PassStateEntered', 'ExecutionSucceeded'],
  },
];

describe('conformance runner', () => {
  let corpusDir: string;
  let reports: CaseReport[];

  beforeAll(async () => {
    corpusDir = mkdtempSync(join(tmpdir(), 'corpus-'));
    writeFileSync(join(corpusDir, 'compare.mjs'), COMPARATOR);
    writeFileSync(join(corpusDir, 'cases.jsonl'), `${CASES.map((c) => JSON.stringify(c)).join('\n')}\n`);
    reports = await runConformance({ corpusDir, concurrency: 4, checkKnown: false, caseTimeoutSeconds: 30 });
    reports.sort((a, b) => a.name.localeCompare(b.name));
  });

  afterAll(() => rmSync(corpusDir, { recursive: true, force: true }));

  it('runs each case through the HTTP front and judges it with the corpus comparator', () => {
    expect(reports.map((report) => [report.name, report.lenient])).toEqual([
      ['lambda::identity', true],
      ['lambda::raises', true],
      ['pass::adds a field', true],
      ['pass::wrong expectation', false],
    ]);
    const raised = reports.find((report) => report.name === 'lambda::raises');
    expect(raised?.result).toMatchObject({ status: 'FAILED', error: 'Exception' });
    expect(raised?.strict).toBe(false);
    expect(raised?.reasons).toEqual(['cause differs']);
  });

  it('compares history event types where AWS recorded them', () => {
    const byName = new Map(reports.map((report) => [report.name, report]));
    expect(byName.get('pass::adds a field')?.history).toBe(true);
    expect(byName.get('pass::wrong expectation')?.history).toBe(false);
    expect(byName.get('pass::wrong expectation')?.historyTypes).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'ExecutionSucceeded',
    ]);
    expect(byName.get('lambda::identity')?.history).toBeNull();
  });

  it('filters by name and area', async () => {
    const only = await runConformance({
      corpusDir,
      only: 'identity',
      concurrency: 2,
      checkKnown: false,
      caseTimeoutSeconds: 30,
    });
    expect(only.map((report) => report.name)).toEqual(['lambda::identity']);
    const area = await runConformance({
      corpusDir,
      area: 'pass',
      concurrency: 2,
      checkKnown: false,
      caseTimeoutSeconds: 30,
    });
    expect(area.map((report) => report.area)).toEqual(['pass', 'pass']);
  });

  it('tabulates lenient, strict and history per area', () => {
    const lines = formatTable(reports).split('\n');
    expect(lines[1]).toMatch(/^lambda\s+2\/2\s+100\.0%\s+1\/2\s+50\.0%\s+0\/0\s+-$/);
    expect(lines[2]).toMatch(/^pass\s+1\/2\s+50\.0%\s+1\/2\s+50\.0%\s+1\/2\s+50\.0%$/);
    expect(lines[3]).toMatch(/^TOTAL\s+3\/4\s+75\.0%\s+2\/4\s+50\.0%\s+1\/2\s+50\.0%$/);
  });
});

/** Express cases: the output says whether the context object has RedriveCount, which only async runs have. */
function expressCase(name: string, testFile: string, expectedRedriveCount: boolean) {
  return {
    name,
    area: 'express',
    tags: ['state:Pass'],
    state_machine_type: 'EXPRESS',
    definition: {
      QueryLanguage: 'JSONata',
      StartAt: 'P',
      States: {
        P: {
          Type: 'Pass',
          Output: {
            hasRedriveCount: '{% $exists($states.context.Execution.RedriveCount) %}',
            kind: "{% $contains($states.context.Execution.Id, ':express:') ? 'express' : 'standard' %}",
          },
          End: true,
        },
      },
    },
    input: {},
    lambdas: null,
    expected: { status: 'SUCCEEDED', output: { hasRedriveCount: expectedRedriveCount, kind: 'express' } },
    events: null,
    source: { test_file: testFile },
  };
}

describe('conformance runner with Express cases', () => {
  let corpusDir: string;

  beforeAll(() => {
    corpusDir = mkdtempSync(join(tmpdir(), 'corpus-express-'));
    writeFileSync(join(corpusDir, 'compare.mjs'), COMPARATOR);
    const cases = [
      expressCase(
        'express/test_express_async.py::started asynchronously',
        'tests/aws/services/stepfunctions/v2/express/test_express_async.py',
        true,
      ),
      expressCase(
        'express/test_express_sync.py::started synchronously',
        'tests/aws/services/stepfunctions/v2/express/test_express_sync.py',
        false,
      ),
    ];
    writeFileSync(join(corpusDir, 'cases.jsonl'), `${cases.map((c) => JSON.stringify(c)).join('\n')}\n`);
  });

  afterAll(() => rmSync(corpusDir, { recursive: true, force: true }));

  it('starts async-test cases with StartExecution and sync-test cases with StartSyncExecution', async () => {
    const reports = await runConformance({
      corpusDir,
      concurrency: 2,
      checkKnown: false,
      caseTimeoutSeconds: 30,
    });
    reports.sort((a, b) => a.name.localeCompare(b.name));
    expect(reports.map((report) => [report.name, report.result.output, report.lenient])).toEqual([
      [
        'express/test_express_async.py::started asynchronously',
        { hasRedriveCount: true, kind: 'express' },
        true,
      ],
      [
        'express/test_express_sync.py::started synchronously',
        { hasRedriveCount: false, kind: 'express' },
        true,
      ],
    ]);
  });
});
