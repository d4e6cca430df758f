import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { ensureTables, localDynamoDbClient, startDynamoDbLocal } from '../../local/cloud/dynamodb-local';
import { isAlive, isPortFree } from '../../local/cloud/processes';
import type { TableSpec } from '../../local/cloud/template';

const table: TableSpec = {
  logicalId: 'DataTable',
  tableName: 'Stack-DataTable',
  arn: 'arn:aws:dynamodb:us-east-1:000000000000:table/Stack-DataTable',
  keySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' },
    { AttributeName: 'sk', KeyType: 'RANGE' },
  ],
  attributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
    { AttributeName: 'gsi1pk', AttributeType: 'S' },
    { AttributeName: 'gsi1sk', AttributeType: 'S' },
  ],
  globalSecondaryIndexes: [
    {
      IndexName: 'byAgency',
      KeySchema: [
        { AttributeName: 'gsi1pk', KeyType: 'HASH' },
        { AttributeName: 'gsi1sk', KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
  ttlAttribute: 'expiresAt',
};

describe('DynamoDB Local', () => {
  it('creates the template tables exactly, keeps data across restarts, and clears an instance a crashed run left', async () => {
    const dbPath = mkdtempSync(join(tmpdir(), 'dynamodb-local-'));
    const first = await startDynamoDbLocal({ dbPath });
    const created = await ensureTables(first.endpoint, [table]);
    expect(created).toEqual(['Stack-DataTable']);
    expect(await ensureTables(first.endpoint, [table])).toEqual([]);
    const client = localDynamoDbClient(first.endpoint);
    const described = (await client.send(new DescribeTableCommand({ TableName: table.tableName }))).Table;
    expect(described?.KeySchema).toEqual(table.keySchema);
    expect(described?.GlobalSecondaryIndexes?.map((index) => [index.IndexName, index.KeySchema])).toEqual([
      ['byAgency', table.globalSecondaryIndexes[0]?.KeySchema],
    ]);
    const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
    expect(ttl.TimeToLiveDescription).toMatchObject({
      AttributeName: 'expiresAt',
      TimeToLiveStatus: 'ENABLED',
    });
    await client.send(
      new PutItemCommand({ TableName: table.tableName, Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } }),
    );
    client.destroy();

    // The first instance is never stopped: as if the local cloud had been killed with SIGKILL.
    const second = await startDynamoDbLocal({ dbPath });
    expect(isAlive(first.pid)).toBe(false);
    expect(await isPortFree(first.port)).toBe(true);
    const again = localDynamoDbClient(second.endpoint);
    const item = await again.send(
      new GetItemCommand({ TableName: table.tableName, Key: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } }),
    );
    again.destroy();
    expect(item.Item?.pk?.S).toBe('ORDER#1');
    await second.stop();
    expect(isAlive(second.pid)).toBe(false);
    expect(await isPortFree(second.port)).toBe(true);
  }, 120_000);
});
