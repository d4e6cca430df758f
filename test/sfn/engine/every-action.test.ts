import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngine } from '../../../local/sfn/engine';
import { SfnApiError } from '../../../local/sfn/errors';
import { STEP_FUNCTIONS_ACTIONS } from '../../../local/sfn/http-server';
import type { StepFunctionsEngine } from '../../../local/sfn/service-api';

describe('the whole Step Functions API', () => {
  let engine: StepFunctionsEngine;

  beforeAll(async () => {
    engine = await createEngine({ dataPath: ':memory:', activityPollMs: 0 });
  });

  afterAll(async () => {
    await engine.close();
  });

  it.each([...STEP_FUNCTIONS_ACTIONS])(
    'answers %s (an empty request meets a validation error, not UnknownOperation)',
    async (action) => {
      let code = 'answered';
      try {
        await engine.dispatch(action, {});
      } catch (error) {
        if (!(error instanceof SfnApiError)) throw error;
        code = error.code;
      }
      expect(code).not.toBe('UnknownOperationException');
    },
  );
});
