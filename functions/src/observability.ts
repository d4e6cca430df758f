import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

// Log keys that may carry secrets, tokens or evidence are never written.
const REDACTED_KEYS = [
  'authorization',
  'webhook-signature',
  'taskToken',
  'notificationSecret',
  'responseSecret',
  'evidence',
];

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tenggat' });
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Tenggat',
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tenggat',
});
export const tracer = new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'tenggat' });

export function redact(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value).map(([key, entry]) => [key, REDACTED_KEYS.includes(key) ? '[redacted]' : entry]),
  );
}
