import { DynamoReportStore } from '../adapters/dynamodb-reports';
import { SesMailer } from '../adapters/ses-mailer';
import { loadConfig } from '../config';
import type { EmailNoticeHandlerDeps } from '../handlers/email-notice';
import { documentClient } from './clients/dynamodb';
import { sesClient } from './clients/sesv2';
import { eventBridgePublisher } from './events';
import { auditSigner, orderRepository, platformRepository } from './stores';
import { systemClock } from './system';

/** The table (orders, platforms, issued letters) and audit key, SES to send with, the bus to tell operators and the agency. */
export function wireEmailNotice(env: NodeJS.ProcessEnv = process.env): EmailNoticeHandlerDeps {
  const config = loadConfig(env, ['eventBus', 'mail']);
  return {
    orders: orderRepository(config, auditSigner(config)),
    platforms: platformRepository(config),
    events: eventBridgePublisher(config),
    mailer: new SesMailer(sesClient, config.mailFrom, config.sesConfigurationSet),
    clock: systemClock,
    // The letter attached to each email is recorded by its digest, for the public verification route.
    reports: new DynamoReportStore(documentClient, config.tableName),
    links: { apiUrl: config.publicApiUrl, portalUrl: config.portalUrl },
  };
}
