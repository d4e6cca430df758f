/**
 * A local Amazon SES v2 (REST-JSON, routed by path `/v2/email/...`): `SendEmail` with `Content.Simple` from the
 * identities the template declares, into the outbox; the configuration set's event destinations get SES's
 * send/delivery (and mailbox-simulator bounce/complaint) records, on the default bus as `aws.ses` events.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './http-util';
import { addressOf, type EmailAttachment, type Outbox } from './outbox';
import { buildSesRecords, type SesEventSink } from './ses-events';
import {
  type ConfigurationSetSpec,
  type EmailIdentitySpec,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
} from './template';

/** SES v2's limit on one message, attachments included (40 MB). */
export const MESSAGE_LIMIT_BYTES = 40 * 1024 * 1024;
const RECIPIENT_LIMIT = 50;

export class SesApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus = 400,
  ) {
    super(message);
    this.name = 'SesApiError';
  }
}

export interface LocalSesOptions {
  identities: EmailIdentitySpec[];
  configurationSets: ConfigurationSetSpec[];
  outbox: Outbox;
  events?: SesEventSink;
  /** How long after the send record the delivery record comes (SES: seconds). @default 1000 */
  deliveryDelayMillis?: number;
}

export interface LocalSes {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  sendEmail(input: Record<string, unknown>): { MessageId: string };
  close(): void;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  csv: 'text/csv',
  txt: 'text/plain',
  html: 'text/html',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  zip: 'application/zip',
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const textOf = (value: unknown): string | null =>
  isRecord(value) && typeof value.Data === 'string' ? value.Data : null;
const stringList = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];

function checkAddress(mailbox: string): void {
  const address = addressOf(mailbox);
  const at = address.lastIndexOf('@');
  if (at <= 0 || at === address.length - 1)
    throw new SesApiError('BadRequestException', "Missing final '@domain'");
}

function attachmentsOf(simple: Record<string, unknown>): EmailAttachment[] {
  const list = Array.isArray(simple.Attachments) ? simple.Attachments : [];
  return list.map((entry, index) => {
    if (!isRecord(entry) || typeof entry.FileName !== 'string' || entry.FileName === '') {
      throw new SesApiError('BadRequestException', `Attachments[${index}].FileName is required`);
    }
    if (typeof entry.RawContent !== 'string') {
      throw new SesApiError('BadRequestException', `Attachments[${index}].RawContent is required`);
    }
    const extension = entry.FileName.split('.').pop()?.toLowerCase() ?? '';
    return {
      filename: entry.FileName,
      contentType:
        typeof entry.ContentType === 'string'
          ? entry.ContentType
          : (CONTENT_TYPES[extension] ?? 'application/octet-stream'),
      content: Buffer.from(entry.RawContent, 'base64'),
    };
  });
}

/** SES message ids look like `0100018f2a…-<uuid>-000000`. */
const newMessageId = () => `010001${Date.now().toString(16).padStart(10, '0')}-${randomUUID()}-000000`;

export function createLocalSes(options: LocalSesOptions): LocalSes {
  const identities = options.identities;
  const configurationSets = new Map(options.configurationSets.map((set) => [set.name, set]));
  const timers = new Set<NodeJS.Timeout>();

  /** The verified identity that covers an address: the address itself, its domain or a parent domain. */
  const identityFor = (address: string): EmailIdentitySpec | undefined => {
    const exact = identities.find((identity) => identity.identity.toLowerCase() === address);
    if (exact) return exact;
    const labels = (address.split('@')[1] ?? '').split('.');
    for (let i = 0; i < labels.length - 1; i++) {
      const domain = labels.slice(i).join('.');
      const found = identities.find(
        (identity) => identity.type === 'DOMAIN' && identity.identity.toLowerCase() === domain,
      );
      if (found) return found;
    }
    return undefined;
  };

  const sendEmail: LocalSes['sendEmail'] = (input) => {
    const content = isRecord(input.Content) ? input.Content : undefined;
    if (!content) throw new SesApiError('BadRequestException', 'Content is required');
    if (!isRecord(content.Simple)) {
      throw new SesApiError(
        'BadRequestException',
        'the local SES sends Content.Simple only (not Raw or Template)',
      );
    }
    const from = input.FromEmailAddress;
    if (typeof from !== 'string' || from === '')
      throw new SesApiError('BadRequestException', 'FromEmailAddress is required');
    const destination = isRecord(input.Destination) ? input.Destination : {};
    const to = stringList(destination.ToAddresses);
    const cc = stringList(destination.CcAddresses);
    const bcc = stringList(destination.BccAddresses);
    const recipients = [...to, ...cc, ...bcc];
    if (recipients.length === 0) throw new SesApiError('BadRequestException', 'Destination has no recipient');
    if (recipients.length > RECIPIENT_LIMIT) {
      throw new SesApiError('BadRequestException', `Recipient count exceeds ${RECIPIENT_LIMIT}.`);
    }
    for (const mailbox of [from, ...recipients]) checkAddress(mailbox);
    const identity = identityFor(addressOf(from));
    if (!identity) {
      throw new SesApiError(
        'MessageRejected',
        `Email address is not verified. The following identities failed the check in region ${LOCAL_REGION.toUpperCase()}: ${from}`,
      );
    }
    const setName =
      typeof input.ConfigurationSetName === 'string'
        ? input.ConfigurationSetName
        : identity.configurationSetName;
    const configurationSet = setName === undefined ? undefined : configurationSets.get(setName);
    if (setName !== undefined && !configurationSet) {
      throw new SesApiError('NotFoundException', `Configuration set <${setName}> does not exist.`, 404);
    }
    const simple = content.Simple;
    const subject = textOf(simple.Subject);
    const body = isRecord(simple.Body) ? simple.Body : {};
    const text = textOf(body.Text);
    const html = textOf(body.Html);
    if (subject === null) throw new SesApiError('BadRequestException', 'Subject is required');
    if (text === null && html === null)
      throw new SesApiError('BadRequestException', 'Body needs Text or Html');
    const attachments = attachmentsOf(simple);
    const size =
      Buffer.byteLength(subject) +
      Buffer.byteLength(text ?? '') +
      Buffer.byteLength(html ?? '') +
      attachments.reduce((total, a) => total + Math.ceil(a.content.length / 3) * 4, 0);
    if (size > MESSAGE_LIMIT_BYTES)
      throw new SesApiError('MessageRejected', 'Message length is more than 40 MB');

    const messageId = newMessageId();
    const email = options.outbox.add({
      messageId,
      from,
      to,
      cc,
      bcc,
      replyTo: stringList(input.ReplyToAddresses),
      subject,
      text,
      html,
      via: 'ses',
      configurationSetName: configurationSet?.name ?? null,
      attachments,
    });
    if (configurationSet && options.events) {
      const tags = Array.isArray(input.EmailTags) ? input.EmailTags.filter(isRecord) : [];
      const records = buildSesRecords({
        email,
        identityArn: `arn:aws:ses:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:identity/${identity.identity}`,
        configurationSet: configurationSet.name,
        tags: Object.fromEntries(tags.map((tag) => [String(tag.Name), [String(tag.Value)]])),
      });
      const sink = options.events;
      sink.publish(configurationSet, records.send);
      const timer = setTimeout(() => {
        timers.delete(timer);
        for (const record of records.later()) sink.publish(configurationSet, record);
      }, options.deliveryDelayMillis ?? 1000);
      timers.add(timer);
    }
    return { MessageId: messageId };
  };

  const identityView = (identity: EmailIdentitySpec) => ({
    IdentityType: identity.type,
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: true,
    VerificationStatus: 'SUCCESS',
    DkimAttributes: {
      SigningEnabled: identity.type === 'DOMAIN',
      Status: 'SUCCESS',
      SigningAttributesOrigin: 'AWS_SES',
    },
    MailFromAttributes: { BehaviorOnMxFailure: 'USE_DEFAULT_VALUE', MailFromDomainStatus: 'SUCCESS' },
    Policies: {},
    Tags: [],
    ...(identity.configurationSetName ? { ConfigurationSetName: identity.configurationSetName } : {}),
  });

  const route = (method: string, path: string, input: Record<string, unknown>): Record<string, unknown> => {
    if (method === 'POST' && path === '/v2/email/outbound-emails') return sendEmail(input);
    if (method === 'GET' && path === '/v2/email/account') {
      const since = new Date(Date.now() - 86_400_000).toISOString();
      return {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: {
          Max24HourSend: 50_000,
          MaxSendRate: 14,
          SentLast24Hours: options.outbox.list({ since }).filter((email) => email.via === 'ses').length,
        },
        SuppressionAttributes: { SuppressedReasons: [] },
      };
    }
    if (method === 'GET' && path === '/v2/email/identities') {
      return {
        EmailIdentities: identities.map((identity) => ({
          IdentityType: identity.type,
          IdentityName: identity.identity,
          SendingEnabled: true,
          VerificationStatus: 'SUCCESS',
        })),
      };
    }
    const identityMatch = /^\/v2\/email\/identities\/([^/]+)$/.exec(path);
    if (method === 'GET' && identityMatch?.[1]) {
      const name = decodeURIComponent(identityMatch[1]).toLowerCase();
      const identity = identities.find((candidate) => candidate.identity.toLowerCase() === name);
      if (!identity)
        throw new SesApiError('NotFoundException', `Email identity <${name}> does not exist.`, 404);
      return identityView(identity);
    }
    const setMatch = /^\/v2\/email\/configuration-sets\/([^/]+)$/.exec(path);
    if (method === 'GET' && setMatch?.[1]) {
      const name = decodeURIComponent(setMatch[1]);
      if (!configurationSets.has(name)) {
        throw new SesApiError('NotFoundException', `Configuration set <${name}> does not exist.`, 404);
      }
      return { ConfigurationSetName: name, SendingOptions: { SendingEnabled: true }, Tags: [] };
    }
    throw new SesApiError('NotFoundException', `the local SES has no operation ${method} ${path}`, 404);
  };

  const handle: LocalSes['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/v2/email/')) return false;
    const requestId = randomUUID();
    try {
      const text = (await readBody(request, MESSAGE_LIMIT_BYTES * 2)).toString('utf8');
      let input: unknown = {};
      try {
        input = text.trim() === '' ? {} : JSON.parse(text);
      } catch {
        throw new SesApiError('BadRequestException', 'the request body is not JSON');
      }
      const output = route(request.method ?? 'GET', url.pathname, isRecord(input) ? input : {});
      response.writeHead(200, { 'content-type': 'application/json', 'x-amzn-requestid': requestId });
      response.end(JSON.stringify(output));
    } catch (error) {
      const apiError =
        error instanceof SesApiError ? error : new SesApiError('InternalFailure', String(error), 500);
      response.writeHead(apiError.httpStatus, {
        'content-type': 'application/json',
        'x-amzn-requestid': requestId,
        'x-amzn-errortype': apiError.code,
      });
      response.end(JSON.stringify({ message: apiError.message }));
    }
    return true;
  };

  const close = () => {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };

  return { handle, sendEmail, close };
}
