import { SYSTEM_ACTOR } from '../domain/audit';
import { parseDurationMs } from '../domain/duration';
import { intakeStalled } from '../domain/intake';
import { decideRecovery, type OpenOrder, type Recovery } from '../domain/recovery';
import type { Deps } from './deps';
import { changeOrder } from './order-changes';

const DEFAULT_INTAKE_STALL_PERIOD = 'PT1M';

export type ReconcileDeps = Pick<Deps, 'orders' | 'workflow' | 'events' | 'clock' | 'intake'>;

export interface ReconcileReport {
  openOrders: number;
  running: number;
  recovered: { orderId: string; how: 'started' | 'redriven' | 'restarted'; executionArn: string }[];
  /** Accepting orders whose background intake had stalled, invoked again from where they stopped. */
  resumedIntakes: { orderId: string; itemsAccepted: number }[];
  /** Orders whose recovery failed this time (tried again on the next run). */
  failed: { orderId: string; error: string }[];
}

const HOW: Record<Exclude<Recovery['action'], 'none'>, ReconcileReport['recovered'][number]['how']> = {
  start: 'started',
  redrive: 'redriven',
  restart: 'restarted',
};

/**
 * Every non-final order must have a running execution (an accepting one: a living intake, see below). Reads the
 * open-orders index and the running executions, and brings back each open order without one: never started → started under its own name; failed, timed out or
 * aborted within 14 days → redriven from the failed state; else a new `<orderId>.<n>` that resumes from DynamoDB.
 */
export async function reconcileExecutions(deps: ReconcileDeps): Promise<ReconcileReport> {
  const [open, running] = await Promise.all([deps.orders.listOpenOrders(), deps.workflow.listRunning()]);
  const report: ReconcileReport = {
    openOrders: open.length,
    running: running.size,
    recovered: [],
    resumedIntakes: [],
    failed: [],
  };
  for (const order of open) {
    if (order.status === 'accepting') {
      await resumeStalledIntake(deps, order.orderId, report);
      continue;
    }
    const arn = order.executionArn ?? deps.workflow.executionArnOf(order.orderId);
    if (running.has(arn)) continue;
    try {
      const recovered = await recover(deps, { ...order, executionArn: arn });
      if (recovered) report.recovered.push(recovered);
    } catch (error) {
      report.failed.push({
        orderId: order.orderId,
        error: error instanceof Error ? error.message : String(error),
      });
    }
  }
  return report;
}

/**
 * An accepting order has no execution yet: what must keep running is its intake. One whose progress has not moved
 * for the policy's `intakeStallPeriod` (its invocation crashed past Lambda's retries) is invoked again; the intake resumes from the
 * marker's progress, so a duplicate of a slow but living intake rewrites at most one slice with the same records.
 */
async function resumeStalledIntake(deps: ReconcileDeps, orderId: string, report: ReconcileReport) {
  try {
    const order = await deps.orders.getOrder(orderId);
    if (order?.status !== 'accepting' || !order.intake) return;
    // The order's own policy; one stored before the field existed reads its default.
    const stallMs = parseDurationMs(order.policy.intakeStallPeriod ?? DEFAULT_INTAKE_STALL_PERIOD);
    if (!intakeStalled(order.intake, deps.clock.now(), stallMs)) return;
    const itemsAccepted = order.intake.itemsAccepted;
    await deps.intake.start({ orderId, from: itemsAccepted, trigger: 'reconciler' });
    report.resumedIntakes.push({ orderId, itemsAccepted });
  } catch (error) {
    report.failed.push({ orderId, error: error instanceof Error ? error.message : String(error) });
  }
}

async function recover(deps: ReconcileDeps, order: OpenOrder & { executionArn: string }) {
  const execution = await deps.workflow.describe(order.executionArn);
  const now = deps.clock.now();
  const decision = decideRecovery(order, execution, now);
  if (decision.action === 'none') return null;
  let executionArn = order.executionArn;
  if (decision.action === 'redrive') await deps.workflow.redrive(order.executionArn);
  else {
    const recovery = decision.action === 'restart' ? order.recoveries + 1 : undefined;
    executionArn = await deps.workflow.start(order.orderId, {
      name: decision.executionName,
      ...(recovery ? { recovery } : {}),
    });
  }
  const how = HOW[decision.action];
  const previousStatus = execution.status;
  const { after } = await changeOrder(deps, order.orderId, async (current) => ({
    result: null,
    change: {
      set: {
        executionArn,
        ...(decision.action === 'restart' ? { recoveries: current.recoveries + 1 } : {}),
      },
      items: [],
      audit: {
        orderId: order.orderId,
        at: now.toISOString(),
        actor: SYSTEM_ACTOR,
        action: 'execution_recovered',
        stage: current.stage,
        details: { how, executionArn, previousStatus },
      },
    },
  }));
  await deps.events.publish([
    {
      type: 'order.execution_recovered',
      orderId: order.orderId,
      platformId: after.platformId,
      agencyId: after.agencyId,
      detail: { how, executionArn, previousStatus, agencyId: after.agencyId },
    },
  ]);
  return { orderId: order.orderId, how, executionArn };
}
