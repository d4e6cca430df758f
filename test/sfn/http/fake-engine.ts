/**
 * A small in-memory engine that follows the `StepFunctionsEngine` contract closely enough to test the HTTP front:
 * state machines whose executions succeed at once with their input, stop, history and paginated listing.
 */
import { SfnApiError } from '../../../local/sfn/errors';
import type { RecordedEvent, StatusChangeEvent, StepFunctionsEngine } from '../../../local/sfn/service-api';

interface FakeExecution {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'ABORTED';
  input: string;
  output?: string;
  startDate: number;
  stopDate?: number;
}

export class FakeEngine implements StepFunctionsEngine {
  readonly calls: { action: string; input: Record<string, unknown> }[] = [];
  private readonly machines = new Map<string, { name: string; definition: string; creationDate: number }>();
  private readonly executions = new Map<string, FakeExecution>();
  closed = false;

  async dispatch(action: string, input: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.calls.push({ action, input });
    switch (action) {
      case 'CreateStateMachine':
        return this.create(input);
      case 'ListStateMachines':
        return this.list(input);
      case 'StartExecution':
        return this.start(input);
      case 'DescribeExecution':
        return this.describe(this.execution(input.executionArn));
      case 'StopExecution': {
        const execution = this.execution(input.executionArn);
        execution.status = 'ABORTED';
        execution.stopDate = 1_700_000_100.25;
        return { stopDate: execution.stopDate };
      }
      case 'GetExecutionHistory':
        return this.history(this.execution(input.executionArn));
      default:
        return { echoedAction: action };
    }
  }

  recordedEvents(): RecordedEvent[] {
    return [];
  }

  statusChangeEvents(): StatusChangeEvent[] {
    return [];
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private create(input: Record<string, unknown>) {
    const name = String(input.name);
    if (typeof input.definition !== 'string' || input.definition.includes('"States": {}')) {
      throw new SfnApiError('InvalidDefinition', 'Invalid State Machine Definition');
    }
    const arn = `arn:aws:states:us-east-1:123456789012:stateMachine:${name}`;
    if (this.machines.has(arn))
      throw new SfnApiError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}'`);
    const creationDate = 1_700_000_000 + this.machines.size;
    this.machines.set(arn, { name, definition: input.definition, creationDate });
    return { stateMachineArn: arn, creationDate };
  }

  private list(input: Record<string, unknown>) {
    const all = [...this.machines.entries()].map(([arn, machine]) => ({
      stateMachineArn: arn,
      name: machine.name,
      type: 'STANDARD',
      creationDate: machine.creationDate,
    }));
    const start = typeof input.nextToken === 'string' ? Number(input.nextToken) : 0;
    const size = typeof input.maxResults === 'number' && input.maxResults > 0 ? input.maxResults : 100;
    const page = all.slice(start, start + size);
    return start + size < all.length
      ? { stateMachines: page, nextToken: String(start + size) }
      : { stateMachines: page };
  }

  private start(input: Record<string, unknown>) {
    const stateMachineArn = String(input.stateMachineArn);
    if (!this.machines.has(stateMachineArn)) {
      throw new SfnApiError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${stateMachineArn}'`);
    }
    const name = typeof input.name === 'string' ? input.name : `run-${this.executions.size}`;
    const executionArn = `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
    const text = typeof input.input === 'string' ? input.input : '{}';
    const startDate = 1_700_000_050.5;
    const waits = text.includes('"wait"');
    this.executions.set(executionArn, {
      executionArn,
      stateMachineArn,
      name,
      status: waits ? 'RUNNING' : 'SUCCEEDED',
      input: text,
      ...(waits ? {} : { output: text, stopDate: startDate + 1 }),
      startDate,
    });
    return { executionArn, startDate };
  }

  private execution(arn: unknown): FakeExecution {
    const execution = this.executions.get(String(arn));
    if (!execution)
      throw new SfnApiError('ExecutionDoesNotExist', `Execution Does Not Exist: '${String(arn)}'`);
    return execution;
  }

  private describe(execution: FakeExecution) {
    return { ...execution };
  }

  private history(execution: FakeExecution) {
    const events: Record<string, unknown>[] = [
      {
        id: 1,
        previousEventId: 0,
        timestamp: execution.startDate,
        type: 'ExecutionStarted',
        executionStartedEventDetails: { input: execution.input, roleArn: 'arn:aws:iam::123456789012:role/x' },
      },
    ];
    if (execution.status === 'SUCCEEDED') {
      events.push({
        id: 2,
        previousEventId: 1,
        timestamp: execution.stopDate,
        type: 'ExecutionSucceeded',
        executionSucceededEventDetails: { output: execution.output },
      });
    }
    if (execution.status === 'ABORTED') {
      events.push({ id: 2, previousEventId: 1, timestamp: execution.stopDate, type: 'ExecutionAborted' });
    }
    return { events };
  }
}
