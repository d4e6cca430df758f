import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { itemFine } from '../../../functions/src/domain/fine-formula';
import { finalOrderStatus, nextStage, statusAfterOutcome } from '../../../functions/src/domain/order-rules';
import type { DeliveryAttempt, ItemRecord } from '../../../functions/src/domain/records';
import {
  growingFines,
  statisticsFromCells,
  statisticsFromOrders,
} from '../../../functions/src/domain/statistics';
import {
  type CounterCell,
  markerChangeTouchesItems,
  mergeCells,
  type OrderSnapshot,
  orderContribution,
  type StatsOrder,
  statisticsDeltas,
} from '../../../functions/src/domain/statistics-counters';
import { deliveryAttempt, itemRecord, orderRecord, pointsPolicy } from '../report-fixtures';

/**
 * A small simulation of what the writers do to orders (submit, serve, deliver, answer, escalate, review,
 * clarify, withdraw, finalize). Each change is applied as the writers will: the deltas of (before, after) with
 * only the items the change wrote, or every item when `markerChangeTouchesItems` says so. At the end the summed
 * deltas must equal the sum of every order's contribution (the full recompute).
 */
const ZONES = ['UTC', 'Asia/Jakarta'];
const OUTCOMES = ['removed', 'restricted', 'account_suspended', 'not_found', 'rejected'] as const;

type Op =
  | { kind: 'submit'; items: number; platform: number; agency: number; category: number; points: boolean }
  | { kind: 'serve' | 'escalate' | 'finalize' | 'withdraw' | 'ask' | 'answerClarification'; order: number }
  | { kind: 'deliver'; order: number; status: number; latency: number }
  | { kind: 'answer'; order: number; item: number; outcome: number }
  | { kind: 'review'; order: number; item: number; uphold: boolean };

const order = fc.nat(3);
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('submit' as const),
      items: fc.integer({ min: 1, max: 4 }),
      platform: fc.nat(1),
      agency: fc.nat(1),
      category: fc.nat(1),
      points: fc.boolean(),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('serve', 'escalate'), order }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constantFrom('finalize', 'withdraw', 'ask', 'answerClarification'),
      order,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('deliver' as const),
      order,
      status: fc.constantFrom(200, 503),
      latency: fc.integer({ min: 1, max: 5_000 }),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('answer' as const),
      order,
      item: fc.nat(3),
      outcome: fc.nat(4),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('review' as const),
      order,
      item: fc.nat(3),
      uphold: fc.boolean(),
    }),
  },
);

class Simulation {
  readonly orders: OrderSnapshot[] = [];
  readonly deliveries = new Map<string, DeliveryAttempt[]>();
  readonly cells = new Map<string, CounterCell>();
  clock = new Date('2026-11-27T16:00:00.000Z').getTime();

  private write(
    index: number,
    order: StatsOrder,
    items: readonly ItemRecord[],
    attempts: DeliveryAttempt[] = [],
  ): void {
    const before = this.orders[index] as OrderSnapshot;
    const changed = markerChangeTouchesItems(before.order, order)
      ? items.map((_, i) => i)
      : items.flatMap((item, i) => (item !== before.items[i] ? [i] : []));
    const pick = (list: readonly ItemRecord[]) => changed.map((i) => list[i] as ItemRecord);
    mergeCells(
      this.cells,
      statisticsDeltas(
        { order: before.order, items: pick(before.items) },
        { order, items: pick(items), deliveries: attempts },
        ZONES,
      ),
    );
    this.orders[index] = { order, items };
  }

  apply(op: Op, step: number) {
    this.clock += (step % 7) * 5 * 3_600_000 + 1_000;
    const now = new Date(this.clock).toISOString();
    if (op.kind === 'submit') return this.submit(op, now);
    const index = op.order % Math.max(1, this.orders.length);
    const snapshot = this.orders[index];
    if (snapshot === undefined) return;
    const { order, items } = snapshot;
    const final = order.finalizedAt !== null;
    const served = order.servedAt ?? null;
    switch (op.kind) {
      case 'serve':
        if (served === null)
          this.write(index, { ...order, servedAt: now, notifiedAt: now, status: 'awaiting_platform' }, items);
        return;
      case 'deliver': {
        const attempt = deliveryAttempt(order.orderId, {
          at: now,
          httpStatus: op.status,
          latencyMs: op.latency,
        });
        this.deliveries.set(order.orderId, [...(this.deliveries.get(order.orderId) ?? []), attempt]);
        return this.write(index, order, items, [attempt]);
      }
      case 'answer':
        return this.answer(index, op, now);
      case 'review': {
        const item = items[op.item % items.length] as ItemRecord;
        if (final || item.status !== 'disputed') return;
        const next: ItemRecord = op.uphold
          ? {
              ...item,
              status: 'pending',
              outcome: null,
              answeredAt: null,
              onTime: null,
              review: { decision: 'uphold', note: 'n', at: now },
              fineAccruingSince: order.st2At === null ? null : now,
            }
          : { ...item, status: 'withdrawn', review: { decision: 'withdraw', note: 'n', at: now } };
        return this.write(
          index,
          order,
          items.map((entry) => (entry === item ? next : entry)),
        );
      }
      case 'escalate': {
        const next = nextStage(order.stage);
        if (final || served === null || next === null) return;
        this.write(
          index,
          {
            ...order,
            stage: next.stage,
            st2At: next.stage === 'st2' ? now : order.st2At,
            stageHistory: [...order.stageHistory, { stage: next.stage, at: now, deadlineAt: null }],
          },
          items,
        );
        return;
      }
      case 'ask':
        if (!final && served !== null && !order.clarification)
          this.write(
            index,
            {
              ...order,
              clarification: {
                seq: (order.clarifications?.length ?? 0) + 1,
                question: 'q',
                askedAt: now,
                answer: null,
                answeredAt: null,
                receivedAt: null,
              },
            },
            items,
          );
        return;
      case 'answerClarification':
        if (order.clarification)
          this.write(
            index,
            {
              ...order,
              clarification: null,
              clarifications: [
                ...(order.clarifications ?? []),
                { ...order.clarification, answer: 'a', answeredAt: now, receivedAt: now },
              ],
            },
            items,
          );
        return;
      case 'withdraw':
      case 'finalize': {
        if (final || served === null) return;
        const closed =
          op.kind === 'withdraw'
            ? items.map((item) =>
                item.status === 'pending' || item.status === 'disputed'
                  ? { ...item, status: 'withdrawn' as const }
                  : item,
              )
            : items;
        const status =
          op.kind === 'withdraw'
            ? 'withdrawn'
            : finalOrderStatus({ currentStatus: order.status, stage: order.stage, items: closed });
        this.write(index, { ...order, status, finalizedAt: now }, closed);
      }
    }
  }

  private submit(op: Extract<Op, { kind: 'submit' }>, now: string): void {
    const orderId = `o${this.orders.length + 1}`;
    const order = orderRecord({
      orderId,
      platformId: ['michat', 'tiktok'][op.platform] as string,
      agencyId: ['komdigi-ais', 'polri-siber'][op.agency] as string,
      category: op.category === 0 ? 'gambling' : 'fraud',
      status: 'notifying',
      createdAt: now,
      servedAt: null,
      notifiedAt: null,
      policy: op.points ? pointsPolicy() : orderRecord().policy,
    });
    const items = Array.from({ length: op.items }, (_, i) => itemRecord(orderId, i + 1));
    this.orders.push({ order, items });
    mergeCells(this.cells, statisticsDeltas(null, { order, items }, ZONES));
  }

  private answer(index: number, op: Extract<Op, { kind: 'answer' }>, now: string): void {
    const { order, items } = this.orders[index] as OrderSnapshot;
    const item = items[op.item % items.length] as ItemRecord;
    if (order.finalizedAt !== null || (order.servedAt ?? null) === null || item.status !== 'pending') return;
    const outcome = OUTCOMES[op.outcome] as (typeof OUTCOMES)[number];
    const settled = itemFine(order, item, new Date(now)).amount;
    const next: ItemRecord = {
      ...item,
      status: statusAfterOutcome(outcome),
      outcome,
      answeredAt: now,
      onTime: order.stage === 'order',
      answeredAtStage: order.stage,
      reason: outcome === 'rejected' ? { code: 'manifest_error', explanation: 'e' } : item.reason,
      fineSettled: settled,
      fineAccruingSince: null,
    };
    this.write(
      index,
      order,
      items.map((entry) => (entry === item ? next : entry)),
    );
  }

  recompute(): Map<string, CounterCell> {
    const cells = new Map<string, CounterCell>();
    for (const snapshot of this.orders)
      mergeCells(
        cells,
        orderContribution(
          { ...snapshot, deliveries: this.deliveries.get(snapshot.order.orderId) ?? [] },
          ZONES,
        ),
      );
    return cells;
  }
}

const withoutZeros = (cells: Map<string, CounterCell>) =>
  new Map(
    [...cells]
      .map(
        ([key, cell]) =>
          [
            key,
            Object.fromEntries(Object.entries(cell.counters).filter(([, value]) => value !== 0)),
          ] as const,
      )
      .filter(([, counters]) => Object.keys(counters).length > 0),
  );

describe('incremental statistics', () => {
  it('the deltas of any sequence of changes sum to the full recompute', () => {
    const seen = new Set<string>();
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 10, maxLength: 80, size: 'max' }), (ops) => {
        const simulation = new Simulation();
        ops.forEach((op, step) => {
          simulation.apply(op, step);
        });
        const recomputed = simulation.recompute();
        for (const cell of recomputed.values())
          for (const [name, value] of Object.entries(cell.counters))
            if (value > 0) seen.add(name.replace(/\.b\d+$/, '.b'));
        expect(withoutZeros(simulation.cells)).toEqual(withoutZeros(recomputed));
        const now = new Date(simulation.clock);
        const filter = { from: '2026-11-01', to: '2027-02-28', zone: 'Asia/Jakarta' };
        const snapshots = simulation.orders.map((snapshot) => ({
          ...snapshot,
          deliveries: simulation.deliveries.get(snapshot.order.orderId) ?? [],
        }));
        const open = snapshots.filter((snapshot) => snapshot.order.finalizedAt === null);
        expect(
          statisticsFromCells(simulation.cells.values(), growingFines(open, filter, now), filter, now),
        ).toEqual(statisticsFromOrders(snapshots, filter, now));
      }),
      { numRuns: 300 },
    );
    // The simulation reaches every kind of counter, so the equality above is not vacuous.
    for (const name of [
      'neverRemoved',
      'removedOnTime',
      'removedLate',
      'fineFinal.IDR',
      'contestUpheld',
      'contestWithdrawn',
      'comply.b',
      'delivery.b',
      'reached.st3',
      'clarificationsAnswered',
      'orderStatus.withdrawn',
    ])
      expect(seen).toContain(name);
  });

  it('a change that passes fewer items than it should is caught (the rule is needed)', () => {
    // Finalizing turns a pending item into a never-removed one: with no items passed, the deltas miss it.
    const order = orderRecord({ orderId: 'x' });
    const items = [itemRecord('x', 1)];
    const cells = new Map<string, CounterCell>();
    mergeCells(cells, orderContribution({ order, items }, ['UTC']));
    const finalized = { ...order, status: 'complied_late' as const, finalizedAt: '2026-11-29T00:00:00.000Z' };
    expect(markerChangeTouchesItems(order, finalized)).toBe(true);
    mergeCells(cells, statisticsDeltas({ order, items: [] }, { order: finalized, items: [] }, ['UTC']));
    const truth = new Map<string, CounterCell>();
    mergeCells(truth, orderContribution({ order: finalized, items }, ['UTC']));
    expect(withoutZeros(cells)).not.toEqual(withoutZeros(truth));
  });
});
