import type { OpenAPIRegistry, ResponseConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import {
  authorityReportQuerySchema,
  authorityReportSchema,
  dsaPrefillSchema,
  exportQuerySchema,
  letterVerificationSchema,
  statisticsQuerySchema,
  statisticsSchema,
} from './report-schemas';

interface Helpers {
  problems: (...statuses: number[]) => Record<string, ResponseConfig>;
  json: (schema: z.ZodType, description: string) => ResponseConfig;
  security: { [name: string]: string[] }[];
}

const redirect = {
  description: 'Too large for a Lambda response: a short-lived (5 min) presigned S3 link to the same file',
  headers: { Location: { schema: { type: 'string' as const } } },
};
const csv = (description: string) => ({
  description,
  content: { 'text/csv': { schema: z.string().describe('UTF-8 with BOM, RFC 4180 (CRLF)') } },
});
const WHO = 'Operators (clients with `takedown/admin`) see every agency; an agency sees its own orders only.';

/** The reports function's routes (issue 10): statistics, exports, letters, public verification. */
export function registerReportPaths(registry: OpenAPIRegistry, { problems, json, security }: Helpers): void {
  registry.registerPath({
    method: 'get',
    path: '/v1/statistics',
    summary: 'Compliance statistics per platform and in total',
    description: `${WHO} Orders count on the day they were served, in \`tz\`. See docs/reports.md for each number.`,
    security,
    request: { query: statisticsQuerySchema },
    responses: {
      '200': json(registry.register('Statistics', statisticsSchema), 'The statistics'),
      ...problems(400, 401, 403, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exports/orders.csv',
    summary: 'One CSV row per item of the orders created from..to (UTC days)',
    description: WHO,
    security,
    request: { query: exportQuerySchema },
    responses: { '200': csv('The orders, one row per item'), '303': redirect, ...problems(401, 403, 422) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exports/dsa-statements',
    summary: 'Prefilled DSA Transparency Database statements of reasons, in batches of 100',
    description: `${WHO} A prefill for the platform to complete and submit: only items acted on whose decision falls in from..to, only orders with EU/EEA territorial scope.`,
    security,
    request: { query: exportQuerySchema },
    responses: { '200': json(dsaPrefillSchema, 'The prefill'), ...problems(401, 403, 422) },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/exports/authority-report',
    summary: 'The counts an authority publishes under TCO Art. 8 that Tenggat knows, for a year (WIB)',
    description: WHO,
    security,
    request: { query: authorityReportQuerySchema },
    responses: {
      '200': {
        description: 'The report (`format=csv` for CSV)',
        content: {
          'application/json': { schema: authorityReportSchema },
          'text/csv': { schema: z.string() },
        },
      },
      ...problems(401, 403, 422),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/takedown-requests/{id}/letters/{stage}',
    summary: 'The formal letter of a stage as PDF (Bahasa Indonesia, then English)',
    description: `${WHO} Send \`Accept: application/pdf\` (the API's binary media type). 404 for a stage the order has not reached. Each letter served is recorded by its SHA-256 for \`/v1/verify\`.`,
    security,
    request: {
      params: z.object({
        id: z.string().describe('Order id'),
        stage: z.enum(['order', 'st1', 'st2', 'st3', 'withdrawal']),
      }),
    },
    responses: {
      '200': { description: 'The letter', content: { 'application/pdf': { schema: z.string() } } },
      '303': redirect,
      ...problems(401, 403, 404),
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/v1/verify/{sha256}',
    summary: 'Public: which order and stage a letter digest belongs to, and whether it is still current',
    description: 'No authentication. Answers ids, the stage and times only, never the content of the order.',
    request: { params: z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/) }) },
    responses: {
      '200': json(registry.register('LetterVerification', letterVerificationSchema), 'The letter is known'),
      ...problems(404),
    },
  });
}
