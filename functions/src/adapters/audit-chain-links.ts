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
  if (signer === null) return { event: chained, head: { ...unsigned, keyId: null, signature: null } };
  const { keyId, signature } = await signer.sign(chainHeadMessage(unsigned));
  return { event: chained, head: { ...unsigned, keyId, signature, algorithm: 'ECDSA_SHA_256' } };
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
  };
}
