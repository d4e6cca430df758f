/**
 * EventBridge rules of the template: every event put on a bus (by functions, the Step Functions engine, SES) is
 * matched against the enabled rules of that bus, and each matching rule's targets get the event (or its
 * Input/InputPath/InputTransformer) asynchronously; scheduled rules fire "Scheduled Event"s. A Lambda target runs
 * only when an `AWS::Lambda::Permission` lets events.amazonaws.com invoke it, as on AWS.
 */
import { randomUUID } from 'node:crypto';
import { matchesEventPattern, validateEventPattern } from './event-pattern';
import type { RecordedBusEvent } from './eventbridge';
import { parseScheduleExpression, runOnSchedule } from './schedule-clock';
import { deliverToTarget, type TargetServices, targetKindOf } from './target-dispatch';
import { targetInputFor } from './target-input';
import { type EventRuleSpec, type LambdaPermissionSpec, LOCAL_ACCOUNT_ID, LOCAL_REGION } from './template';

export interface EventRules {
  /** Matches one recorded event and delivers it to the targets of every matching rule. */
  onEvent(event: RecordedBusEvent): void;
  /** Names of the enabled rules an event envelope matches (for tests and the progress log). */
  matchingRules(busName: string, envelope: Record<string, unknown>): string[];
  /** Starts the timers of scheduled rules. */
  start(): void;
  close(): void;
}

/** The envelope rules match and Lambda targets receive. */
export function eventEnvelope(event: RecordedBusEvent): Record<string, unknown> {
  return {
    version: '0',
    id: event.id,
    'detail-type': event.detailType,
    source: event.source,
    account: LOCAL_ACCOUNT_ID,
    time: event.time.replace(/\.\d{3}Z$/, 'Z'),
    region: LOCAL_REGION,
    resources: event.resources,
    detail: event.detail,
  };
}

/** Whether a permission lets `principal` invoke `functionName` from `sourceArn` (exact or `*` wildcard). */
export function permits(
  permissions: LambdaPermissionSpec[],
  functionName: string,
  principal: string,
  sourceArn: string,
): boolean {
  return permissions.some((permission) => {
    if (permission.functionName !== functionName || permission.principal !== principal) return false;
    if (permission.sourceArn === undefined) return true;
    const pattern = permission.sourceArn.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replaceAll('*', '.*');
    return new RegExp(`^${pattern}$`).test(sourceArn);
  });
}

export function createEventRules(options: {
  rules: EventRuleSpec[];
  permissions: LambdaPermissionSpec[];
  targets: TargetServices;
  log?: (line: string) => void;
  /** Anchor for scheduled rules' rate expressions (kept across restarts by the scheduler). */
  anchorOf?: (key: string) => Date;
}): EventRules {
  const log = options.log ?? (() => {});
  const rules = options.rules.filter((rule) => rule.enabled);
  for (const rule of rules) if (rule.eventPattern) validateEventPattern(rule.eventPattern);
  for (const rule of rules) {
    for (const target of rule.targets) {
      const kind = targetKindOf(target.arn);
      if (!kind) log(`[rule] ${rule.name}: target ${target.id} (${target.arn}) is not run locally`);
      else if (
        kind.kind === 'lambda' &&
        !permits(options.permissions, kind.name, 'events.amazonaws.com', rule.arn)
      ) {
        log(`[rule] ${rule.name}: no AWS::Lambda::Permission lets events.amazonaws.com invoke ${kind.name}`);
      }
    }
  }

  const deliver = (rule: EventRuleSpec, envelope: Record<string, unknown>, ingestionTime: string) => {
    for (const target of rule.targets) {
      const kind = targetKindOf(target.arn);
      if (!kind) continue;
      // AWS drops the invocation (FailedInvocations) when the function's policy does not allow the rule.
      if (
        kind.kind === 'lambda' &&
        !permits(options.permissions, kind.name, 'events.amazonaws.com', rule.arn)
      ) {
        log(`[rule] ${rule.name}: ${kind.name} not invoked: no permission for events.amazonaws.com`);
        continue;
      }
      let payload: string;
      try {
        payload = targetInputFor(target, envelope, { name: rule.name, arn: rule.arn, ingestionTime });
      } catch (error) {
        log(`[rule] ${rule.name} → ${target.id}: ${String(error)}`);
        continue;
      }
      deliverToTarget(target.arn, payload, options.targets, 'Event').catch((error: unknown) =>
        log(`[rule] ${rule.name} → ${target.id}: ${String(error)}`),
      );
    }
  };

  const matchingRules: EventRules['matchingRules'] = (busName, envelope) =>
    rules
      .filter((rule) => rule.eventBusName === busName && rule.eventPattern)
      .filter((rule) => matchesEventPattern(rule.eventPattern ?? {}, envelope))
      .map((rule) => rule.name);

  const onEvent: EventRules['onEvent'] = (event) => {
    const envelope = eventEnvelope(event);
    const names = new Set(matchingRules(event.eventBusName, envelope));
    if (names.size === 0) return;
    // Targets run after PutEvents has answered, as on AWS.
    setImmediate(() => {
      for (const rule of rules) if (names.has(rule.name)) deliver(rule, envelope, event.receivedAt);
    });
  };

  const stops: (() => void)[] = [];
  const start = () => {
    if (stops.length) return;
    for (const rule of rules.filter((candidate) => candidate.scheduleExpression)) {
      stops.push(
        runOnSchedule({
          parsed: parseScheduleExpression(rule.scheduleExpression ?? ''),
          anchor: options.anchorOf?.(`rule:${rule.arn}`) ?? new Date(),
          timeZone: 'UTC',
          fire: (time) => {
            const envelope = {
              version: '0',
              id: randomUUID(),
              'detail-type': 'Scheduled Event',
              source: 'aws.events',
              account: LOCAL_ACCOUNT_ID,
              time: time.toISOString().replace(/\.\d{3}Z$/, 'Z'),
              region: LOCAL_REGION,
              resources: [rule.arn],
              detail: {},
            };
            deliver(rule, envelope, new Date().toISOString());
          },
        }),
      );
    }
  };

  const close = () => {
    for (const stop of stops.splice(0)) stop();
  };
  return { onEvent, matchingRules, start, close };
}
