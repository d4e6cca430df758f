import { describe, expect, it } from 'vitest';
import { chainHeadMessage } from '../../../functions/src/domain/audit-chain';
import { NotFoundError } from '../../../functions/src/domain/errors';
import { eraseAuditPersonalData } from '../../../functions/src/use-cases/erase-audit-personal-data';
import { getAudit } from '../../../functions/src/use-cases/read-orders';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { InMemoryChainSigner, type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, submit } from '../lifecycle-helpers';

/** An order submitted and withdrawn by a named officer: three or more audit events, two with personal data. */
async function withdrawnOrder(): Promise<{ world: TestWorld; orderId: string }> {
  const world = testWorld();
  await registerMichat(world);
  const order = await submit(world, orderBody({ officer: 'Rina Susanti' }, 2));
  await withdrawOrder(world.deps, {
    agencyId: AGENCY,
    orderId: order.id,
    reason: 'Putusan pengadilan mencabut perintah',
    officer: 'Budi Santoso',
  });
  return { world, orderId: order.id };
}

const readAudit = (world: TestWorld, orderId: string, limit = 100) =>
  getAudit(world.deps, { agencyId: AGENCY, orderId, limit, cursor: null });

describe('GET audit (use case)', () => {
  it('returns the chain with digests, the personal data, a signed head and a valid verification', async () => {
    const { world, orderId } = await withdrawnOrder();
    const audit = await readAudit(world, orderId);
    const count = audit.items.length;
    expect(count).toBeGreaterThanOrEqual(3);
    expect(audit.items[0]).toMatchObject({ action: 'order_submitted', actor: { officer: 'Rina Susanti' } });
    expect(audit.items.find((event) => event.action === 'order_withdrawn')).toMatchObject({
      actor: { officer: 'Budi Santoso' },
      details: { reason: 'Putusan pengadilan mencabut perintah' },
    });
    expect(audit.head).toMatchObject({ orderId, seq: count, digest: audit.items.at(-1)?.digest });
    expect(audit.head?.signature).toEqual(expect.any(String));
    expect(audit.verification).toEqual({ valid: true, checkedEvents: count });
  });

  it('verifies the whole chain even when only the first page is asked for', async () => {
    const { world, orderId } = await withdrawnOrder();
    const audit = await readAudit(world, orderId, 1);
    expect(audit.items).toHaveLength(1);
    expect(audit.nextCursor).not.toBeNull();
    expect(audit.verification.checkedEvents).toBe(audit.head?.seq);
  });

  it('reports the event an attacker with table access edited', async () => {
    const { world, orderId } = await withdrawnOrder();
    const second = world.orders.audit.get(orderId)?.[1];
    if (second === undefined) throw new Error('the order has no second event');
    second.details = { ...second.details, status: 'complied' };
    expect((await readAudit(world, orderId)).verification).toMatchObject({
      valid: false,
      brokenAt: 2,
      reason: 'event_altered',
    });
  });

  it('reports a removed event', async () => {
    const { world, orderId } = await withdrawnOrder();
    world.orders.audit.set(
      orderId,
      (world.orders.audit.get(orderId) ?? []).filter((event) => event.seq !== 2),
    );
    expect((await readAudit(world, orderId)).verification).toMatchObject({
      valid: false,
      brokenAt: 2,
      reason: 'missing_event',
    });
  });

  it('refuses a head signed with a key other than ours', async () => {
    const { world, orderId } = await withdrawnOrder();
    const head = world.orders.heads.get(orderId);
    if (head === undefined || head.keyId === null) throw new Error('the order has no signed head');
    const forger = new InMemoryChainSigner(head.keyId);
    const forged = await forger.sign(chainHeadMessage(head));
    world.orders.heads.set(orderId, { ...head, signature: forged.signature });
    expect((await readAudit(world, orderId)).verification).toMatchObject({
      valid: false,
      reason: 'head_signature_invalid',
    });
  });

  it('answers 404 for another agency, so ids reveal nothing', async () => {
    const { world, orderId } = await withdrawnOrder();
    await expect(
      getAudit(world.deps, { agencyId: 'bpom', orderId, limit: 10, cursor: null }),
    ).rejects.toThrow(NotFoundError);
  });
});

describe('eraseAuditPersonalData', () => {
  it('erases officer names and reasons, records the erasure, and the chain still verifies', async () => {
    const { world, orderId } = await withdrawnOrder();
    const before = await readAudit(world, orderId);
    const result = await eraseAuditPersonalData(world.deps, {
      orderId,
      operatorId: 'ops-1',
      requestReference: 'PDP/2026/0007',
    });
    expect(result.erasedEvents).toBeGreaterThanOrEqual(2);
    const after = await readAudit(world, orderId);
    const text = JSON.stringify(after.items);
    expect(text).not.toContain('Rina');
    expect(text).not.toContain('Budi');
    expect(text).not.toContain('Putusan');
    expect(after.items.slice(0, before.items.length).map((event) => event.digest)).toEqual(
      before.items.map((event) => event.digest),
    );
    expect(after.items.at(-1)).toMatchObject({
      action: 'personal_data_erased',
      actor: { kind: 'operator', id: 'ops-1' },
      details: { erasedEvents: result.erasedEvents },
    });
    expect(after.verification).toEqual({ valid: true, checkedEvents: before.items.length + 1 });
  });

  it('answers 404 for an order that does not exist, erasing nothing', async () => {
    const world = testWorld();
    await expect(
      eraseAuditPersonalData(world.deps, { orderId: 'nope', operatorId: 'ops-1', requestReference: 'x' }),
    ).rejects.toThrow(NotFoundError);
  });
});
