import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

// Nothing logs events or bodies: handlers log ids, counts, results and problem types only, never tokens, secrets
// or evidence.
const serviceName = process.env.POWERTOOLS_SERVICE_NAME ?? 'tenggat';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tenggat',
  serviceName,
});
export const tracer = new Tracer({ serviceName });
