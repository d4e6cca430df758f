import {
  type ChainedAuditEvent,
  type ChainVerification,
  chainHeadMessage,
  type StoredChainHead,
  verifyChain,
} from '../domain/audit-chain';
import type { ChainSigner } from '../ports';

/** The chain checked event by event against its head, then the head's signature against our key. */
export async function verifyAuditTrail(
  signer: ChainSigner | null,
  events: readonly ChainedAuditEvent[],
  head: StoredChainHead | null,
): Promise<ChainVerification> {
  const chain = verifyChain(events, head);
  if (!chain.valid || head === null) return chain;
  const broken = (reason: ChainVerification['reason']): ChainVerification => ({
    valid: false,
    checkedEvents: chain.checkedEvents,
    brokenAt: head.seq,
    reason,
  });
  if (head.signature === null) return broken('head_unsigned');
  if (signer === null) return broken('head_signature_unchecked');
  return (await signer.verify(chainHeadMessage(head), head.signature))
    ? chain
    : broken('head_signature_invalid');
}
