import type { Stage } from './order-rules';

export type ActorKind = 'agency' | 'platform' | 'operator' | 'system';

export interface Actor {
  kind: ActorKind;
  id: string;
  /** The person acting for an agency, when the agency names one. */
  officer?: string;
}

export interface AuditEvent {
  seq: number;
  orderId: string;
  at: string;
  actor: Actor;
  action: string;
  stage: Stage;
  details: Record<string, unknown>;
}

export const SYSTEM_ACTOR: Actor = { kind: 'system', id: 'tenggat-workflow' };

export function auditEvent(input: {
  seq: number;
  orderId: string;
  at: Date;
  actor: Actor;
  action: string;
  stage: Stage;
  details?: Record<string, unknown>;
}): AuditEvent {
  return {
    seq: input.seq,
    orderId: input.orderId,
    at: input.at.toISOString(),
    actor: input.actor,
    action: input.action,
    stage: input.stage,
    details: input.details ?? {},
  };
}
