import { describe, expect, it } from 'vitest';
import { UnprocessableError } from '../../../functions/src/domain/errors';
import { itemIdRanges } from '../../../functions/src/domain/fine-audit';
import { MAX_FINE_INDEX_SETS } from '../../../functions/src/domain/new-order';
import { parsePolicy } from '../../../functions/src/domain/policy';
import { ValidationError } from '../../../functions/src/http/errors';
import { validate } from '../../../functions/src/http/middleware';
import { submitOrderBodySchema } from '../../../functions/src/http/schemas';
import { getOrder, listItems } from '../../../functions/src/use-cases/read-orders';
import { reviewItems } from '../../../functions/src/use-cases/review-items';
import { testWorld } from '../fakes';
import { answer, orderBody, registerMichat, runWorkflow, submit } from '../lifecycle-helpers';
import { DEFAULT_POLICY, POLICY_JSON } from '../policy-fixture';
import { pointsPolicy } from '../report-fixtures';

const HOUR = 3_600_000;
type AnswerInput = Parameters<typeof answer>[3][number];
const policyWith = (fine: Record<string, unknown>) =>
  parsePolicy({ ...JSON.parse(POLICY_JSON), fine: { ...JSON.parse(POLICY_JSON).fine, ...fine } });

describe('the policy fine model', () => {
  it('reads as flat when it names no model, and takes the points model with its section', () => {
    expect(DEFAULT_POLICY.fine.model).toBe('flat');
    const points = policyWith({ model: 'points', points: { tariffPerPoint: 100_000 } });
    expect(points.fine.points).toMatchObject({ maxPoints: 5_000, tariffPerPoint: 100_000 });
    expect(points.fine.points?.indexDefaults.virality).toBe(1);
  });

  it('refuses the points model without fine.points, and a bad index default, naming the field', () => {
    expect(() => policyWith({ model: 'points' })).toThrow(
      /required when model is "points"\n {2}→ at fine\.points/,
    );
    expect(() =>
      policyWith({ model: 'points', points: { tariffPerPoint: 1, indexDefaults: { ugc: 2 } } }),
    ).toThrow(/fine\.points\.indexDefaults\.ugc/);
    expect(() => policyWith({ model: 'daily' })).toThrow(/fine\.model/);
  });
});

describe('fine indices on the submit body', () => {
  const fieldsOf = (body: unknown) => {
    try {
      validate(submitOrderBodySchema, body);
      return [];
    } catch (error) {
      if (!(error instanceof ValidationError)) throw error;
      return error.fieldErrors.map((entry) => entry.field);
    }
  };

  it('accepts indices per order and per item, and names a bad one', () => {
    const good = orderBody({ fineIndices: { content: 0.8 } }, 2);
    good.items[1] = {
      ...good.items[1],
      kind: 'url',
      locator: 'https://michat.example/x',
      fineIndices: { ugc: 0.5 },
    };
    expect(fieldsOf(good)).toEqual([]);
    expect(fieldsOf(orderBody({ fineIndices: { content: 1.2 } }))).toEqual(['fineIndices.content']);
    const bad = orderBody({}, 2);
    bad.items[0] = {
      ...bad.items[0],
      kind: 'url',
      locator: 'https://michat.example/y',
      fineIndices: { speed: 1 } as never,
    };
    expect(fieldsOf(bad)).toEqual(['items[0].fineIndices.speed']);
  });

  it(`takes at most ${MAX_FINE_INDEX_SETS} distinct per-item sets: 422 naming the first item beyond`, async () => {
    const body = orderBody({}, MAX_FINE_INDEX_SETS + 2);
    body.items = body.items.map((item, index) => ({
      ...item,
      // Two items share the first set: 501 distinct sets in 502 items, the last one is too many.
      fineIndices: { content: Math.max(1, index) / 10_000 },
    }));
    expect(fieldsOf(body)).toEqual([`items[${MAX_FINE_INDEX_SETS + 1}].fineIndices`]);
    const world = testWorld(pointsPolicy());
    await registerMichat(world);
    const refused = await submit(world, body).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnprocessableError);
    expect((refused as UnprocessableError).fieldErrors).toEqual([
      {
        field: `items[${MAX_FINE_INDEX_SETS + 1}].fineIndices`,
        message: expect.stringContaining('at most 500'),
      },
    ]);
    expect(await world.orders.getOrder('order-1')).toBeNull();
  });
});

/** Three items under the points model (tariff IDR 100,000 per point); the second is removed before ST2. */
async function pointsOrderAtSt2(second: AnswerInput = { itemId: '000002', outcome: 'removed' }) {
  const world = testWorld(pointsPolicy());
  const secrets = await registerMichat(world);
  const body = orderBody({ fineIndices: { content: 0.8, ugc: 0.5 } }, 3);
  body.items[0] = {
    ...body.items[0],
    kind: 'url',
    locator: 'https://michat.example/a',
    fineIndices: { virality: 0.25 },
  };
  const { id: orderId } = await submit(world, body);
  await runWorkflow(world, orderId);
  world.clock.advance(24 * HOUR);
  await runWorkflow(world, orderId);
  world.clock.advance(HOUR);
  await answer(world, secrets.responseSecret, orderId, [second]);
  world.clock.advance(23 * HOUR);
  await runWorkflow(world, orderId);
  return { world, secrets, orderId };
}

describe('the points fine at ST2', () => {
  it('is imposed once per open item; the view shows each input with its source, and the total', async () => {
    const { world, secrets, orderId } = await pointsOrderAtSt2();
    const view = await getOrder(world.deps, { agencyId: 'komdigi-ais', orderId });
    expect(view.stage).toBe('st2');
    // 000001: 0.8 × 0.5 × 1 × 1 × 1 × 0.25 = 0.1 → 500 points → IDR 50,000,000; 000003: 0.4 → 2,000 points.
    expect(view.fine).toEqual({
      currency: 'IDR',
      model: 'points',
      accrued: 250_000_000,
      fineIndices: { content: 0.8, ugc: 0.5 },
    });
    const [first, second, third] = view.items;
    expect(first?.fine).toMatchObject({
      model: 'points',
      indices: {
        content: { value: 0.8, source: 'order' },
        ugc: { value: 0.5, source: 'order' },
        businessScale: { value: 1, source: 'policy' },
        virality: { value: 0.25, source: 'item' },
      },
      indexProduct: '0.1',
      points: '500',
      tariffPerPoint: 100_000,
      capPerItem: 500_000_000,
      amount: 50_000_000,
      capped: false,
    });
    expect(second?.fine).toEqual(
      expect.objectContaining({ model: 'none', reason: 'not_open_at_st2', amount: 0 }),
    );
    expect(third?.fine).toMatchObject({ points: '2000', amount: 200_000_000 });

    // A late removal and days more change nothing: the points fine does not accrue.
    world.clock.advance(HOUR);
    await answer(world, secrets.responseSecret, orderId, [{ itemId: '000001', outcome: 'removed' }]);
    world.clock.advance(5 * 24 * HOUR);
    const later = await listItems(world.deps, { agencyId: 'komdigi-ais', orderId, limit: 10, cursor: null });
    expect(later.items.map((item) => item.fineAccrued)).toEqual([50_000_000, 0, 200_000_000]);
    expect((await getOrder(world.deps, { agencyId: 'komdigi-ais', orderId })).fine.accrued).toBe(250_000_000);
  });

  it('writes the formula, the policy parameters and each distinct set of inputs into the ST2 audit event', async () => {
    const { world, orderId } = await pointsOrderAtSt2();
    const { events } = await world.orders.auditTrail(orderId);
    const st2 = events.find((event) => event.action === 'escalated' && event.stage === 'st2');
    expect(st2?.details.fine).toEqual({
      model: 'points',
      currency: 'IDR',
      formula: expect.stringContaining(
        'points = content × ugc × businessScale × warning × compliance × virality',
      ),
      maxPoints: 5_000,
      tariffPerPoint: 100_000,
      capPerItem: 500_000_000,
      indexDefaults: { content: 1, ugc: 1, businessScale: 1, warning: 1, compliance: 1, virality: 1 },
      orderIndices: { content: 0.8, ugc: 0.5 },
      items: 2,
      total: 250_000_000,
      groups: [
        expect.objectContaining({ points: '500', amount: 50_000_000, count: 1, items: '000001' }),
        expect.objectContaining({ points: '2000', amount: 200_000_000, count: 1, items: '000003' }),
      ],
    });
    const escalatedSt1 = events.find((event) => event.action === 'escalated' && event.stage === 'st1');
    expect(escalatedSt1?.details.fine).toBeUndefined();
  });

  it('sends the platform each item’s formula with the fine notice', async () => {
    const { world } = await pointsOrderAtSt2();
    const fineNotice = world.endpoint.received
      .map((request) => JSON.parse(request.body))
      .find((body) => body.type === 'takedown.fine_notice');
    expect(fineNotice.data.order.fine).toMatchObject({
      model: 'points',
      points: { tariffPerPoint: 100_000 },
    });
    expect(fineNotice.data.items.map((item: { fineFormula: string }) => item.fineFormula)).toEqual([
      '(content 0.8 × ugc 0.5 × businessScale 1 × warning 1 × compliance 1 × virality 0.25) × 5000 points = 500 points × 100000 IDR = 50000000 IDR',
      '(content 0.8 × ugc 0.5 × businessScale 1 × warning 1 × compliance 1 × virality 1) × 5000 points = 2000 points × 100000 IDR = 200000000 IDR',
    ]);
  });

  it('fines an item upheld after ST2 then, and records it in the uphold’s audit event', async () => {
    const { world, orderId } = await pointsOrderAtSt2({
      itemId: '000002',
      outcome: 'rejected',
      reason: { code: 'legal_objection', explanation: 'Satire' },
    });
    const atSt2 = await getOrder(world.deps, { agencyId: 'komdigi-ais', orderId });
    expect(atSt2.stage).toBe('st2');
    expect(atSt2.items[1]?.fine).toMatchObject({ model: 'none', reason: 'not_open_at_st2' });
    world.clock.advance(HOUR);
    await reviewItems(world.deps, {
      agencyId: 'komdigi-ais',
      orderId,
      itemIds: ['000002'],
      decision: 'uphold',
      note: 'Not satire',
      officer: null,
    });
    const upheld = await getOrder(world.deps, { agencyId: 'komdigi-ais', orderId });
    expect(upheld.items[1]?.fine).toMatchObject({ points: '2000', amount: 200_000_000 });
    expect(upheld.fine.accrued).toBe(450_000_000);
    const { events } = await world.orders.auditTrail(orderId);
    const review = events.find((event) => event.action === 'review_upheld');
    expect(review?.details.fine).toMatchObject({
      model: 'points',
      items: 1,
      total: 200_000_000,
      groups: [{ points: '2000', amount: 200_000_000, count: 1, items: '000002' }],
    });
  });

  it('under the flat model records the accrual that starts at ST2', async () => {
    const world = testWorld();
    await registerMichat(world);
    const { id: orderId } = await submit(world, orderBody({}, 2));
    await runWorkflow(world, orderId);
    world.clock.advance(24 * HOUR);
    await runWorkflow(world, orderId);
    world.clock.advance(24 * HOUR);
    await runWorkflow(world, orderId);
    const { events } = await world.orders.auditTrail(orderId);
    const st2 = events.find((event) => event.action === 'escalated' && event.stage === 'st2');
    expect(st2?.details.fine).toMatchObject({
      model: 'flat',
      perItemPerPeriod: 5_000_000,
      accrualPeriod: 'P1D',
      capPerItem: 500_000_000,
      items: 2,
    });
    const view = await getOrder(world.deps, { agencyId: 'komdigi-ais', orderId });
    expect(view.items[0]?.fine).toMatchObject({ model: 'flat', periods: 1, amount: 5_000_000 });
  });
});

describe('item id ranges', () => {
  it('writes runs of consecutive items as first-last', () => {
    const items = [1, 2, 3, 5, 7, 8].map((seq) => ({ seq, itemId: String(seq).padStart(6, '0') }));
    expect(itemIdRanges(items)).toBe('000001-000003,000005,000007-000008');
    expect(itemIdRanges([])).toBe('');
  });
});
