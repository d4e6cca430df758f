import type { TemplateResolver } from '../resolver';
import type { ConfigurationSetSpec, EmailIdentitySpec } from '../types';
import { asString, asStringArray, isObject } from '../values';

export function readEmailIdentities(resolver: TemplateResolver): EmailIdentitySpec[] {
  return resolver.logicalIdsOf('AWS::SES::EmailIdentity').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const identity = asString(properties.EmailIdentity, `${logicalId} EmailIdentity`);
    const attributes = properties.ConfigurationSetAttributes;
    return {
      logicalId,
      identity,
      type: identity.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN',
      configurationSetName:
        isObject(attributes) && typeof attributes.ConfigurationSetName === 'string'
          ? attributes.ConfigurationSetName
          : undefined,
    };
  });
}

export function readConfigurationSets(resolver: TemplateResolver): ConfigurationSetSpec[] {
  const destinations = resolver
    .logicalIdsOf('AWS::SES::ConfigurationSetEventDestination')
    .map((logicalId) => resolver.resolvedProperties(logicalId));
  return resolver.logicalIdsOf('AWS::SES::ConfigurationSet').map((logicalId) => {
    const name = resolver.physicalName(logicalId);
    return {
      logicalId,
      name,
      eventDestinations: destinations
        .filter((properties) => properties.ConfigurationSetName === name)
        .map((properties) => {
          const destination = isObject(properties.EventDestination) ? properties.EventDestination : {};
          const eventBridge = destination.EventBridgeDestination;
          const sns = destination.SnsDestination;
          return {
            name: typeof destination.Name === 'string' ? destination.Name : 'destination',
            enabled: destination.Enabled !== false,
            matchingEventTypes: asStringArray(destination.MatchingEventTypes, 'MatchingEventTypes').map(
              (type) => type.toLowerCase(),
            ),
            eventBusArn:
              isObject(eventBridge) && typeof eventBridge.EventBusArn === 'string'
                ? eventBridge.EventBusArn
                : undefined,
            topicArn: isObject(sns) && typeof sns.TopicARN === 'string' ? sns.TopicARN : undefined,
          };
        }),
    };
  });
}
