import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import { logger, metrics, tracer } from '../observability';
import {
  type ReconcileDeps,
  type ReconcileReport,
  reconcileExecutions,
} from '../use-cases/reconcile-executions';
import { wireReconciler } from '../wiring/wire-reconciler';

export type ReconcilerHandlerDeps = ReconcileDeps;

/** Runs on the `tenggat-reconciler` schedule (its input is ignored): every open order gets a running execution. */
export function makeHandler(deps: ReconcilerHandlerDeps) {
  return middy(async (): Promise<ReconcileReport> => {
    const report = await reconcileExecutions(deps);
    metrics.addMetric('OpenOrders', MetricUnit.Count, report.openOrders);
    metrics.addMetric('ExecutionRecovered', MetricUnit.Count, report.recovered.length);
    metrics.addMetric('ExecutionRecoveryFailed', MetricUnit.Count, report.failed.length);
    metrics.addMetric('IntakeResumed', MetricUnit.Count, report.resumedIntakes.length);
    for (const recovered of report.recovered) logger.warn('execution recovered', { ...recovered });
    for (const resumed of report.resumedIntakes) logger.warn('stalled intake resumed', { ...resumed });
    for (const failed of report.failed) logger.error('execution recovery failed', { ...failed });
    logger.info('reconciled', { openOrders: report.openOrders, running: report.running });
    return report;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

export const handler = makeHandler(wireReconciler());
