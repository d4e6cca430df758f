import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { ConcurrentChangeError } from '../../../functions/src/domain/errors';
import { eraseAuditPersonalData } from '../../../functions/src/use-cases/erase-audit-personal-data';
import { registerPlatform } from '../../../functions/src/use-cases/operator';
import { getAudit } from '../../../functions/src/use-cases/read-orders';
import { withdrawOrder } from '../../../functions/src/use-cases/withdraw-order';
import { AGENCY, orderBody, runWorkflow, submit } from '../lifecycle-helpers';
import { type LocalTable, startLocalDocuments, worldOnDynamo } from './local-table';

// The audit trail's chain on DynamoDB Local: every append is a conditional write checked by DynamoDB itself.
let table: LocalTable;
let documents: DynamoDBDocumentClient;
const TABLE = 'tenggat-audit-trail-test';

beforeAll(async () => {
  ({ table, documents } = await startLocalDocuments(TABLE));
}, 120_000);

afterAll(async () => {
  await table?.stop();
});

describe('the audit trail on DynamoDB Local', () => {
  it('chains and signs every event, refuses to overwrite one, and still verifies after erasure', async () => {
    const world = worldOnDynamo(documents, TABLE);
    const platform = await registerPlatform(world.deps, {
      id: `audit-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Audit',
      webhookUrl: 'https://hooks.audit.example/',
      contactEmail: 'ops@audit.example',
    });
    const order = await submit(
      world,
      orderBody({ platformId: platform.platform.id, officer: 'Rina Susanti' }, 2),
      'audit-key',
    );
    await runWorkflow(world, order.id);
    await withdrawOrder(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      reason: 'Putusan pengadilan',
      officer: 'Budi Santoso',
    });
    await runWorkflow(world, order.id);
    const read = () =>
      getAudit(world.deps, { agencyId: AGENCY, orderId: order.id, limit: 100, cursor: null });
    const before = await read();
    expect(before.verification).toEqual({ valid: true, checkedEvents: before.items.length });
    expect(before.head?.signature).toEqual(expect.any(String));

    // A writer that believes the audit counter is one lower would overwrite the last event: DynamoDB refuses.
    const marker = await world.deps.orders.getOrder(order.id);
    if (marker === null) throw new Error('order vanished');
    await expect(
      world.deps.orders.commit({
        orderId: order.id,
        expectedVersion: marker.version,
        auditSeq: marker.auditSeq - 1,
        set: {},
        items: [],
        audit: {
          orderId: order.id,
          at: new Date().toISOString(),
          actor: { kind: 'operator', id: 'intruder' },
          action: 'rewritten',
          stage: 'order',
          details: {},
        },
      }),
    ).rejects.toThrow(ConcurrentChangeError);
    expect((await read()).items.map((event) => event.digest)).toEqual(
      before.items.map((event) => event.digest),
    );

    await eraseAuditPersonalData(world.deps, {
      orderId: order.id,
      operatorId: 'ops-1',
      requestReference: 'PDP/2026/0007',
    });
    const after = await read();
    expect(JSON.stringify(after.items)).not.toMatch(/Rina|Budi|Putusan/);
    expect(after.verification).toEqual({ valid: true, checkedEvents: before.items.length + 1 });
  }, 120_000);

  it('reads one moment of the chain while the workflow appends events between its reads', async () => {
    const world = worldOnDynamo(documents, TABLE);
    const platform = await registerPlatform(world.deps, {
      id: `snapshot-${Math.random().toString(36).slice(2, 8)}`,
      name: 'Snapshot',
      webhookUrl: 'https://hooks.snapshot.example/',
      contactEmail: 'ops@snapshot.example',
    });
    const order = await submit(world, orderBody({ platformId: platform.platform.id }, 2), 'snapshot-key');
    const writer = world.deps.orders;
    // One writer, as the workflow is: its appends follow one another.
    let appended = Promise.resolve();
    const append = () => {
      appended = appended.then(appendOne);
      return appended;
    };
    const appendOne = async () => {
      const marker = await writer.getOrder(order.id);
      if (marker === null) throw new Error('order vanished');
      await writer.commit({
        orderId: order.id,
        expectedVersion: marker.version,
        auditSeq: marker.auditSeq,
        set: {},
        items: [],
        audit: {
          orderId: order.id,
          at: new Date().toISOString(),
          actor: { kind: 'operator', id: 'ops-1' },
          action: 'note_added',
          stage: 'order',
          details: {},
        },
      });
    };
    // Every read of the audit trail is followed by another event landing before the next read.
    const interleaved = new Proxy(documents, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return async (command: {
          input: { ProjectionExpression?: string; KeyConditionExpression?: string };
        }) => {
          const result = await target.send(command as never);
          const { ProjectionExpression, KeyConditionExpression } = command.input;
          if (ProjectionExpression === 'auditHead' || KeyConditionExpression?.includes('sk')) await append();
          return result;
        };
      },
    });
    world.deps.orders = new DynamoOrderRepository(interleaved, TABLE, world.deps.chainSigner);
    const audit = await getAudit(world.deps, {
      agencyId: AGENCY,
      orderId: order.id,
      limit: 100,
      cursor: null,
    });
    expect(audit.head).toMatchObject({ seq: audit.items.at(-1)?.seq, digest: audit.items.at(-1)?.digest });
    expect(audit.verification).toEqual({ valid: true, checkedEvents: audit.items.length });
    // The events appended meanwhile are there for the next read.
    const later = await getAudit(
      { ...world.deps, orders: writer },
      {
        agencyId: AGENCY,
        orderId: order.id,
        limit: 100,
        cursor: null,
      },
    );
    expect(later.items.length).toBeGreaterThan(audit.items.length);
  }, 120_000);
});
