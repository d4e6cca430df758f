import { randomBytes } from 'node:crypto';
import type { AuditEvent } from '../domain/audit';
import {
  CHAIN_GENESIS,
  type ChainedAuditEvent,
  chainAuditEvent,
  chainHeadMessage,
  type StoredChainHead,
} from '../domain/audit-chain';
import type { ChainSigner } from '../ports';

/** Chains one event after `previous` and signs the new head (unsigned when the function has no signing key). */
export async function linkAuditEvent(
  signer: ChainSigner | null,
  event: AuditEvent,
  previous: { digest: string } | null,
  now: Date,
): Promise<{ event: ChainedAuditEvent; head: StoredChainHead }> {
  const chained = chainAuditEvent(event, previous?.digest ?? CHAIN_GENESIS, randomBytes(16).toString('hex'));
  const unsigned = {
    orderId: event.orderId,
    seq: chained.seq,
    digest: chained.digest,
    signedAt: now.toISOString(),
  };
  const head: StoredChainHead =
    signer === null
      ? { ...unsigned, keyId: null, signature: null }
      : { ...unsigned, ...(await signer.sign(chainHeadMessage(unsigned))), algorithm: 'ECDSA_SHA_256' };
  return { event: { ...chained, signedHead: head }, head };
}

/** Reads a stored audit record, filling what events written before the chain existed lack. */
export function storedAuditEvent(record: Record<string, unknown>): ChainedAuditEvent {
  const event = record as unknown as ChainedAuditEvent;
  return {
    ...event,
    previousDigest: event.previousDigest ?? '',
    digest: event.digest ?? '',
    personalDataDigest: event.personalDataDigest ?? null,
    personalData: event.personalData ?? null,
    personalDataErasedAt: event.personalDataErasedAt ?? null,
    signedHead: event.signedHead ?? null,
  };
}
