import type { TemplateResolver } from '../resolver';
import type { TableSpec } from '../types';
import { asString, isObject } from '../values';

export function readTables(resolver: TemplateResolver): TableSpec[] {
  return resolver.logicalIdsOf('AWS::DynamoDB::Table').map((logicalId) => {
    const properties = resolver.resolvedProperties(logicalId);
    const ttl = properties.TimeToLiveSpecification;
    const indexes = (properties.GlobalSecondaryIndexes ?? []) as TableSpec['globalSecondaryIndexes'];
    return {
      logicalId,
      tableName: resolver.physicalName(logicalId),
      arn: asString(resolver.getAtt(logicalId, 'Arn'), 'table arn'),
      keySchema: (properties.KeySchema ?? []) as TableSpec['keySchema'],
      attributeDefinitions: (properties.AttributeDefinitions ?? []) as TableSpec['attributeDefinitions'],
      globalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: index.Projection,
      })),
      ttlAttribute:
        isObject(ttl) && ttl.Enabled !== false && typeof ttl.AttributeName === 'string'
          ? ttl.AttributeName
          : undefined,
    };
  });
}
