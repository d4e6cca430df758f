/**
 * Delivers one payload to an EventBridge rule or Scheduler target by its ARN: a Lambda function (asynchronously, as
 * both services invoke it, or synchronously for `_local/schedules/<name>/run`), an SNS topic, a Step Functions
 * state machine or an event bus.
 */
export interface TargetResult {
  statusCode: number;
  functionError: string | null;
  payload: unknown;
}

export interface TargetServices {
  invokeLambda(
    functionName: string,
    payload: string,
    invocationType: 'Event' | 'RequestResponse',
  ): Promise<{ statusCode: number; functionError: string | undefined; payload: Buffer }>;
  publish?(topicArn: string, message: string): Promise<{ MessageId: string }> | { MessageId: string };
  startExecution?(stateMachineArn: string, input: string): Promise<Record<string, unknown>>;
  putEvent?(busName: string, event: Record<string, unknown>): void;
}

export class UnsupportedTargetError extends Error {
  constructor(arn: string) {
    super(
      `the local cloud does not deliver to ${arn} (Lambda, SNS, Step Functions and event bus targets only)`,
    );
    this.name = 'UnsupportedTargetError';
  }
}

export type TargetKind = 'lambda' | 'sns' | 'states' | 'events';

export function targetKindOf(arn: string): { kind: TargetKind; name: string } | undefined {
  const parts = arn.split(':');
  const service = parts[2];
  if (service === 'lambda' && parts[5] === 'function' && parts[6]) return { kind: 'lambda', name: parts[6] };
  if (service === 'sns' && parts[5]) return { kind: 'sns', name: parts[5] };
  if (service === 'states' && parts[5] === 'stateMachine') return { kind: 'states', name: parts[6] ?? '' };
  const bus = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(arn)?.[1];
  if (bus) return { kind: 'events', name: bus };
  return undefined;
}

const parsedOrText = (payload: Buffer): unknown => {
  const text = payload.toString('utf8');
  try {
    return text === '' ? null : JSON.parse(text);
  } catch {
    return text;
  }
};

export async function deliverToTarget(
  arn: string,
  payload: string,
  services: TargetServices,
  invocationType: 'Event' | 'RequestResponse' = 'Event',
): Promise<TargetResult> {
  const target = targetKindOf(arn);
  if (target?.kind === 'lambda') {
    const result = await services.invokeLambda(target.name, payload, invocationType);
    return {
      statusCode: result.statusCode,
      functionError: result.functionError ?? null,
      payload: parsedOrText(result.payload),
    };
  }
  if (target?.kind === 'sns' && services.publish) {
    return { statusCode: 200, functionError: null, payload: await services.publish(arn, payload) };
  }
  if (target?.kind === 'states' && services.startExecution) {
    return { statusCode: 200, functionError: null, payload: await services.startExecution(arn, payload) };
  }
  if (target?.kind === 'events' && services.putEvent) {
    services.putEvent(target.name, JSON.parse(payload) as Record<string, unknown>);
    return { statusCode: 200, functionError: null, payload: null };
  }
  throw new UnsupportedTargetError(arn);
}
