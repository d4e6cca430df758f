import { describe, expect, it } from 'vitest';
import { chainHeadMessage } from '../../../functions/src/domain/audit-chain';
import { ConflictError, NotFoundError } from '../../../functions/src/domain/errors';
import { eraseAuditPersonalData } from '../../../functions/src/use-cases/erase-audit-personal-data';
import { getAudit, getOrder, listItems } from '../../../functions/src/use-cases/read-orders';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { InMemoryChainSigner, type TestWorld, testWorld } from '../fakes';
import { AGENCY, orderBody, registerMichat, runWorkflow, submit } from '../lifecycle-helpers';

/** An order submitted and withdrawn by a named officer: three or more audit events, two with personal data. */
async function withdrawnOrder(itemCount = 2): Promise<{ world: TestWorld; orderId: string }> {
  const world = testWorld();
  await registerMichat(world);
  const body = orderBody(
    { officer: 'Rina Susanti', reason: 'Akun milik Andi Wijaya mempromosikan judi' },
    itemCount,
  );
  const order = await submit(world, {
    ...body,
    items: body.items.map((item, index) => ({ ...item, note: `dilaporkan oleh warga ${index + 1}` })),
  });
  await withdrawOrder(world.deps, {
    agencyId: AGENCY,
    orderId: order.id,
    reason: 'Putusan pengadilan mencabut perintah',
    officer: 'Budi Santoso',
  });
  // The workflow finalizes the withdrawn order (its undelivered notice is cancelled): erasure is allowed then.
  expect((await runWorkflow(world, order.id)).steps).toEqual(['finalize', 'done']);
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

const erase = (world: TestWorld, orderId: string, requestReference = 'PDP/2026/0007') =>
  eraseAuditPersonalData(world.deps, { orderId, operatorId: 'ops-1', requestReference });

describe('eraseAuditPersonalData', () => {
  it('erases officer names and reasons from the trail, records the erasure, and the chain still verifies', async () => {
    const { world, orderId } = await withdrawnOrder();
    const before = await readAudit(world, orderId);
    const result = await erase(world, orderId);
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
      details: { erasedEvents: result.erasedEvents, erasedItems: 2, requestReference: 'PDP/2026/0007' },
    });
    expect(after.verification).toEqual({ valid: true, checkedEvents: before.items.length + 1 });
  });

  it("blanks the order's officer and reasons and every item's locator and note, keeping what enforcement recorded", async () => {
    const { world, orderId } = await withdrawnOrder();
    const orderBefore = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    const result = await erase(world, orderId);
    const order = await getOrder(world.deps, { agencyId: AGENCY, orderId });
    expect(order).toMatchObject({
      officer: null,
      reason: null,
      withdrawal: { reason: null, at: orderBefore.withdrawal?.at },
      personalDataErasedAt: result.erasedAt,
      status: 'withdrawn',
      reference: orderBefore.reference,
      deadlineAt: orderBefore.deadlineAt,
      itemCounts: orderBefore.itemCounts,
      stageHistory: orderBefore.stageHistory,
    });
    expect(order.items.map((item) => ({ ...item, locator: 'kept' }))).toEqual(
      orderBefore.items.map((item) => ({ ...item, locator: 'kept' })),
    );
    expect(order.items.map((item) => item.locator)).toEqual([null, null]);
    const stored = [...(world.orders.items.get(orderId)?.values() ?? [])];
    expect(stored).toHaveLength(2);
    for (const item of stored) {
      expect(item).toMatchObject({ locator: null, note: null, personalDataErasedAt: result.erasedAt });
    }
    const storedOrder = world.orders.orders.get(orderId);
    expect(storedOrder?.withdrawal?.by).toEqual({ kind: 'agency', id: AGENCY });
    const everything = JSON.stringify([storedOrder, stored, world.orders.audit.get(orderId)]);
    for (const personal of ['Rina', 'Budi', 'Andi', 'Putusan', 'michat.example/p', 'warga']) {
      expect(everything).not.toContain(personal);
    }
  });

  it('erases every item of an order larger than one transaction holds', async () => {
    const { world, orderId } = await withdrawnOrder(130);
    const result = await erase(world, orderId);
    expect(result.erasedItems).toBe(130);
    const page = await listItems(world.deps, { agencyId: AGENCY, orderId, limit: 200, cursor: null });
    expect(page.items).toHaveLength(130);
    expect(page.items.filter((item) => item.locator !== null)).toEqual([]);
    expect((await readAudit(world, orderId)).verification.valid).toBe(true);
  });

  it('answers a repeated request as the first and changes nothing', async () => {
    const { world, orderId } = await withdrawnOrder();
    const first = await erase(world, orderId);
    const orderAfterFirst = structuredClone(world.orders.orders.get(orderId));
    const auditAfterFirst = structuredClone(world.orders.audit.get(orderId));
    world.clock.advance(60_000);
    const second = await erase(world, orderId, 'PDP/2026/0008');
    expect(second).toEqual(first);
    expect(world.orders.orders.get(orderId)).toEqual(orderAfterFirst);
    expect(world.orders.audit.get(orderId)).toEqual(auditAfterFirst);
  });

  it('refuses an order still being enforced with a conflict, erasing nothing', async () => {
    const world = testWorld();
    await registerMichat(world);
    const submitted = await submit(world, orderBody({ officer: 'Rina Susanti' }, 2));
    const orderBefore = structuredClone(world.orders.orders.get(submitted.id));
    const auditBefore = structuredClone(world.orders.audit.get(submitted.id));
    await expect(erase(world, submitted.id)).rejects.toThrow(ConflictError);
    expect(world.orders.orders.get(submitted.id)).toEqual(orderBefore);
    expect(world.orders.audit.get(submitted.id)).toEqual(auditBefore);
    const order = await getOrder(world.deps, { agencyId: AGENCY, orderId: submitted.id });
    expect(order.officer).toBe('Rina Susanti');
    expect(order.items.every((item) => item.locator !== null)).toBe(true);
  });

  it('answers 404 for an order that does not exist, erasing nothing', async () => {
    const world = testWorld();
    await expect(erase(world, 'nope')).rejects.toThrow(NotFoundError);
  });
});

describe('signed heads', () => {
  it('keeps every signed head with its event, and each notice carries the head as it stood when sent', async () => {
    const world = testWorld();
    await registerMichat(world);
    const order = await submit(world);
    await runWorkflow(world, order.id);
    const trail = world.orders.audit.get(order.id) ?? [];
    expect(trail.length).toBeGreaterThanOrEqual(2);
    for (const event of trail) {
      expect(event.signedHead).toMatchObject({
        seq: event.seq,
        digest: event.digest,
        algorithm: 'ECDSA_SHA_256',
      });
      const head = event.signedHead;
      if (!head?.signature) throw new Error('unsigned head');
      expect(await world.deps.chainSigner?.verify(chainHeadMessage(head), head.signature)).toBe(true);
    }
    // The platform holds a signed head from before its delivery: proof against a later truncated trail.
    const sent = JSON.parse(world.endpoint.received[0]?.body ?? '{}');
    expect(sent.data.auditHead).toEqual(trail[0]?.signedHead);
    const audit = await readAudit(world, order.id);
    expect(audit.items.map((event) => event.signedHead?.seq)).toEqual(trail.map((event) => event.seq));
  });
});
