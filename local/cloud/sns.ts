/**
 * A local Amazon SNS (Query protocol, `Action=Publish` etc.) for the template's topics and subscriptions: `email` and
 * `email-json` subscriptions (confirmed at once locally) land in the outbox, `lambda` ones invoke the function
 * asynchronously with SNS's event; filter policies apply. Other protocols are listed but not delivered.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { QueryApiError, serveAwsQuery, type XmlValue } from './aws-query';
import { matchesEventPattern } from './event-pattern';
import { permits } from './event-rules';
import type { Outbox } from './outbox';
import {
  type LambdaPermissionSpec,
  LOCAL_ACCOUNT_ID,
  LOCAL_REGION,
  type SubscriptionSpec,
  type TopicSpec,
} from './template';

const XMLNS = 'http://sns.amazonaws.com/doc/2010-03-31/';
const MESSAGE_LIMIT_BYTES = 256 * 1024;
const PAGE = 100;
const SNS_HOST = `https://sns.${LOCAL_REGION}.amazonaws.com`;

export interface MessageAttribute {
  DataType: string;
  StringValue?: string;
  BinaryValue?: string;
}

export interface PublishInput {
  topicArn: string;
  message: string;
  subject?: string;
  messageStructure?: string;
  messageAttributes?: Record<string, MessageAttribute>;
}

export interface LocalSns {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  publish(input: PublishInput): { MessageId: string };
  /** Makes the deliveries of every accepted publish now, then refuses new ones: none is lost at shutdown. */
  close(): void;
}

/** `MessageAttributes.entry.N.Name` / `.Value.DataType` / `.Value.StringValue` → a map. */
function attributesOf(params: URLSearchParams): Record<string, MessageAttribute> {
  const attributes: Record<string, MessageAttribute> = {};
  for (let n = 1; params.has(`MessageAttributes.entry.${n}.Name`); n++) {
    const prefix = `MessageAttributes.entry.${n}.Value.`;
    const name = params.get(`MessageAttributes.entry.${n}.Name`) ?? '';
    const dataType = params.get(`${prefix}DataType`);
    if (!dataType)
      throw new QueryApiError(
        'InvalidParameterValue',
        `The message attribute '${name}' must contain non-empty message attribute type.`,
      );
    attributes[name] = {
      DataType: dataType,
      ...(params.has(`${prefix}StringValue`)
        ? { StringValue: params.get(`${prefix}StringValue`) ?? '' }
        : {}),
      ...(params.has(`${prefix}BinaryValue`)
        ? { BinaryValue: params.get(`${prefix}BinaryValue`) ?? '' }
        : {}),
    };
  }
  return attributes;
}

/** What a filter policy (MessageAttributes scope) sees: strings, numbers and string arrays. */
function attributeValues(attributes: Record<string, MessageAttribute>): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, attribute] of Object.entries(attributes)) {
    if (attribute.DataType.startsWith('Number')) values[name] = Number(attribute.StringValue);
    else if (attribute.DataType === 'String.Array') {
      try {
        values[name] = JSON.parse(attribute.StringValue ?? '[]');
      } catch {
        values[name] = attribute.StringValue;
      }
    } else if (attribute.DataType.startsWith('String')) values[name] = attribute.StringValue;
  }
  return values;
}

function passesFilter(subscription: SubscriptionSpec, input: PublishInput): boolean {
  if (!subscription.filterPolicy) return true;
  let subject: unknown = attributeValues(input.messageAttributes ?? {});
  if (subscription.filterPolicyScope === 'MessageBody') {
    try {
      subject = JSON.parse(input.message);
    } catch {
      return false;
    }
  }
  return matchesEventPattern(subscription.filterPolicy, subject);
}

export function createLocalSns(options: {
  topics: TopicSpec[];
  subscriptions: SubscriptionSpec[];
  permissions: LambdaPermissionSpec[];
  outbox: Outbox;
  invokeLambda: (functionName: string, payload: string) => Promise<unknown>;
  log?: (line: string) => void;
}): LocalSns {
  const log = options.log ?? (() => {});
  const topics = new Map(options.topics.map((topic) => [topic.arn, topic]));
  const queued = new Set<() => void>();
  let closed = false;

  const notification = (
    topic: TopicSpec,
    input: PublishInput,
    messageId: string,
    message: string,
    subscriptionArn: string,
  ) => ({
    Type: 'Notification',
    MessageId: messageId,
    TopicArn: topic.arn,
    ...(input.subject !== undefined ? { Subject: input.subject } : {}),
    Message: message,
    Timestamp: new Date().toISOString(),
    SignatureVersion: '1',
    // Local notifications are not signed (there is no SNS signing certificate locally).
    Signature: 'LOCAL',
    SigningCertURL: `${SNS_HOST}/SimpleNotificationService-local.pem`,
    UnsubscribeURL: `${SNS_HOST}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
  });

  const messageFor = (input: PublishInput, protocol: string): string => {
    if (input.messageStructure !== 'json') return input.message;
    const structured = JSON.parse(input.message) as Record<string, unknown>;
    const chosen = structured[protocol] ?? structured.default;
    return typeof chosen === 'string' ? chosen : JSON.stringify(chosen);
  };

  const deliver = (
    topic: TopicSpec,
    subscription: SubscriptionSpec,
    input: PublishInput,
    messageId: string,
  ) => {
    const message = messageFor(input, subscription.protocol);
    const body = notification(topic, input, messageId, message, subscription.arn);
    if (subscription.protocol === 'email' || subscription.protocol === 'email-json') {
      const text =
        subscription.protocol === 'email-json'
          ? JSON.stringify(body)
          : `${message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or visit the link below to unsubscribe:\n` +
            `${SNS_HOST}/unsubscribe.html?SubscriptionArn=${subscription.arn}&Endpoint=${subscription.endpoint}\n\n` +
            'Please do not reply directly to this email. If you have any questions or comments regarding this email, please contact us at https://aws.amazon.com/support';
      options.outbox.add({
        messageId: `${messageId}-${randomUUID().slice(0, 8)}`,
        from: `${topic.displayName || 'AWS Notifications'} <no-reply@sns.amazonaws.com>`,
        to: [subscription.endpoint],
        cc: [],
        bcc: [],
        replyTo: [],
        subject: input.subject ?? 'AWS Notification Message',
        text,
        html: null,
        via: 'sns',
        configurationSetName: null,
      });
      return;
    }
    if (subscription.protocol === 'lambda') {
      const functionName =
        subscription.endpoint.split(':function:')[1]?.split(':')[0] ?? subscription.endpoint;
      if (!permits(options.permissions, functionName, 'sns.amazonaws.com', topic.arn)) {
        log(
          `[sns] ${topic.name}: ${functionName} not invoked: no AWS::Lambda::Permission for sns.amazonaws.com`,
        );
        return;
      }
      const attributes = Object.fromEntries(
        Object.entries(input.messageAttributes ?? {}).map(([name, a]) => [
          name,
          { Type: a.DataType, Value: a.StringValue ?? a.BinaryValue },
        ]),
      );
      const { SigningCertURL, UnsubscribeURL, ...rest } = body;
      const event = {
        Records: [
          {
            EventSource: 'aws:sns',
            EventVersion: '1.0',
            EventSubscriptionArn: subscription.arn,
            Sns: {
              ...rest,
              Subject: input.subject ?? null,
              SigningCertUrl: SigningCertURL,
              UnsubscribeUrl: UnsubscribeURL,
              MessageAttributes: attributes,
            },
          },
        ],
      };
      options
        .invokeLambda(functionName, JSON.stringify(event))
        .catch((error: unknown) => log(`[sns] ${topic.name} → ${functionName}: ${String(error)}`));
      return;
    }
    log(
      `[sns] ${topic.name}: ${subscription.protocol} subscription ${subscription.endpoint} is not delivered locally`,
    );
  };

  const publish: LocalSns['publish'] = (input) => {
    // A publish the cloud cannot deliver any more is refused (retryable), never accepted and dropped.
    if (closed) throw new QueryApiError('InternalError', 'The local SNS is shutting down', 503);
    const topic = topics.get(input.topicArn);
    if (!topic) throw new QueryApiError('NotFound', 'Topic does not exist', 404);
    if (input.message === '') throw new QueryApiError('InvalidParameter', 'Invalid parameter: Empty message');
    if (Buffer.byteLength(input.message) > MESSAGE_LIMIT_BYTES) {
      throw new QueryApiError('InvalidParameter', 'Invalid parameter: Message too long');
    }
    if (
      input.subject !== undefined &&
      (input.subject.length > 100 ||
        /[\r\n]/.test(input.subject) ||
        !/^[\x20-\x7e]*$/.test(input.subject) ||
        input.subject === '')
    ) {
      throw new QueryApiError('InvalidParameter', 'Invalid parameter: Subject');
    }
    if (input.messageStructure === 'json') {
      let structured: unknown;
      try {
        structured = JSON.parse(input.message);
      } catch {
        throw new QueryApiError(
          'InvalidParameter',
          'Invalid parameter: Message Structure - JSON message body failed to parse',
        );
      }
      if (typeof structured !== 'object' || structured === null || !('default' in structured)) {
        throw new QueryApiError(
          'InvalidParameter',
          'Invalid parameter: Message Structure - No default entry in JSON message body',
        );
      }
    }
    const messageId = randomUUID();
    const subscriptions = options.subscriptions.filter(
      (s) => s.topicArn === topic.arn && passesFilter(s, input),
    );
    // Deliveries happen after Publish answered, as on AWS; close() makes the ones still queued.
    const deliverAll = () => {
      if (!queued.delete(deliverAll)) return; // already made by close()
      for (const subscription of subscriptions) deliver(topic, subscription, input, messageId);
    };
    queued.add(deliverAll);
    setImmediate(deliverAll);
    return { MessageId: messageId };
  };

  const page = <T>(items: T[], params: URLSearchParams): { items: T[]; next: string | undefined } => {
    const start = Number(params.get('NextToken') ?? 0) || 0;
    const next = start + PAGE < items.length ? String(start + PAGE) : undefined;
    return { items: items.slice(start, start + PAGE), next };
  };

  const subscriptionView = (s: SubscriptionSpec) => ({
    SubscriptionArn: s.arn,
    Owner: LOCAL_ACCOUNT_ID,
    Protocol: s.protocol,
    Endpoint: s.endpoint,
    TopicArn: s.topicArn,
  });

  const dispatch = async (action: string, params: URLSearchParams): Promise<XmlValue> => {
    switch (action) {
      case 'Publish': {
        const topicArn = params.get('TopicArn') ?? params.get('TargetArn');
        if (!topicArn)
          throw new QueryApiError(
            'InvalidParameter',
            'Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter',
          );
        return publish({
          topicArn,
          message: params.get('Message') ?? '',
          subject: params.get('Subject') ?? undefined,
          messageStructure: params.get('MessageStructure') ?? undefined,
          messageAttributes: attributesOf(params),
        });
      }
      case 'ListTopics': {
        const { items, next } = page([...topics.values()], params);
        return { Topics: { member: items.map((topic) => ({ TopicArn: topic.arn })) }, NextToken: next };
      }
      case 'ListSubscriptionsByTopic': {
        const topicArn = params.get('TopicArn') ?? '';
        if (!topics.has(topicArn)) throw new QueryApiError('NotFound', 'Topic does not exist', 404);
        const { items, next } = page(
          options.subscriptions.filter((s) => s.topicArn === topicArn),
          params,
        );
        return { Subscriptions: { member: items.map(subscriptionView) }, NextToken: next };
      }
      case 'ListSubscriptions': {
        const { items, next } = page(options.subscriptions, params);
        return { Subscriptions: { member: items.map(subscriptionView) }, NextToken: next };
      }
      case 'GetTopicAttributes': {
        const topic = topics.get(params.get('TopicArn') ?? '');
        if (!topic) throw new QueryApiError('NotFound', 'Topic does not exist', 404);
        const count = options.subscriptions.filter((s) => s.topicArn === topic.arn).length;
        const attributes: Record<string, string> = {
          TopicArn: topic.arn,
          Owner: LOCAL_ACCOUNT_ID,
          DisplayName: topic.displayName ?? '',
          SubscriptionsConfirmed: String(count),
          SubscriptionsPending: '0',
          SubscriptionsDeleted: '0',
          FifoTopic: String(topic.fifo),
        };
        return { Attributes: { entry: Object.entries(attributes).map(([key, value]) => ({ key, value })) } };
      }
      default:
        throw new QueryApiError('InvalidAction', `The action ${action} is not valid for this endpoint.`);
    }
  };

  const close = () => {
    closed = true;
    for (const deliverAll of [...queued]) deliverAll();
  };

  return {
    handle: (request, response) => serveAwsQuery(request, response, { name: 'sns', xmlns: XMLNS, dispatch }),
    publish,
    close,
  };
}
