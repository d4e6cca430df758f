import { localArn, stableUuid } from '../ids';
import type { TemplateResolver } from '../resolver';
import type { SubscriptionSpec, TopicSpec } from '../types';
import { asString, isObject, TemplateError } from '../values';

const jsonObjectOf = (value: unknown, what: string): Record<string, unknown> | undefined => {
  if (value === undefined) return undefined;
  const parsed = typeof value === 'string' ? JSON.parse(value) : value;
  if (!isObject(parsed)) throw new TemplateError(`${what}: expected a JSON object`);
  return parsed;
};

export function readTopics(resolver: TemplateResolver): TopicSpec[] {
  return resolver.logicalIdsOf('AWS::SNS::Topic').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const name = resolver.physicalName(logicalId);
    return {
      logicalId,
      name,
      arn: localArn('sns', name),
      displayName: typeof properties.DisplayName === 'string' ? properties.DisplayName : undefined,
      fifo: properties.FifoTopic === true || properties.FifoTopic === 'true',
    };
  });
}

/** `AWS::SNS::Subscription` resources and the `Subscription` list of each topic. */
export function readSubscriptions(resolver: TemplateResolver): SubscriptionSpec[] {
  const inline = resolver.logicalIdsOf('AWS::SNS::Topic').flatMap((topicId) => {
    const properties = resolver.resolvedProperties(topicId);
    const topicArn = asString(resolver.ref(topicId), 'topic arn');
    const list = Array.isArray(properties.Subscription) ? properties.Subscription.filter(isObject) : [];
    return list.map(
      (entry, index): SubscriptionSpec => ({
        logicalId: `${topicId}/Subscription/${index}`,
        arn: `${topicArn}:${stableUuid(resolver.stackName, topicId, String(index))}`,
        topicArn,
        protocol: asString(entry.Protocol, `${topicId} Subscription Protocol`).toLowerCase(),
        endpoint: asString(entry.Endpoint, `${topicId} Subscription Endpoint`),
        filterPolicy: undefined,
        filterPolicyScope: 'MessageAttributes',
        rawMessageDelivery: false,
      }),
    );
  });
  const declared = resolver.logicalIdsOf('AWS::SNS::Subscription').map((logicalId): SubscriptionSpec => {
    const properties = resolver.resolvedProperties(logicalId);
    return {
      logicalId,
      arn: asString(resolver.ref(logicalId), 'subscription arn'),
      topicArn: asString(properties.TopicArn, `${logicalId} TopicArn`),
      protocol: asString(properties.Protocol, `${logicalId} Protocol`).toLowerCase(),
      endpoint: asString(properties.Endpoint, `${logicalId} Endpoint`),
      filterPolicy: jsonObjectOf(properties.FilterPolicy, `${logicalId} FilterPolicy`),
      filterPolicyScope: properties.FilterPolicyScope === 'MessageBody' ? 'MessageBody' : 'MessageAttributes',
      rawMessageDelivery: properties.RawMessageDelivery === true || properties.RawMessageDelivery === 'true',
    };
  });
  return [...inline, ...declared];
}
