/**
 * SES event publishing: the records SES writes for a message (`Send`, then `Delivery`, or for the mailbox
 * simulator's `bounce@` / `complaint@` addresses `Bounce` / `Complaint`), sent to the configuration set's enabled
 * destinations whose `MatchingEventTypes` list them: EventBridge (`aws.ses`, "Email Sent", ...) or an SNS topic.
 */
import { randomUUID } from 'node:crypto';
import { addressOf, type OutboxEmail } from './outbox';
import { type ConfigurationSetSpec, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './template';

export interface SesRecord {
  /** The destination's event type name (`send`, `delivery`, `bounce`, `complaint`). */
  matchingType: string;
  detailType: string;
  record: Record<string, unknown>;
}

export interface SesEventSink {
  publish(configurationSet: ConfigurationSetSpec, record: SesRecord): void;
}

const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

export function buildSesRecords(input: {
  email: OutboxEmail;
  identityArn: string;
  configurationSet: string;
  tags: Record<string, string[]>;
}): { send: SesRecord; later: () => SesRecord[] } {
  const { email } = input;
  const recipients = [...email.to, ...email.cc, ...email.bcc].map(addressOf);
  const fromAddress = addressOf(email.from);
  const headers = [
    { name: 'From', value: email.from },
    { name: 'To', value: email.to.join(', ') },
    { name: 'Subject', value: email.subject },
    { name: 'MIME-Version', value: '1.0' },
  ];
  const mail = {
    timestamp: email.sentAt,
    source: email.from,
    sourceArn: input.identityArn,
    sendingAccountId: LOCAL_ACCOUNT_ID,
    messageId: email.messageId,
    destination: recipients,
    headersTruncated: false,
    headers,
    commonHeaders: { from: [email.from], to: email.to, messageId: email.messageId, subject: email.subject },
    tags: {
      'ses:configuration-set': [input.configurationSet],
      'ses:source-ip': ['127.0.0.1'],
      'ses:from-domain': [fromAddress.split('@')[1] ?? ''],
      'ses:caller-identity': ['local'],
      ...input.tags,
    },
  };
  const send: SesRecord = {
    matchingType: 'send',
    detailType: 'Email Sent',
    record: { eventType: 'Send', mail, send: {} },
  };
  const later = (): SesRecord[] => {
    const now = new Date();
    const timestamp = now.toISOString();
    const bounced: string[] = recipients.filter((address) => address === `bounce@${SIMULATOR_DOMAIN}`);
    const delivered = recipients.filter((address) => !bounced.includes(address));
    const complained = delivered.filter((address) => address === `complaint@${SIMULATOR_DOMAIN}`);
    const records: SesRecord[] = [];
    if (delivered.length) {
      records.push({
        matchingType: 'delivery',
        detailType: 'Email Delivered',
        record: {
          eventType: 'Delivery',
          mail,
          delivery: {
            timestamp,
            processingTimeMillis: now.getTime() - Date.parse(email.sentAt),
            recipients: delivered,
            smtpResponse: '250 2.6.0 Message received',
            reportingMTA: 'localhost',
          },
        },
      });
    }
    if (bounced.length) {
      records.push({
        matchingType: 'bounce',
        detailType: 'Email Bounced',
        record: {
          eventType: 'Bounce',
          mail,
          bounce: {
            bounceType: 'Permanent',
            bounceSubType: 'General',
            bouncedRecipients: bounced.map((emailAddress) => ({
              emailAddress,
              action: 'failed',
              status: '5.1.1',
              diagnosticCode: 'smtp; 550 5.1.1 user unknown',
            })),
            timestamp,
            feedbackId: randomUUID(),
            reportingMTA: 'dsn; localhost',
          },
        },
      });
    }
    if (complained.length) {
      records.push({
        matchingType: 'complaint',
        detailType: 'Email Complaint Received',
        record: {
          eventType: 'Complaint',
          mail,
          complaint: {
            complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
            timestamp,
            feedbackId: randomUUID(),
            complaintFeedbackType: 'abuse',
          },
        },
      });
    }
    return records;
  };
  return { send, later };
}

export function createSesEventSink(targets: {
  putEvent(entry: {
    Source: string;
    DetailType: string;
    Detail: string;
    Resources: string[];
    EventBusName: string;
  }): void;
  publishToTopic?(topicArn: string, message: string): void;
  onError?(message: string): void;
}): SesEventSink {
  return {
    publish(configurationSet, record) {
      for (const destination of configurationSet.eventDestinations) {
        if (!destination.enabled || !destination.matchingEventTypes.includes(record.matchingType)) continue;
        try {
          if (destination.eventBusArn) {
            targets.putEvent({
              EventBusName: destination.eventBusArn,
              Source: 'aws.ses',
              DetailType: record.detailType,
              Detail: JSON.stringify(record.record),
              Resources: [
                `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:configuration-set/${configurationSet.name}`,
              ],
            });
          }
          if (destination.topicArn)
            targets.publishToTopic?.(destination.topicArn, JSON.stringify(record.record));
        } catch (error) {
          targets.onError?.(`SES event destination ${destination.name}: ${String(error)}`);
        }
      }
    },
  };
}
