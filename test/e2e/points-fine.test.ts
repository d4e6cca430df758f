import { afterAll, describe, expect, it } from 'vitest';
import {
  AGENCY,
  api,
  type E2eCloud,
  getAudit,
  getToken,
  orderBody,
  type PlatformReceiver,
  pdfText,
  pointsCloud,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from './harness';

/**
 * SAMAN's points fine through HTTP, on the second local cloud of the run (`pointsCloud()`): the main one runs the
 * flat `fast` policy, and a policy is chosen per deployment. `fast-points` is `fast` with `fine.model: "points"`, tariff IDR 100,000 per point
 * and a policy default of 0.5 for virality.
 */
interface IndexView {
  value: number;
  source: 'item' | 'order' | 'policy';
}
interface PointsFineView {
  model: string;
  indices: Record<string, IndexView>;
  indexProduct: string;
  points: string;
  tariffPerPoint: number;
  capPerItem: number;
  amount: number;
  formula: string;
}
interface FinedOrderView {
  stage: string;
  stageHistory: { stage: string }[];
  fine: { currency: string; model: string; accrued: number; fineIndices: Record<string, number> | null };
  items: { id: string; fineAccrued: number; fine: PointsFineView }[];
}

describe('the points fine on the local cloud with the fast-points policy', () => {
  const target: E2eCloud = pointsCloud();
  let receiver: PlatformReceiver | undefined;

  afterAll(async () => {
    await receiver?.close();
  });

  it('refuses a bad index value, naming the field', async () => {
    const body = orderBody({ platformId: 'none', fineIndices: { content: 1.5 } });
    const refused = await submitOrder(body, { target });
    expect(refused.status).toBe(422);
    const { errors } = refused.body as unknown as { errors: { field: string; message: string }[] };
    expect(errors).toContainEqual({ field: 'fineIndices.content', message: expect.stringContaining('1') });
  });

  it('imposes each item its points fine once at ST2, shown per item, in the audit chain and in the ST2 letter', async () => {
    const registered = await startRegisteredPlatform(target);
    const { platformId } = registered;
    receiver = registered.receiver;
    const body = orderBody({ platformId, category: 'terrorism', fineIndices: { content: 0.8, ugc: 0.5 } }, 2);
    const items = body.items as Record<string, unknown>[];
    items[0] = { ...items[0], fineIndices: { businessScale: 0.25 } };
    const submitted = await submitOrder(body, { target });
    expect(submitted.status).toBe(201);
    const orderId = submitted.body.id;

    // Urgent under fast-points: ST1 4 s after service, ST2 4 s later; the platform never answers.
    const atSt2 = (await waitForOrder(
      orderId,
      (order) => order.stageHistory.some((entry) => entry.stage === 'st2'),
      { target, timeoutMs: 30_000, what: 'ST2' },
    )) as unknown as FinedOrderView;

    // 0.8 (order) × 0.5 (order) × 0.25 (item) × 1 × 1 × 0.5 (policy) = 0.05 → 250 points → IDR 25,000,000;
    // the second item takes no index of its own: 0.2 → 1,000 points → IDR 100,000,000.
    expect(atSt2.fine).toMatchObject({
      currency: 'IDR',
      model: 'points',
      accrued: 125_000_000,
      fineIndices: { content: 0.8, ugc: 0.5 },
    });
    const [first, second] = atSt2.items;
    expect(first?.fine).toMatchObject({
      model: 'points',
      indices: {
        content: { value: 0.8, source: 'order' },
        ugc: { value: 0.5, source: 'order' },
        businessScale: { value: 0.25, source: 'item' },
        warning: { value: 1, source: 'policy' },
        compliance: { value: 1, source: 'policy' },
        virality: { value: 0.5, source: 'policy' },
      },
      indexProduct: '0.05',
      points: '250',
      tariffPerPoint: 100_000,
      capPerItem: 500_000_000,
      amount: 25_000_000,
    });
    expect(first?.fineAccrued).toBe(25_000_000);
    expect(second?.fine).toMatchObject({ points: '1000', amount: 100_000_000 });

    // Imposed once: the items listing, later, shows the same amounts.
    const listed = await api<{ items: FinedOrderView['items'] }>(
      'GET',
      `/v1/takedown-requests/${orderId}/items`,
      { as: AGENCY, target },
    );
    expect(listed.body.items.map((item) => item.fine.amount)).toEqual([25_000_000, 100_000_000]);

    const audit = await getAudit(orderId, AGENCY, target);
    const st2 = audit.find((event) => event.action === 'escalated' && event.stage === 'st2');
    expect(st2?.details.fine).toMatchObject({
      model: 'points',
      currency: 'IDR',
      maxPoints: 5_000,
      tariffPerPoint: 100_000,
      capPerItem: 500_000_000,
      indexDefaults: { virality: 0.5 },
      orderIndices: { content: 0.8, ugc: 0.5 },
      items: 2,
      total: 125_000_000,
      groups: [
        { points: '250', amount: 25_000_000, count: 1, items: '000001' },
        { points: '1000', amount: 100_000_000, count: 1, items: '000002' },
      ],
    });

    // The platform's fine notice carries each item's formula.
    const notice = await waitFor(
      () => registered.receiver.received.find((webhook) => webhook.type === 'takedown.fine_notice'),
      { what: 'the fine notice' },
    );
    const noticeItems = notice.body.data.items as { fineFormula?: string }[];
    expect(noticeItems[0]?.fineFormula).toBe(
      '(content 0.8 × ugc 0.5 × businessScale 0.25 × warning 1 × compliance 1 × virality 0.5) × 5000 points = 250 points × 100000 IDR = 25000000 IDR',
    );

    const response = await fetch(`${target.apiUrl}/v1/takedown-requests/${orderId}/letters/st2`, {
      headers: { authorization: `Bearer ${await getToken(AGENCY, target)}`, accept: 'application/pdf' },
    });
    expect(response.status).toBe(200);
    const text = pdfText(Buffer.from(await response.arrayBuffer())).replace(/\s+/g, ' ');
    expect(text).toContain('SURAT TEGURAN 2 (ST2)');
    expect(text).toContain('× 5000; fine = points × 100000 IDR per point');
    expect(text).toContain('= 250 points × 100000 IDR = 25000000 IDR (butir / items 000001)');
    expect(text).toContain('= 1000 points × 100000 IDR = 100000000 IDR (butir / items 000002)');
  });
});
