import { describe, expect, it } from 'vitest';
import { api, OPERATOR, orderBody, startRegisteredPlatform, submitOrder, waitForOrder } from './harness';

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
  it('is a hash chain whose head the local KMS key signed, verified by the API, and survives an erasure', async () => {
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

      // An agency cannot erase; the operator can, on a lawful request, and the chain still verifies.
      const path = `/v1/takedown-requests/${orderId}/personal-data-erasure`;
      const body = { requestReference: 'PDP/2026/0007' };
      // The gateway refuses the agency's token (no takedown/admin scope) before the handler runs.
      expect([401, 403]).toContain((await api('POST', path, { as: 'komdigi-ais', body })).status);
      // Erasure waits until the withdrawal notice (which carries the locators) has reached the platform.
      await waitForOrder(
        orderId,
        (order) =>
          order.notices.some((notice) => notice.event === 'takedown.withdrawn') &&
          order.notices.every((notice) => notice.webhook.state !== 'pending'),
        { what: 'the withdrawal notice delivered' },
      );
      const erasure = await api('POST', path, { as: OPERATOR, body });
      expect(erasure.status).toBe(200);
      expect(erasure.body).toMatchObject({ orderId, erasedEvents: expect.any(Number) });
      const after = await api<AuditResponse>('GET', `/v1/takedown-requests/${orderId}/audit`, {
        as: 'komdigi-ais',
      });
      expect(JSON.stringify(after.body.items)).not.toMatch(/Rina|Budi|Court order annulled/);
      expect(after.body.items.slice(0, items.length).map((event) => event.digest)).toEqual(
        items.map((event) => event.digest),
      );
      expect(after.body.items.at(-1)?.action).toBe('personal_data_erased');
      expect(after.body.verification).toEqual({ valid: true, checkedEvents: after.body.items.length });
    } finally {
      await receiver.close();
    }
  });
});
