import type { TemplateResolver } from '../resolver';
import type { EventRuleSpec, TargetInputSpec } from '../types';
import { asString, isObject, TemplateError } from '../values';

/** `Input`, `InputPath` and `InputTransformer` of a rule or schedule target. */
export function targetInputOf(target: Record<string, unknown>): TargetInputSpec {
  const transformer = target.InputTransformer;
  return {
    input: typeof target.Input === 'string' ? target.Input : undefined,
    inputPath: typeof target.InputPath === 'string' ? target.InputPath : undefined,
    inputTransformer: isObject(transformer)
      ? {
          inputPathsMap: Object.fromEntries(
            Object.entries(isObject(transformer.InputPathsMap) ? transformer.InputPathsMap : {}).map(
              ([key, path]) => [key, asString(path, `InputPathsMap ${key}`)],
            ),
          ),
          inputTemplate: asString(transformer.InputTemplate, 'InputTemplate'),
        }
      : undefined,
  };
}

const busNameOf = (value: unknown): string => {
  if (typeof value !== 'string' || value === '') return 'default';
  return /:event-bus\/(.+)$/.exec(value)?.[1] ?? value;
};

export function readEventRules(resolver: TemplateResolver): EventRuleSpec[] {
  return resolver.logicalIdsOf('AWS::Events::Rule').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const pattern =
      typeof properties.EventPattern === 'string'
        ? JSON.parse(properties.EventPattern)
        : properties.EventPattern;
    if (pattern !== undefined && !isObject(pattern)) {
      throw new TemplateError(`${logicalId} EventPattern: expected a JSON object`);
    }
    const targets = Array.isArray(properties.Targets) ? properties.Targets.filter(isObject) : [];
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      arn: asString(resolver.getAtt(logicalId, 'Arn'), 'rule arn'),
      eventBusName: busNameOf(properties.EventBusName),
      eventPattern: pattern,
      scheduleExpression:
        typeof properties.ScheduleExpression === 'string' ? properties.ScheduleExpression : undefined,
      // CloudFormation's default state is ENABLED (also ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS).
      enabled: properties.State === undefined || String(properties.State).startsWith('ENABLED'),
      targets: targets.map((target) => ({
        id: asString(target.Id, `${logicalId} target Id`),
        arn: asString(target.Arn, `${logicalId} target Arn`),
        ...targetInputOf(target),
      })),
    };
  });
}
