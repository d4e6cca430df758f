import { StepFunctionsWorkflow } from '../adapters/step-functions';
import { sfnClient } from './clients/sfn';

export const stepFunctionsWorkflow = (stateMachineArn: string): StepFunctionsWorkflow =>
  new StepFunctionsWorkflow(sfnClient, stateMachineArn);
