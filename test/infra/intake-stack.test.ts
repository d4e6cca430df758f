import { describe, expect, it } from 'vitest';
import { functionPolicies, type PolicyStatement } from './function-policies';
import { synthTenggat } from './synth-tenggat';
import { resourceProperties } from './template-values';

type Json = Record<string, unknown>;

const { template } = synthTenggat();

const { statementsOf, environmentOf: envOf } = functionPolicies(template);

const withAction = (statements: PolicyStatement[], prefix: string) =>
  statements.filter((statement) => [statement.Action].flat().some((action) => action.startsWith(prefix)));

const INTAKE_OBJECTS = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['ReportsBucket', 'Arn'] }, '/intake/*']] };
const INTAKE_ARN = { 'Fn::GetAtt': ['IntakeFunction', 'Arn'] };

describe('the asynchronous intake of large orders', () => {
  it('lets the submit put bodies under intake/ only and invoke the intake function only', () => {
    const statements = statementsOf('SubmitOrderFunction');
    expect(withAction(statements, 's3:')).toEqual([
      expect.objectContaining({ Action: 's3:PutObject', Resource: INTAKE_OBJECTS }),
    ]);
    expect(withAction(statements, 'lambda:')).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: INTAKE_ARN }),
    ]);
    expect(envOf('SubmitOrderFunction')).toMatchObject({
      INTAKE_BUCKET: { Ref: 'ReportsBucket' },
      INTAKE_FUNCTION_NAME: { Ref: 'IntakeFunction' },
      ASYNC_INTAKE_ITEMS: '1000',
    });
  });

  it('lets the intake function get bodies, invoke itself and start executions, and sign nothing', () => {
    const statements = statementsOf('IntakeFunction');
    expect(withAction(statements, 's3:')).toEqual([
      expect.objectContaining({ Action: 's3:GetObject', Resource: INTAKE_OBJECTS }),
    ]);
    expect(withAction(statements, 'lambda:')).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: INTAKE_ARN }),
    ]);
    expect(withAction(statements, 'states:')).toEqual([
      expect.objectContaining({ Action: 'states:StartExecution' }),
    ]);
    expect(withAction(statements, 'kms:Sign')).toEqual([]);
    expect(withAction(statements, 'events:')).toEqual([]);
    expect(envOf('IntakeFunction')).toMatchObject({ INTAKE_BUCKET: { Ref: 'ReportsBucket' } });
  });

  it('lets only the submit, the reconciler and the intake itself invoke a function, and only the intake', () => {
    const invokers = Object.keys(template.findResources('AWS::Lambda::Function')).filter(
      (functionId) => withAction(statementsOf(functionId), 'lambda:').length > 0,
    );
    expect(invokers.sort()).toEqual(['IntakeFunction', 'ReconcilerFunction', 'SubmitOrderFunction']);
    expect(withAction(statementsOf('ReconcilerFunction'), 'lambda:')).toEqual([
      expect.objectContaining({ Action: 'lambda:InvokeFunction', Resource: INTAKE_ARN }),
    ]);
    expect(envOf('ReconcilerFunction')).toMatchObject({ INTAKE_FUNCTION_NAME: { Ref: 'IntakeFunction' } });
  });

  it('passes the threshold of context tenggat:asyncIntakeItems to the submit function', () => {
    const custom = synthTenggat({ asyncIntakeItems: 2_500 }).template;
    const env = (resourceProperties(custom, 'SubmitOrderFunction').Environment as { Variables: Json })
      .Variables;
    expect(env.ASYNC_INTAKE_ITEMS).toBe('2500');
  });
});
