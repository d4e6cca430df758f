import { afterEach, describe, expect, it } from 'vitest';
import { registerStateMachine } from '../../local/cloud/start-steps';
import { registerStepFunctionsCatalog } from '../../local/cloud/step-functions-catalog';
import { parseTemplate } from '../../local/cloud/template';
import { createEngine } from '../../local/sfn/engine';
import type { StepFunctionsEngine } from '../../local/sfn/service-api';
import { temporaryDatabasePath, waitForStatus } from '../sfn/engine/engine-test-kit';

function templateWith(result: string) {
  return {
    Resources: {
      Flow: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'flow',
          DefinitionString: JSON.stringify({
            StartAt: 'P',
            States: { P: { Type: 'Pass', Result: result, End: true } },
          }),
        },
      },
      FlowVersion: {
        Type: 'AWS::StepFunctions::StateMachineVersion',
        Properties: { StateMachineArn: { Ref: 'Flow' }, Description: 'release' },
      },
      FlowAlias: {
        Type: 'AWS::StepFunctions::StateMachineAlias',
        Properties: {
          Name: 'live',
          DeploymentPreference: { StateMachineVersionArn: { Ref: 'FlowVersion' }, Type: 'ALL_AT_ONCE' },
        },
      },
      Reviewers: { Type: 'AWS::StepFunctions::Activity', Properties: { Name: 'reviewers' } },
    },
    Outputs: { AliasArn: { Value: { Ref: 'FlowAlias' } }, VersionArn: { Value: { Ref: 'FlowVersion' } } },
  };
}

async function deploy(engine: StepFunctionsEngine, result: string, log: string[] = []) {
  const template = parseTemplate(templateWith(result), { stackName: 'Stack', cdkOutDir: '/nowhere' });
  for (const machine of template.stateMachines) await registerStateMachine(engine, machine);
  await registerStepFunctionsCatalog(engine, template, (line) => log.push(line));
  return template;
}

describe('the local cloud creates state machine versions, aliases and activities from the template', () => {
  const engines: StepFunctionsEngine[] = [];
  afterEach(async () => {
    for (const engine of engines.splice(0)) await engine.close();
  });

  it('publishes the version, points the alias at it and runs executions started on the alias', async () => {
    const engine = await createEngine({ dataPath: ':memory:' });
    engines.push(engine);
    const template = await deploy(engine, 'first');
    const [version] = template.stateMachineVersions;
    const [alias] = template.stateMachineAliases;
    expect(template.resolve({ Ref: 'FlowAlias' })).toBe(alias?.arn);
    expect(alias?.arn).toMatch(/:stateMachine:flow:live$/);
    const described = await engine.dispatch('DescribeStateMachineAlias', {
      stateMachineAliasArn: alias?.arn,
    });
    expect(described.routingConfiguration).toEqual([
      { stateMachineVersionArn: version?.expectedArn, weight: 100 },
    ]);
    const started = await engine.dispatch('StartExecution', { stateMachineArn: alias?.arn });
    expect((await waitForStatus(engine, String(started.executionArn))).output).toBe('"first"');
    const activity = await engine.dispatch('DescribeActivity', { activityArn: template.activities[0]?.arn });
    expect(activity.name).toBe('reviewers');
  });

  it('on a restart with a changed definition publishes a new version and moves the alias to it', async () => {
    const dataPath = temporaryDatabasePath();
    const first = await createEngine({ dataPath });
    await deploy(first, 'first');
    await first.close();
    const engine = await createEngine({ dataPath });
    engines.push(engine);
    const log: string[] = [];
    const template = await deploy(engine, 'second', log);
    const alias = template.stateMachineAliases[0]?.arn;
    const described = await engine.dispatch('DescribeStateMachineAlias', { stateMachineAliasArn: alias });
    expect(described.routingConfiguration).toEqual([
      { stateMachineVersionArn: expect.stringMatching(/:flow:2$/), weight: 100 },
    ]);
    expect(log.join('\n')).toContain('FlowVersion');
    const started = await engine.dispatch('StartExecution', { stateMachineArn: alias });
    expect((await waitForStatus(engine, String(started.executionArn))).output).toBe('"second"');
  });
});
