import { createHash } from 'node:crypto';
import type { ActorKind, AuditEvent } from './audit';
import { canonicalJson } from './canonical-json';
import type { Stage } from './order-rules';

/** The `previousDigest` of an order's first event. */
export const CHAIN_GENESIS = '0'.repeat(64);

/**
 * Detail keys that carry personal data (free text written by people, locators, names). They are held apart from the
 * chained fields so that a lawful erasure request (UU PDP 27/2022) can remove them without breaking verification.
 */
export const PERSONAL_DETAIL_KEYS: readonly string[] = [
  'note',
  'reason',
  'explanation',
  'locator',
  'locators',
  'officer',
  'question',
  'answer',
];

export interface PersonalData {
  /** Random per event, so that the digest of a short name cannot be reversed by guessing once the name is erased. */
  salt: string;
  officer?: string;
  details: Record<string, unknown>;
}

/** An audit event as stored: the chained, non-personal fields, and the personal data apart (null once erased). */
export interface ChainedAuditEvent {
  seq: number;
  orderId: string;
  at: string;
  actor: { kind: ActorKind; id: string };
  action: string;
  stage: Stage;
  /** Non-personal details only. */
  details: Record<string, unknown>;
  previousDigest: string;
  /** SHA-256 of the personal data (with its salt); null when the event had none. */
  personalDataDigest: string | null;
  digest: string;
  personalData: PersonalData | null;
  personalDataErasedAt: string | null;
  /**
   * The head signed when this event was the newest, kept with it (not part of the digest): every signed head stays
   * in the trail, so a head anyone was given can be matched to its event. Absent on events stored before.
   */
  signedHead?: StoredChainHead | null;
}

export interface ChainHead {
  orderId: string;
  seq: number;
  digest: string;
}

export interface SignedChainHead extends ChainHead {
  signedAt: string;
  keyId: string;
  algorithm: 'ECDSA_SHA_256';
  /** DER encoded ECDSA signature, base64, as KMS returns it. */
  signature: string;
}

/** The head as stored on the order marker; unsigned only where no signing key is configured. */
export type StoredChainHead =
  | SignedChainHead
  | (ChainHead & { signedAt: string; keyId: null; signature: null });

export const CHAIN_BREAKS = [
  'missing_event',
  'event_altered',
  'chain_link_broken',
  'personal_data_altered',
  'head_missing',
  'head_mismatch',
  'event_after_head',
  'head_unsigned',
  'head_signature_unchecked',
  'head_signature_invalid',
] as const;
export type ChainBreak = (typeof CHAIN_BREAKS)[number];

export interface ChainVerification {
  valid: boolean;
  checkedEvents: number;
  brokenAt?: number;
  reason?: ChainBreak;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Splits an event into what is chained in the clear and what is personal. */
export function splitPersonalData(event: Pick<AuditEvent, 'actor' | 'details'>): {
  publicDetails: Record<string, unknown>;
  personal: Omit<PersonalData, 'salt'> | null;
} {
  const publicDetails: Record<string, unknown> = {};
  const personalDetails: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(event.details)) {
    if (value === undefined) continue;
    if (PERSONAL_DETAIL_KEYS.includes(key)) personalDetails[key] = value;
    else publicDetails[key] = value;
  }
  const officer = event.actor.officer;
  const hasPersonal = officer !== undefined || Object.keys(personalDetails).length > 0;
  return {
    publicDetails,
    personal: hasPersonal
      ? { ...(officer !== undefined ? { officer } : {}), details: personalDetails }
      : null,
  };
}

export function personalDataDigestOf(personal: PersonalData): string {
  return sha256(canonicalJson({ salt: personal.salt, officer: personal.officer, details: personal.details }));
}

/** The digest over everything in the event except the personal data itself, which enters through its digest. */
export function eventDigestOf(
  event: Pick<
    ChainedAuditEvent,
    | 'seq'
    | 'orderId'
    | 'at'
    | 'actor'
    | 'action'
    | 'stage'
    | 'details'
    | 'previousDigest'
    | 'personalDataDigest'
  >,
): string {
  return sha256(
    canonicalJson({
      v: 1,
      seq: event.seq,
      orderId: event.orderId,
      previousDigest: event.previousDigest,
      at: event.at,
      action: event.action,
      actorKind: event.actor.kind,
      actorId: event.actor.id,
      stage: event.stage,
      details: event.details,
      personalDataDigest: event.personalDataDigest,
    }),
  );
}

/** Links `event` after the event whose digest is `previousDigest`. */
export function chainAuditEvent(event: AuditEvent, previousDigest: string, salt: string): ChainedAuditEvent {
  const { publicDetails, personal } = splitPersonalData(event);
  const personalData: PersonalData | null = personal === null ? null : { salt, ...personal };
  const unsigned = {
    seq: event.seq,
    orderId: event.orderId,
    at: event.at,
    actor: { kind: event.actor.kind, id: event.actor.id },
    action: event.action,
    stage: event.stage,
    details: publicDetails,
    previousDigest,
    personalDataDigest: personalData === null ? null : personalDataDigestOf(personalData),
  };
  return { ...unsigned, digest: eventDigestOf(unsigned), personalData, personalDataErasedAt: null };
}

/** Removes the personal data; the digest that stands for it stays, so the chain still verifies. */
export function erasePersonalData(event: ChainedAuditEvent, at: Date): ChainedAuditEvent {
  if (event.personalData === null) return event;
  return { ...event, personalData: null, personalDataErasedAt: at.toISOString() };
}

/** The exact bytes signed for a chain head (canonical JSON, with a purpose tag so they mean nothing elsewhere). */
export function chainHeadMessage(head: ChainHead & { signedAt: string }): Uint8Array {
  return new TextEncoder().encode(
    canonicalJson({
      purpose: 'tenggat-audit-chain-head/v1',
      orderId: head.orderId,
      seq: head.seq,
      digest: head.digest,
      signedAt: head.signedAt,
    }),
  );
}

/**
 * Checks the chain from the first event to the head: numbering without gaps from 1, every digest recomputed, every
 * link, the personal data still present against its digest, and the last event against the head. The head's
 * signature is checked by the caller (it needs the key).
 */
export function verifyChain(events: readonly ChainedAuditEvent[], head: ChainHead | null): ChainVerification {
  let previousDigest = CHAIN_GENESIS;
  let checked = 0;
  const broken = (brokenAt: number, reason: ChainBreak): ChainVerification => ({
    valid: false,
    checkedEvents: checked,
    brokenAt,
    reason,
  });
  for (const event of events) {
    const expectedSeq = checked + 1;
    if (event.seq !== expectedSeq) return broken(expectedSeq, 'missing_event');
    if (typeof event.digest !== 'string' || eventDigestOf(event) !== event.digest)
      return broken(event.seq, 'event_altered');
    if (event.previousDigest !== previousDigest) return broken(event.seq, 'chain_link_broken');
    if (event.personalData !== null && event.personalData !== undefined) {
      if (
        event.personalDataDigest === null ||
        personalDataDigestOf(event.personalData) !== event.personalDataDigest
      )
        return broken(event.seq, 'personal_data_altered');
    }
    previousDigest = event.digest;
    checked += 1;
  }
  if (head === null) return checked === 0 ? { valid: true, checkedEvents: 0 } : broken(1, 'head_missing');
  if (head.seq > checked) return broken(checked + 1, 'missing_event');
  if (head.seq < checked) return broken(head.seq + 1, 'event_after_head');
  if (head.digest !== previousDigest) return broken(head.seq, 'head_mismatch');
  return { valid: true, checkedEvents: checked };
}

/** The event as a reader sees it: personal data put back where it came from, unless erased. */
export function auditEventView(event: ChainedAuditEvent) {
  const personal = event.personalData;
  return {
    seq: event.seq,
    at: event.at,
    actor: {
      ...event.actor,
      ...(personal?.officer !== undefined ? { officer: personal.officer } : {}),
    },
    action: event.action,
    stage: event.stage,
    details: { ...event.details, ...(personal?.details ?? {}) },
    digest: event.digest,
    previousDigest: event.previousDigest,
    personalDataDigest: event.personalDataDigest,
    personalDataErasedAt: event.personalDataErasedAt,
    signedHead: event.signedHead ?? null,
  };
}
