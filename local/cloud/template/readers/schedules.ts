import type { TemplateResolver } from '../resolver';
import type { ScheduleSpec } from '../types';
import { asString, isObject } from '../values';

export function readSchedules(resolver: TemplateResolver): ScheduleSpec[] {
  return resolver.logicalIdsOf('AWS::Scheduler::Schedule').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const window = isObject(properties.FlexibleTimeWindow) ? properties.FlexibleTimeWindow : {};
    const target = isObject(properties.Target) ? properties.Target : {};
    return {
      logicalId,
      name: resolver.physicalName(logicalId),
      groupName: typeof properties.GroupName === 'string' ? properties.GroupName : 'default',
      arn: asString(resolver.getAtt(logicalId, 'Arn'), 'schedule arn'),
      expression: asString(properties.ScheduleExpression, `${logicalId} ScheduleExpression`),
      timezone:
        typeof properties.ScheduleExpressionTimezone === 'string'
          ? properties.ScheduleExpressionTimezone
          : 'UTC',
      startDate: typeof properties.StartDate === 'string' ? properties.StartDate : undefined,
      endDate: typeof properties.EndDate === 'string' ? properties.EndDate : undefined,
      enabled: properties.State !== 'DISABLED',
      flexibleWindowMinutes:
        window.Mode === 'FLEXIBLE' && typeof window.MaximumWindowInMinutes === 'number'
          ? window.MaximumWindowInMinutes
          : 0,
      actionAfterCompletion: properties.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      target: {
        arn: asString(target.Arn, `${logicalId} Target Arn`),
        input: typeof target.Input === 'string' ? target.Input : undefined,
      },
    };
  });
}
