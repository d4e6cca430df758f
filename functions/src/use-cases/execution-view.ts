import { NotFoundError } from '../domain/errors';
import { eventViews, executionStates } from '../domain/execution-states';
import type { Deps } from './deps';

export type ExecutionViewDeps = Pick<Deps, 'orders' | 'workflow' | 'executions' | 'deployed'>;

/** The most events one GetExecutionHistory call returns: the first page's states are computed over this many. */
export const STATES_HISTORY_LIMIT = 1_000;

export const awsConsoleUrl = (executionArn: string): string => {
  const region = executionArn.split(':')[3] ?? '';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionArn}`;
};

/**
 * The order's execution for the operator's console: its description, the definition it runs, a page of its history
 * and the states it went through and is in. On the first page the states come from the whole history when it holds
 * at most 1,000 events (else from its first 1,000, `statesComplete: false`); on a later page from that page only.
 */
export async function executionView(
  deps: ExecutionViewDeps,
  input: { orderId: string; limit: number; nextToken: string | null },
) {
  const order = await deps.orders.getOrder(input.orderId);
  if (order === null) throw new NotFoundError(`order ${input.orderId} does not exist`);
  const executionArn = order.executionArn ?? deps.workflow.executionArnOf(order.orderId);
  const execution = await deps.executions.describe(executionArn);
  if (execution === null)
    throw new NotFoundError(
      `order ${order.orderId} has no execution yet (status ${order.status}): it starts once the order is accepted`,
    );
  const [definitionText, page] = await Promise.all([
    deps.executions.definitionOf(executionArn),
    deps.executions.history(executionArn, { limit: input.limit, nextToken: input.nextToken }),
  ]);
  const definition = JSON.parse(definitionText) as Record<string, unknown>;
  let statesOver = page.events;
  let statesComplete = input.nextToken === null && page.nextToken === null;
  if (input.nextToken === null && page.nextToken !== null && input.limit < STATES_HISTORY_LIMIT) {
    const longer = await deps.executions.history(executionArn, {
      limit: STATES_HISTORY_LIMIT,
      nextToken: null,
    });
    statesOver = longer.events;
    statesComplete = longer.nextToken === null;
  }
  const states = executionStates(eventViews(statesOver), definition);
  return {
    ...execution,
    startDate: execution.startDate.toISOString(),
    stopDate: execution.stopDate?.toISOString() ?? null,
    awsConsoleUrl: awsConsoleUrl(execution.executionArn),
    deployed: deps.deployed,
    definition,
    currentStates: states.currentStates,
    visitedStates: states.visitedStates,
    statesComplete,
    events: eventViews(page.events),
    nextToken: page.nextToken,
  };
}
