import { describe, expect, it } from 'vitest';
import { api, orderBody, startRegisteredPlatform, submitOrder, waitForOrder } from './harness';

interface AuditResponse {
  items: {
    seq: number;
    action: string;
    digest: string;
    previousDigest: string;
    actor: { officer?: string };
  }[];
  nextCursor: string | null;
  head: { seq: number; digest: string; keyId: string | null; signature: string | null } | null;
  verification: { valid: boolean; checkedEvents: number; brokenAt?: number; reason?: string };
}

describe('the audit trail on the local cloud', () => {
  it('is a hash chain whose head the local KMS key signed, verified by the API', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const submitted = await submitOrder(orderBody({ platformId, officer: 'Rina Susanti' }));
      const orderId = submitted.body.id;
      await waitForOrder(orderId, (order) => order.status === 'awaiting_platform');
      const withdrawal = await api('POST', `/v1/takedown-requests/${orderId}/withdrawal`, {
        as: 'komdigi-ais',
        body: { reason: 'Court order annulled.', officer: 'Budi Santoso' },
      });
      expect(withdrawal.status).toBe(200);

      const audit = await api<AuditResponse>('GET', `/v1/takedown-requests/${orderId}/audit`, {
        as: 'komdigi-ais',
      });
      expect(audit.status).toBe(200);
      const { items, head, verification } = audit.body;
      expect(items[0]).toMatchObject({
        seq: 1,
        action: 'order_submitted',
        actor: { officer: 'Rina Susanti' },
      });
      expect(items[1]?.previousDigest).toBe(items[0]?.digest);
      expect(head).toMatchObject({ seq: items.at(-1)?.seq, digest: items.at(-1)?.digest });
      expect(head?.keyId).toMatch(/^arn:aws:kms:us-east-1:000000000000:key\//);
      expect(head?.signature).toEqual(expect.any(String));
      expect(verification).toEqual({ valid: true, checkedEvents: items.length });
    } finally {
      await receiver.close();
    }
  });
});
