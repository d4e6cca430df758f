import type { TemplateResolver } from '../resolver';
import type { EventBusSpec } from '../types';
import { asString } from '../values';

export function readEventBuses(resolver: TemplateResolver): EventBusSpec[] {
  return resolver.logicalIdsOf('AWS::Events::EventBus').map((logicalId) => ({
    logicalId,
    name: resolver.physicalName(logicalId),
    arn: asString(resolver.getAtt(logicalId, 'Arn'), 'event bus arn'),
  }));
}
