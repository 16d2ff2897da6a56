import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/adapters/dynamodb/table-definition';
import type { StorageMode } from '../context';
import { AuroraDatabase } from './aurora';
import { transparent } from './logical-ids';

export interface DataProps {
  /** Keep the table (or cluster), key and secret when the stack is deleted, and protect the store from deletion. */
  retainData: boolean;
  /** `dynamodb`: the single table; `aurora`: the Aurora Serverless v2 cluster, and no table at all. */
  storage: StorageMode;
  auroraMinCapacity: number;
  auroraMaxCapacity: number;
}

/**
 * What finagg stores: the single table (with its stream) or the Aurora cluster, the bank-token key and the Upstash
 * Redis secret (locks and the alert stream, in both storage modes).
 */
export class Data extends Construct {
  /** The DynamoDB table (storage `dynamodb`). */
  readonly table: Table | undefined;
  /** The Aurora cluster (storage `aurora`). */
  readonly aurora: AuroraDatabase | undefined;
  readonly tokenKey: Key;
  readonly redisSecret: Secret;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    transparent(this);
    const { retainData } = props;
    const removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    if (props.storage === 'aurora') {
      this.aurora = new AuroraDatabase(this, 'Aurora', {
        retainData,
        minCapacity: props.auroraMinCapacity,
        maxCapacity: props.auroraMaxCapacity,
      });
    } else {
      this.table = this.createTable(removalPolicy, retainData);
    }

    this.tokenKey = new Key(this, 'TokenKey', {
      description: 'finagg: envelope encryption of bank OAuth tokens',
      enableKeyRotation: true,
      // Losing this key loses every stored bank token: never deleted with the stack unless asked to.
      removalPolicy,
      pendingWindow: Duration.days(30),
    });

    this.redisSecret = new Secret(this, 'UpstashRedisSecret', {
      description:
        'finagg: Upstash Redis REST credentials {"url","token"}. Set out of band: ' +
        'aws secretsmanager put-secret-value --secret-id <arn> --secret-string \'{"url":"https://...","token":"..."}\'',
      // A placeholder until the real value is put; the generated token is never a valid Upstash token.
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ url: 'https://set-me.upstash.io' }),
        generateStringKey: 'token',
        excludePunctuation: true,
      },
      removalPolicy,
    });
    Validations.of(this.redisSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The Upstash REST token is issued by Upstash, not by an AWS service: Secrets Manager has no rotation ' +
        'function for it. It is rotated in the Upstash console and written here with put-secret-value.',
    });
  }

  private createTable(removalPolicy: RemovalPolicy, retainData: boolean): Table {
    const table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      // The aws/dynamodb key: encrypted at rest, auditable in CloudTrail, no key grants to manage.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: retainData,
      removalPolicy,
    });
    for (const gsi of TABLE.globalSecondaryIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
      });
    }
    return table;
  }
}
