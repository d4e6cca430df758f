import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoIdempotencyStore } from '../../../functions/src/adapters/dynamodb-idempotency';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { DynamoPlatformRepository } from '../../../functions/src/adapters/dynamodb-platforms';
import { OrderChanged } from '../../../functions/src/domain/errors';
import { eraseAuditPersonalData } from '../../../functions/src/use-cases/erase-audit-personal-data';
import { listPlatforms, registerPlatform, rotateSecrets } from '../../../functions/src/use-cases/operator';
import { getAudit, getOrder, listItems, listOrders } from '../../../functions/src/use-cases/read-orders';
import { recordPlatformResponses } from '../../../functions/src/use-cases/record-platform-responses';
import { reviewItems } from '../../../functions/src/use-cases/review-items';
import { submitOrder } from '../../../functions/src/use-cases/submit-order';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { registerWait } from '../../../functions/src/use-cases/workflow-steps';
import { type TestWorld } from '../fakes';
import {
  AGENCY,
  answer,
  orderBody,
  registerMichat,
  runWorkflow,
  signedAnswer,
  submit,
} from '../lifecycle-helpers';
import { type LocalTable, startLocalDocuments, worldOnDynamo } from './local-table';

// Runs the real DynamoDB adapters against DynamoDB Local, so that every expression, condition and key is checked
// by DynamoDB itself rather than by a mock.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-adapter-test';

beforeAll(async () => {
  ({ table, documents } = await startLocalDocuments(TABLE));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

describe('DynamoDB adapters on DynamoDB Local', () => {
  it('run an order from submission through answers, escalation and finalization', async () => {
    const world = worldOnDynamo(documents, TABLE);
    const secrets = await registerMichat(world);
    const order = await submit(world, orderBody({}, 250), 'dynamo-key');
    const again = await submit(world, orderBody({}, 250), 'dynamo-key');
    expect(again.id).toBe(order.id);

    // Served by webhook: the order waits for the warning at half its first deadline, and is in the open-orders index.
    expect(await runWorkflow(world, order.id)).toEqual({
      steps: ['deliver:000001', 'wait'],
      stopped: { next: 'wait', waitSeconds: 12 * 3600 },
    });
    expect(await world.deps.orders.getOrder(order.id)).toMatchObject({
      status: 'awaiting_platform',
      servedVia: 'webhook',
      servedAt: world.clock.now().toISOString(),
    });
    expect((await world.deps.orders.listOpenOrders()).map((open) => open.orderId)).toContain(order.id);
    const waiting = await world.deps.orders.getOrder(order.id);
    if (waiting === null) throw new Error('order vanished');
    // A wait planned on the version before the token was stored is refused: something changed meanwhile.
    await expect(
      registerWait(world.deps, {
        orderId: order.id,
        taskToken: 'stale',
        version: waiting.version - 1,
        evaluatedAt: world.clock.now().toISOString(),
      }),
    ).rejects.toThrow(OrderChanged);

    const answered = await answer(
      world,
      secrets.responseSecret,
      order.id,
      Array.from({ length: 120 }, (_, index) => ({
        itemId: String(index + 1).padStart(6, '0'),
        outcome: 'removed',
      })),
    );
    expect(answered.results.filter((result) => result.result === 'applied')).toHaveLength(120);

    // Half-time: the warning goes out, and the marker remembers it, so the next wait is for the 90 % one.
    world.clock.advance(12 * 3_600_000);
    expect(await runWorkflow(world, order.id)).toMatchObject({
      steps: ['warn', 'deliver:000002', 'wait'],
      stopped: { next: 'wait', waitSeconds: 34_560 }, // 9.6 h: until 90 % of the 24 h
    });
    expect((await world.deps.orders.getOrder(order.id))?.lastWarning).toEqual({
      deadlineAt: new Date(world.clock.now().getTime() + 12 * 3_600_000).toISOString(),
      fraction: 0.5,
    });

    world.clock.advance(13 * 3_600_000);
    const escalated = await runWorkflow(world, order.id);
    expect(escalated.steps).toEqual(['escalate', 'deliver:000003', 'wait']);
    expect((await world.deps.orders.getOrder(order.id))?.stage).toBe('st1');

    await answer(
      world,
      secrets.responseSecret,
      order.id,
      Array.from({ length: 130 }, (_, index) => ({
        itemId: String(index + 121).padStart(6, '0'),
        outcome: 'removed',
      })),
    );
    expect(world.workflow.woken.map((wake) => wake.output)).toEqual([{ changed: 'answers' }]);
    expect(await runWorkflow(world, order.id)).toEqual({
      steps: ['finalize', 'done'],
      stopped: { next: 'done' },
    });
    expect((await world.deps.orders.getOrder(order.id))?.status).toBe('complied_late');
    // The transaction that made it final took it out of the open-orders index.
    expect((await world.deps.orders.listOpenOrders()).map((open) => open.orderId)).not.toContain(order.id);

    const view = await getOrder(world.deps, { agencyId: AGENCY, orderId: order.id });
    expect(view.itemCounts).toMatchObject({ total: 250, resolved: 250 });
    expect(view.items).toHaveLength(100);
    expect(view.deliveries.map((attempt) => [attempt.noticeId, attempt.event, attempt.httpStatus])).toEqual([
      ['000001', 'takedown.requested', 200],
      ['000002', 'takedown.deadline_approaching', 200],
      ['000003', 'takedown.reminder', 200],
    ]);
    expect(view.notices.map((notice) => [notice.event, notice.webhook.state, notice.email.state])).toEqual([
      ['takedown.requested', 'delivered', 'not_needed'],
      ['takedown.deadline_approaching', 'delivered', 'not_needed'],
      ['takedown.reminder', 'delivered', 'not_needed'],
    ]);
    const secondPage = await listItems(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      limit: 100,
      cursor: view.nextItemsCursor,
    });
    expect(secondPage.items[0]?.id).toBe('000101');
    const audit = await getAudit(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      limit: 100,
      cursor: null,
    });
    expect(audit.items.map((event) => event.seq)).toEqual(audit.items.map((_, index) => index + 1));
    expect(audit.items.at(-1)?.action).toBe('finalized');
    // Every event of the lifecycle (answers, escalations, finalization) survives DynamoDB's round trip unchanged.
    expect(audit.verification).toEqual({ valid: true, checkedEvents: audit.head?.seq });
    const listed = await listOrders(world.deps, {
      agencyIds: [AGENCY],
      status: 'complied_late',
      platformId: null,
      limit: 5,
      cursor: null,
    });
    expect(listed.items.map((entry) => entry.id)).toContain(order.id);
    const byPlatform = await listOrders(world.deps, {
      agencyIds: [AGENCY],
      status: null,
      platformId: 'michat',
      limit: 5,
      cursor: null,
    });
    expect(byPlatform.items.map((entry) => entry.id)).toContain(order.id);
    const none = await listOrders(world.deps, {
      agencyIds: [AGENCY],
      status: null,
      platformId: 'other',
      limit: 5,
      cursor: null,
    });
    expect(none.items).toEqual([]);
    const firstPage = await listOrders(world.deps, {
      agencyIds: [AGENCY],
      status: null,
      platformId: null,
      limit: 1,
      cursor: null,
    });
    expect(firstPage.items).toHaveLength(1);

    // A lawful erasure of the finished order blanks the marker and all 250 items (three transactions) in the table.
    const erasure = await eraseAuditPersonalData(world.deps, {
      orderId: order.id,
      operatorId: 'ops-1',
      requestReference: 'PDP/2026/0009',
    });
    expect(erasure).toMatchObject({ orderId: order.id, erasedItems: 250 });
    const readMarker = async () =>
      (
        await documents.send(
          new GetCommand({
            TableName: TABLE,
            Key: { pk: `ORDER#${order.id}`, sk: 'ORDER' },
            ConsistentRead: true,
          }),
        )
      ).Item;
    const storedMarker = await readMarker();
    expect(storedMarker).toMatchObject({
      officer: null,
      reason: null,
      personalDataErasedAt: erasure.erasedAt,
      status: 'complied_late',
      reference: 'AIS/2026/11/0042',
      itemCounts: { total: 250, resolved: 250 },
    });
    const storedItems = await world.deps.orders.allItems(order.id);
    expect(storedItems).toHaveLength(250);
    expect(storedItems.filter((item) => item.locator !== null || item.note !== null)).toEqual([]);
    expect(storedItems.every((item) => item.personalDataErasedAt === erasure.erasedAt)).toBe(true);
    expect(
      storedItems.filter((item) => item.status === 'resolved' && item.outcome === 'removed'),
    ).toHaveLength(250);
    const erasedAudit = await getAudit(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      limit: 100,
      cursor: null,
    });
    expect(erasedAudit.items.at(-1)?.action).toBe('personal_data_erased');
    expect(erasedAudit.verification).toEqual({ valid: true, checkedEvents: (audit.head?.seq ?? 0) + 1 });
    // A repeated request answers the same and writes nothing.
    const repeated = await eraseAuditPersonalData(world.deps, {
      orderId: order.id,
      operatorId: 'ops-1',
      requestReference: 'PDP/2026/0009',
    });
    expect(repeated).toEqual(erasure);
    expect(await readMarker()).toEqual(storedMarker);
  }, 120_000);

  it('run disputes, review, withdrawal, secret rotation and platform listing', async () => {
    const world = worldOnDynamo(documents, TABLE);
    world.deps.platforms = new DynamoPlatformRepository(documents, TABLE);
    const secrets = await registerPlatform(world.deps, {
      id: `plat-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Second',
      webhookUrl: 'https://hooks.second.example/',
      contactEmail: 'ops@second.example',
    });
    const platformId = secrets.platform.id;
    const body = orderBody({ platformId }, 3);
    const order = await submitOrder(world.deps, {
      agencyId: AGENCY,
      idempotencyKey: 'review-key',
      request: body,
      order: body,
    });
    const orderId = order.id;
    await runWorkflow(world, orderId);
    const signed = signedAnswer(secrets.responseSecret, {
      takedownRequestId: orderId,
      items: [
        { itemId: '000001', outcome: 'rejected', reason: { code: 'legal_objection', explanation: 'Satire' } },
        {
          itemId: '000002',
          outcome: 'rejected',
          reason: { code: 'manifest_error', explanation: 'Wrong URL' },
        },
      ],
    });
    await recordPlatformResponses(world.deps, { platformId, ...signed });
    const review = await reviewItems(world.deps, {
      agencyId: AGENCY,
      orderId,
      itemIds: ['000001', '000002', '000003'],
      decision: 'uphold',
      note: 'Not satire',
      officer: null,
    });
    expect(review.results.map((entry) => entry.result)).toEqual(['applied', 'applied', 'not_disputed']);
    const withdrawn = await withdrawOrder(world.deps, {
      agencyId: AGENCY,
      orderId,
      reason: 'Lifted',
      officer: null,
    });
    expect(withdrawn.itemCounts).toMatchObject({ withdrawn: 3, pending: 0, disputed: 0 });
    // Finalize tells the platform of the withdrawal (a notice of its own), and the order leaves the index.
    const closed = await runWorkflow(world, orderId);
    expect(closed.steps).toEqual(['finalize', 'deliver:000003', 'done']);
    expect((await world.deps.orders.listNotices(orderId)).map((notice) => notice.event)).toEqual([
      'takedown.requested',
      'takedown.review_decided',
      'takedown.withdrawn',
    ]);
    expect((await world.deps.orders.listOpenOrders()).map((open) => open.orderId)).not.toContain(orderId);
    const rotated = await rotateSecrets(world.deps, platformId);
    expect(rotated.platform.secretsRotatedAt).not.toBeNull();
    expect((await listPlatforms(world.deps)).items.map((entry) => entry.id)).toContain(platformId);
    expect(await world.deps.platforms.get(platformId)).toMatchObject({
      secretsRotatedAt: rotated.platform.secretsRotatedAt,
    });
  }, 120_000);
});

describe('submitting a small order on DynamoDB Local', () => {
  /** A world whose adapters record the name of every DynamoDB command they send. */
  function countedWorld() {
    const sent: string[] = [];
    const counted = new Proxy(documents, {
      get: (target, property, receiver) =>
        property === 'send'
          ? (command: { constructor: { name: string } }) => {
              sent.push(command.constructor.name);
              return target.send(command as never);
            }
          : Reflect.get(target, property, receiver),
    });
    const world = worldOnDynamo(documents, TABLE);
    world.deps.orders = new DynamoOrderRepository(counted, TABLE, world.deps.chainSigner);
    world.deps.idempotency = new DynamoIdempotencyStore(counted, TABLE, 'IDEMPOTENCY', world.clock);
    return { world, sent };
  }

  /** A small order to a platform of its own (the table outlives each test). */
  async function smallOrder(world: TestWorld) {
    const { platform } = await registerPlatform(world.deps, {
      id: `fold-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Fold',
      webhookUrl: 'https://hooks.fold.example/',
      contactEmail: 'ops@fold.example',
    });
    return orderBody({ platformId: platform.id }, 3);
  }

  it("completes the idempotency record in the order's own transaction: nothing is written after it", async () => {
    const { world, sent } = countedWorld();
    const body = await smallOrder(world);
    const key = `fold-${Math.random().toString(36).slice(2)}`;
    const order = await submit(world, body, key);
    expect(sent.slice(sent.indexOf('TransactWriteCommand'))).toEqual(['TransactWriteCommand']);
    const record = await documents.send(
      new GetCommand({ TableName: TABLE, Key: { pk: `IDEMPOTENCY#${AGENCY}#${key}`, sk: 'IDEMPOTENCY' } }),
    );
    expect(record.Item?.state).toBe('completed');
    expect((await submit(world, body, key)).id).toBe(order.id);
  });

  it('a crash before the execution starts answers the retry at once with the same order', async () => {
    const { world } = countedWorld();
    const body = await smallOrder(world);
    const key = `crash-${Math.random().toString(36).slice(2)}`;
    const start = world.workflow.start.bind(world.workflow);
    world.workflow.start = async () => {
      throw new Error('crash');
    };
    await expect(submit(world, body, key)).rejects.toThrow('crash');
    world.workflow.start = start;
    const retry = await submit(world, body, key);
    expect(retry).toMatchObject({ status: 'notifying', itemCounts: { total: 3 } });
    expect(await world.deps.orders.getOrder(retry.id)).toMatchObject({ orderId: retry.id });
  });
});
