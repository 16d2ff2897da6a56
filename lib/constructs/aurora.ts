import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { FlowLogDestination, FlowLogTrafficType, SubnetType, Vpc } from 'aws-cdk-lib/aws-ec2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  AuroraPostgresEngineVersion,
  ClusterInstance,
  Credentials,
  DatabaseCluster,
  DatabaseClusterEngine,
} from 'aws-cdk-lib/aws-rds';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** The database every function's store uses (DB_NAME), created with the cluster. */
export const DB_NAME = 'finagg';
/** Aurora PostgreSQL 16: the RDS Data API, and scaling to 0 ACU, need 16.3 or later. */
export const AURORA_ENGINE_VERSION = AuroraPostgresEngineVersion.VER_16_8;
export const BACKUP_RETENTION_DAYS = 14;

/**
 * The RDS Data API actions a function with a `table:*` grant gets, on the cluster only. The Data API has no
 * read-only subset (a SELECT and an INSERT are both ExecuteStatement), so `table:read` and `table:write` grant the
 * same actions here; what a function does is bounded by its code and the database user, not by IAM.
 */
export const DATA_API_ACTIONS = [
  'rds-data:ExecuteStatement',
  'rds-data:BatchExecuteStatement',
  'rds-data:BeginTransaction',
  'rds-data:CommitTransaction',
  'rds-data:RollbackTransaction',
];
/** The Data API reads the cluster's secret with the caller's credentials. */
export const DATA_API_SECRET_ACTIONS = ['secretsmanager:GetSecretValue'];

export interface AuroraProps {
  /** Keep the cluster when the stack is deleted, and protect it from deletion. */
  retainData: boolean;
  minCapacity: number;
  maxCapacity: number;
}

/**
 * Aurora Serverless v2 PostgreSQL with the RDS Data API on (storage `aurora`): functions reach it over HTTPS with
 * IAM credentials, so none of them runs in the VPC. The VPC only holds the cluster, in isolated subnets (no
 * internet gateway, no NAT, no inbound rule on its security group). Encrypted storage, automated backups, deletion
 * protection with `retainData`, the master password generated, kept and rotated by RDS in Secrets Manager (no
 * rotation function to run in the VPC).
 */
export class AuroraDatabase extends Construct {
  readonly vpc: Vpc;
  readonly cluster: DatabaseCluster;
  readonly secret: ISecret;
  readonly databaseName = DB_NAME;

  constructor(scope: Construct, id: string, props: AuroraProps) {
    super(scope, id);
    const removalPolicy = props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.vpc = new Vpc(this, 'Vpc', {
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'database', subnetType: SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      flowLogs: {
        FlowLogs: {
          trafficType: FlowLogTrafficType.REJECT,
          destination: FlowLogDestination.toCloudWatchLogs(
            new LogGroup(this, 'FlowLogsGroup', { retention: RetentionDays.ONE_MONTH, removalPolicy }),
          ),
        },
      },
    });

    // The cluster's PostgreSQL log, in a log group of ours with a retention (RDS would create one that never
    // expires; `cloudwatchLogsRetention` would set it through a custom-resource function).
    const clusterIdentifier = clusterIdentifierOf(Stack.of(this).stackName);
    const postgresLogs = new LogGroup(this, 'PostgresLogs', {
      logGroupName: `/aws/rds/cluster/${clusterIdentifier}/postgresql`,
      retention: RetentionDays.ONE_MONTH,
      removalPolicy,
    });
    this.cluster = new DatabaseCluster(this, 'Cluster', {
      clusterIdentifier,
      engine: DatabaseClusterEngine.auroraPostgres({ version: AURORA_ENGINE_VERSION }),
      writer: ClusterInstance.serverlessV2('Writer', {
        publiclyAccessible: false,
        autoMinorVersionUpgrade: true,
      }),
      serverlessV2MinCapacity: props.minCapacity,
      serverlessV2MaxCapacity: props.maxCapacity,
      enableDataApi: true,
      defaultDatabaseName: DB_NAME,
      // RDS generates the master password, keeps it in Secrets Manager and rotates it (every 7 days).
      credentials: Credentials.fromUsername('finagg_admin'),
      manageMasterUserPassword: true,
      iamAuthentication: true,
      storageEncrypted: true,
      backup: { retention: Duration.days(BACKUP_RETENTION_DAYS), preferredWindow: '03:00-04:00' },
      preferredMaintenanceWindow: 'sun:04:30-sun:05:30',
      cloudwatchLogsExports: ['postgresql'],
      copyTagsToSnapshot: true,
      deletionProtection: props.retainData,
      removalPolicy,
      vpc: this.vpc,
      vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED },
    });
    this.cluster.node.addDependency(postgresLogs);
    if (!this.cluster.secret) throw new Error('Aurora: the cluster has no secret');
    this.secret = this.cluster.secret;

    Validations.of(this.cluster).acknowledge({
      id: 'AwsSolutions-RDS11',
      reason:
        'Nothing connects to the PostgreSQL port: functions use the RDS Data API over HTTPS with IAM credentials. ' +
        'The cluster sits in isolated subnets and its security group has no inbound rule, so a non-default port ' +
        'would hide nothing.',
    });
  }
}

/**
 * An RDS cluster identifier from the stack name: 1 to 63 lowercase letters, digits or single hyphens, starting with
 * a letter and not ending with a hyphen (`Finagg-dev` → `finagg-dev`, `Finagg-qa_2` → `finagg-qa-2`).
 */
export function clusterIdentifierOf(stackName: string): string {
  const id = stackName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return id || 'finagg';
}
