import { DynamoReportStore } from '../adapters/dynamodb-reports';
import { S3ReportFiles } from '../adapters/s3-report-files';
import { ConfigurationError, loadConfig } from '../config';
import { INLINE_LIMIT_BYTES, type ReportsHandlerDeps } from '../handlers/reports';
import { documentClient } from './clients/dynamodb';
import { s3Client } from './clients/s3';
import { orderRepository, platformRepository } from './stores';
import { systemClock } from './system';

/** Reads the table (orders, platforms), records issued letters, and puts large files in the reports bucket. */
export function wireReports(env: NodeJS.ProcessEnv = process.env): ReportsHandlerDeps {
  const config = loadConfig(env, ['agencyClients']);
  if (config.publicApiUrl === null) throw new ConfigurationError('PUBLIC_API_URL is required');
  return {
    // Letters print the signed head as stored; verifying the chain is the audit route's work.
    orders: orderRepository(config, null),
    platforms: platformRepository(config),
    reports: new DynamoReportStore(documentClient, config.tableName),
    reportFiles: config.reportsBucket === null ? null : new S3ReportFiles(s3Client, config.reportsBucket),
    clock: systemClock,
    links: { apiUrl: config.publicApiUrl, portalUrl: config.portalUrl },
    agencyClients: config.agencyClients,
    agencyIds: [...new Set(Object.values(config.agencyClients))],
    inlineLimitBytes: INLINE_LIMIT_BYTES,
  };
}
