import type { APIGatewayProxyResult } from 'aws-lambda';
import { apiHandler, pathParam } from '../http/api-handler';
import { type AgencyDirectory, agencyOf, callerOf } from '../http/auth';
import { type HttpEvent, json, validate } from '../http/middleware';
import {
  type AuthorityReportBody,
  authorityReportQuerySchema,
  type DsaPrefillBody,
  exportQuerySchema,
  type LetterVerificationBody,
  type StatisticsBody,
  statisticsQuerySchema,
} from '../http/report-schemas';
import type { Route } from '../http/router';
import type { ReportFiles } from '../ports';
import { issueLetter, type LetterDeps, verifyLetter } from '../use-cases/letters';
import {
  exportAuthorityReport,
  exportDsaStatements,
  exportOrdersCsv,
  getStatistics,
  type ReportDeps,
  type Viewer,
} from '../use-cases/reports';
import { wireReports } from '../wiring/wire-reports';

export type ReportsHandlerDeps = ReportDeps &
  LetterDeps &
  AgencyDirectory & {
    reportFiles: ReportFiles | null;
    /** Larger bodies go to S3 behind a 303 (a Lambda response holds 6 MB, base64 grows a PDF by a third). */
    inlineLimitBytes: number;
  };

export const INLINE_LIMIT_BYTES = 4_000_000;
/** How long a presigned link to a large letter or export stays valid. */
const LINK_SECONDS = 300;

/** Operators hold `takedown/admin` and see every agency; anyone else must be a declared agency. */
function viewerOf(event: HttpEvent, deps: ReportsHandlerDeps): Viewer {
  const caller = callerOf(event, 'takedown/read');
  if (caller.scopes.includes('takedown/admin')) return { operator: true };
  return { operator: false, agencyId: agencyOf(caller, deps.agencyClients) };
}

/** The file itself, or a 303 to a short-lived copy in S3 when it is too large for a Lambda response. */
async function fileResponse(
  deps: ReportsHandlerDeps,
  file: { body: Buffer; contentType: string; filename: string; binary: boolean },
): Promise<APIGatewayProxyResult> {
  const disposition = `attachment; filename="${file.filename}"`;
  if (file.body.length > deps.inlineLimitBytes && deps.reportFiles !== null) {
    const key = `${new Date().toISOString().slice(0, 10)}/${crypto.randomUUID()}/${file.filename}`;
    const url = await deps.reportFiles.publish(key, file.body, file.contentType, LINK_SECONDS);
    return { statusCode: 303, headers: { location: url, 'cache-control': 'no-store' }, body: '' };
  }
  return {
    statusCode: 200,
    headers: {
      'content-type': file.contentType,
      'content-disposition': disposition,
      'cache-control': 'no-store',
    },
    body: file.binary ? file.body.toString('base64') : file.body.toString('utf8'),
    isBase64Encoded: file.binary,
  };
}

const query = (event: HttpEvent) => event.queryStringParameters ?? {};

export const routes: readonly Route<ReportsHandlerDeps>[] = [
  {
    method: 'GET',
    resource: '/v1/statistics',
    handler: async (event, deps) => {
      const viewer = viewerOf(event, deps);
      const { tz, ...filter } = validate(statisticsQuerySchema, query(event));
      return json<StatisticsBody>(200, await getStatistics(deps, viewer, { ...filter, zone: tz }));
    },
  },
  {
    method: 'GET',
    resource: '/v1/exports/orders.csv',
    handler: async (event, deps) => {
      const viewer = viewerOf(event, deps);
      const period = validate(exportQuerySchema, query(event));
      const body = await exportOrdersCsv(deps, viewer, period);
      const filename = `tenggat-orders-${period.from}-${period.to}.csv`;
      return fileResponse(deps, { body, contentType: 'text/csv; charset=utf-8', filename, binary: false });
    },
  },
  {
    method: 'GET',
    resource: '/v1/exports/dsa-statements',
    handler: async (event, deps) => {
      const viewer = viewerOf(event, deps);
      const period = validate(exportQuerySchema, query(event));
      return json<DsaPrefillBody>(200, await exportDsaStatements(deps, viewer, period));
    },
  },
  {
    method: 'GET',
    resource: '/v1/exports/authority-report',
    handler: async (event, deps) => {
      const viewer = viewerOf(event, deps);
      const input = validate(authorityReportQuerySchema, query(event));
      const { report, csv } = await exportAuthorityReport(deps, viewer, input);
      if (csv === null) return json<AuthorityReportBody>(200, report);
      const filename = `tenggat-authority-report-${input.year}.csv`;
      return fileResponse(deps, {
        body: Buffer.from(csv),
        contentType: 'text/csv; charset=utf-8',
        filename,
        binary: false,
      });
    },
  },
  {
    method: 'GET',
    resource: '/v1/takedown-requests/{id}/letters/{stage}',
    handler: async (event, deps) => {
      const viewer = viewerOf(event, deps);
      const letter = await issueLetter(deps, viewer, {
        orderId: pathParam(event, 'id'),
        stage: pathParam(event, 'stage'),
      });
      return fileResponse(deps, {
        body: letter.pdf,
        contentType: 'application/pdf',
        filename: letter.filename,
        binary: true,
      });
    },
  },
  {
    method: 'GET',
    resource: '/v1/verify/{sha256}',
    // Public: anyone holding a letter may check it; the answer names ids and times, no content.
    handler: async (event, deps) =>
      json<LetterVerificationBody>(
        200,
        (await verifyLetter(deps, pathParam(event, 'sha256'))) as LetterVerificationBody,
      ),
  },
];

export const makeHandler = (deps: ReportsHandlerDeps) => apiHandler(routes, deps);

export const handler = makeHandler(wireReports());
