import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  CfnTable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import {
  BY_OPEN_LOCATOR_INDEX,
  BY_OPEN_ORDER_INDEX,
  BY_PLATFORM_INDEX,
  OPEN_ORDER_ATTRIBUTES,
} from '../functions/src/adapters/dynamodb-order-keys';

/** Logical id of the table in the template; never change it, or CloudFormation would replace the data. */
export const TABLE_LOGICAL_ID = 'TenggatTable';
export const BY_AGENCY_INDEX = 'byAgency';
export { BY_OPEN_LOCATOR_INDEX, BY_OPEN_ORDER_INDEX, BY_PLATFORM_INDEX };

export interface DataTableProps {
  /** Customer-managed key that encrypts the table at rest. */
  readonly encryptionKey: IKey;
  /**
   * What happens to the table when it leaves the stack.
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The single DynamoDB table of the design contract: orders, items, audit, deliveries, idempotency, platforms. */
export class DataTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: DataTableProps) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: 'expiresAt',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.encryptionKey,
      deletionProtection: true,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
    });
    // Only order markers (and platforms, under gsi1pk PLATFORMS) carry gsi1pk/gsi1sk: a sparse index of orders per
    // agency, and the platform list without a table scan.
    this.table.addGlobalSecondaryIndex({
      indexName: BY_AGENCY_INDEX,
      partitionKey: { name: 'gsi1pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi1sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    // Only non-final order markers carry gsi2pk/gsi2sk (sharded OPEN#0..7): the reconciler finds open orders
    // without scanning the table.
    this.table.addGlobalSecondaryIndex({
      indexName: BY_OPEN_ORDER_INDEX,
      partitionKey: { name: 'gsi2pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi2sk', type: AttributeType.STRING },
      projectionType: ProjectionType.INCLUDE,
      nonKeyAttributes: OPEN_ORDER_ATTRIBUTES,
    });
    // Only open items (pending or disputed) carry gsi3pk = OPENLOC#<digest of platform and normalized locator>,
    // gsi3sk = <orderId>#<itemId>: submit finds duplicates across open orders (a PartiQL SELECT per 50 locators). Keys
    // only: the order's marker says whose it is and whether it is final.
    this.table.addGlobalSecondaryIndex({
      indexName: BY_OPEN_LOCATOR_INDEX,
      partitionKey: { name: 'gsi3pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi3sk', type: AttributeType.STRING },
      projectionType: ProjectionType.KEYS_ONLY,
    });
    // Every order marker carries gsi4pk = PLATFORM#<platformId>, gsi4sk = <createdAt>#<orderId>: a platform lists the
    // orders addressed to it, newest first (the platform-side API).
    this.table.addGlobalSecondaryIndex({
      indexName: BY_PLATFORM_INDEX,
      partitionKey: { name: 'gsi4pk', type: AttributeType.STRING },
      sortKey: { name: 'gsi4sk', type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    (this.table.node.defaultChild as CfnTable).overrideLogicalId(TABLE_LOGICAL_ID);
  }
}
