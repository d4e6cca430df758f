import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import middy from '@middy/core';
import * as z from 'zod';
import { logger, metrics, tracer } from '../observability';
import { type EmailNoticeDeps, emailNotice, recordEmailEvent } from '../use-cases/email-notice';
import { wireEmailNotice } from '../wiring/wire-email-notice';

export type EmailNoticeHandlerDeps = EmailNoticeDeps;

const noticeInputSchema = z.object({
  orderId: z.string().min(1).max(80),
  noticeId: z.string().regex(/^\d{6}$/),
});

/** An SES sending event from the default bus (the configuration set's EventBridge destination). */
const sesEventSchema = z.object({
  source: z.literal('aws.ses'),
  'detail-type': z.string(),
  time: z.string(),
  detail: z.object({
    eventType: z.string(),
    mail: z.object({
      messageId: z.string(),
      tags: z.record(z.string(), z.array(z.string())).default({}),
    }),
  }),
});

export class InvalidEmailInputError extends Error {
  override name = 'InvalidEmailInputError';
}

/**
 * Two callers: the state machine's `EmailNotice` state (`{ orderId, noticeId }`: send the notice's fallback email)
 * and the SES events rule (record a delivery, bounce or complaint on the notice the message carried).
 */
export function makeHandler(deps: EmailNoticeHandlerDeps) {
  return middy(async (input: unknown): Promise<object> => {
    const sesEvent = sesEventSchema.safeParse(input);
    if (sesEvent.success) {
      const { mail, eventType } = sesEvent.data.detail;
      const orderId = mail.tags.orderId?.[0];
      const noticeId = mail.tags.noticeId?.[0];
      if (orderId === undefined || noticeId === undefined) return { recorded: false };
      logger.appendKeys({ orderId, noticeId });
      await recordEmailEvent(deps, {
        orderId,
        noticeId,
        messageId: mail.messageId,
        type: eventType.toLowerCase(),
        at: new Date(sesEvent.data.time),
      });
      logger.info('email event', { type: eventType });
      return { recorded: true };
    }
    const parsed = noticeInputSchema.safeParse(input);
    if (!parsed.success)
      throw new InvalidEmailInputError(z.prettifyError(parsed.error), { cause: parsed.error });
    logger.appendKeys({ orderId: parsed.data.orderId, noticeId: parsed.data.noticeId });
    const result = await emailNotice(deps, parsed.data);
    if (result.outcome !== 'skipped')
      metrics.addMetric(
        result.outcome === 'sent' ? 'NoticeEmailed' : 'NoticeEmailFailed',
        MetricUnit.Count,
        1,
      );
    logger.info('notice email', { ...result });
    return result;
  })
    .use(captureLambdaHandler(tracer, { captureResponse: false }))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}

export const handler = makeHandler(wireEmailNotice());
