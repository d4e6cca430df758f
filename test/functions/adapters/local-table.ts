import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { DynamoIdempotencyStore } from '../../../functions/src/adapters/dynamodb-idempotency';
import { DynamoOpenLocatorIndex } from '../../../functions/src/adapters/dynamodb-open-locators';
import {
  BY_OPEN_LOCATOR_INDEX,
  BY_OPEN_ORDER_INDEX,
  BY_PLATFORM_INDEX,
  OPEN_ORDER_ATTRIBUTES,
} from '../../../functions/src/adapters/dynamodb-order-keys';
import { DynamoOrderList } from '../../../functions/src/adapters/dynamodb-order-list';
import { DynamoOrderRepository } from '../../../functions/src/adapters/dynamodb-orders';
import { DynamoPlatformRepository } from '../../../functions/src/adapters/dynamodb-platforms';
import { localDynamoDbClient, startDynamoDbLocal } from '../../../local/cloud/dynamodb-local';
import { type TestWorld, testWorld } from '../fakes';

/** A DynamoDB Local with one table laid out as the stack's (pk/sk, the byAgency, byOpenOrder, byOpenLocator and byPlatform indexes). */
export interface LocalTable {
  endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalTable(tableName: string): Promise<LocalTable> {
  const directory = mkdtempSync(join(tmpdir(), 'tenggat-ddb-'));
  const database = await startDynamoDbLocal({ dbPath: directory });
  const client = localDynamoDbClient(database.endpoint);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'gsi1pk', AttributeType: 'S' },
        { AttributeName: 'gsi1sk', AttributeType: 'S' },
        { AttributeName: 'gsi2pk', AttributeType: 'S' },
        { AttributeName: 'gsi2sk', AttributeType: 'S' },
        { AttributeName: 'gsi3pk', AttributeType: 'S' },
        { AttributeName: 'gsi3sk', AttributeType: 'S' },
        { AttributeName: 'gsi4pk', AttributeType: 'S' },
        { AttributeName: 'gsi4sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byAgency',
          KeySchema: [
            { AttributeName: 'gsi1pk', KeyType: 'HASH' },
            { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
        {
          IndexName: BY_OPEN_ORDER_INDEX,
          KeySchema: [
            { AttributeName: 'gsi2pk', KeyType: 'HASH' },
            { AttributeName: 'gsi2sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: OPEN_ORDER_ATTRIBUTES },
        },
        {
          IndexName: BY_OPEN_LOCATOR_INDEX,
          KeySchema: [
            { AttributeName: 'gsi3pk', KeyType: 'HASH' },
            { AttributeName: 'gsi3sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'KEYS_ONLY' },
        },
        {
          IndexName: BY_PLATFORM_INDEX,
          KeySchema: [
            { AttributeName: 'gsi4pk', KeyType: 'HASH' },
            { AttributeName: 'gsi4sk', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    }),
  );
  client.destroy();
  return {
    endpoint: database.endpoint,
    async stop() {
      await database.stop();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The table and a document client on it, marshalling as the functions' own client does. */
export async function startLocalDocuments(
  tableName: string,
): Promise<{ table: LocalTable; documents: DynamoDBDocumentClient }> {
  const table = await startLocalTable(tableName);
  const client = new DynamoDBClient({
    endpoint: table.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  const documents = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  return { table, documents };
}

export interface DynamoWorldOptions {
  /** Platforms in the table (default), or in memory for a file whose tests each register the same platform. */
  platformsInTable?: boolean;
  /** The open-locators index read from the table; by default the in-memory one, which sees no order of the table. */
  openLocatorsInTable?: boolean;
  /** Order ids `order-<n>`, for a file that names them; by default `order-<random>-<n>`, unique in a shared table. */
  plainOrderIds?: boolean;
}

/** The in-memory test world with the real DynamoDB adapters in place of the fakes of the order table. */
export function worldOnDynamo(
  documents: DynamoDBDocumentClient,
  tableName: string,
  options: DynamoWorldOptions = {},
): TestWorld {
  const world = testWorld();
  const prefix = options.plainOrderIds ? 'order' : `order-${Math.random().toString(36).slice(2, 8)}`;
  let counter = 0;
  world.deps.orders = new DynamoOrderRepository(documents, tableName, world.deps.chainSigner);
  world.deps.orderList = new DynamoOrderList(documents, tableName);
  if (options.platformsInTable ?? true)
    world.deps.platforms = new DynamoPlatformRepository(documents, tableName);
  if (options.openLocatorsInTable) world.deps.openLocators = new DynamoOpenLocatorIndex(documents, tableName);
  world.deps.idempotency = new DynamoIdempotencyStore(documents, tableName, 'IDEMPOTENCY', world.clock);
  world.deps.webhookIds = new DynamoIdempotencyStore(documents, tableName, 'WEBHOOK', world.clock);
  world.deps.ids = { ...world.deps.ids, orderId: () => `${prefix}-${++counter}` };
  return world;
}
