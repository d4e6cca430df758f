import { StepFunctionsWorkflow } from '../adapters/step-functions';
import { StepFunctionsExecutions } from '../adapters/step-functions-executions';
import { sfnClient } from './clients/sfn';

export const stepFunctionsWorkflow = (stateMachineArn: string): StepFunctionsWorkflow =>
  new StepFunctionsWorkflow(sfnClient, stateMachineArn);

export const stepFunctionsExecutions = (): StepFunctionsExecutions => new StepFunctionsExecutions(sfnClient);
