import { LambdaIntakeStarter } from '../adapters/lambda-intake-starter';
import { lambdaClient } from './clients/lambda';

/** Asynchronous invokes of the intake function. */
export const intakeStarter = (functionName: string): LambdaIntakeStarter =>
  new LambdaIntakeStarter(lambdaClient, functionName);
