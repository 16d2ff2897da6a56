import { CfnOutput, Duration, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { catalogue as defaultCatalogue, deployedWith, type FunctionSpec } from './catalogue';
import { validateCatalogue } from './catalogue-validation';
import { Api } from './constructs/api';
import type { AuroraDatabase } from './constructs/aurora';
import { CatalogueFunction } from './constructs/catalogue-function';
import { DeployStep } from './constructs/deploy-step';
import { Data } from './constructs/data';
import { TransparentLogicalIds } from './constructs/logical-ids';
import { Messaging, type ChangeQueue } from './constructs/messaging';
import { stackSettings, type StackSettings, type StorageMode } from './context';

export { cdkBundlingOptions, esbuildOptions, BUNDLE } from './bundling';
export { validateCatalogue } from './catalogue-validation';
export {
  AURORA_ENGINE_VERSION,
  BACKUP_RETENTION_DAYS,
  DATA_API_ACTIONS,
  DATA_API_SECRET_ACTIONS,
  DB_NAME,
} from './constructs/aurora';
export {
  DEFAULT_MEMORY_MB,
  DEFAULT_TIMEOUT_SECONDS,
  KMS_DECRYPT_ACTIONS,
  KMS_ENCRYPT_ACTIONS,
  LAMBDA_RUNTIME,
  TABLE_READ_ACTIONS,
  TABLE_WRITE_ACTIONS,
  XRAY_ACTIONS,
} from './constructs/catalogue-function';
export { DEFAULT_MAX_RECEIVE_COUNT, VISIBILITY_TIMEOUT_FACTOR } from './constructs/messaging';

/** Each setting defaults to its CDK context value, then to its default (lib/context.ts). */
export interface FinaggStackProps extends StackProps, Partial<StackSettings> {
  /** The functions and triggers to deploy (default: the project's catalogue). */
  catalogue?: readonly FunctionSpec[];
}

/**
 * The whole cloud side of finagg, generated from the catalogue (lib/catalogue.ts): what is stored (Data), how work
 * moves (Messaging), who calls and how (Api), and one CatalogueFunction per entry, wired to its HTTP routes,
 * schedule, queue, table stream or change queue, with exactly the grants the entry declares (lib/constructs/).
 * Storage `dynamodb` (default) deploys the table and the entries not marked `postgres`; storage `aurora`
 * (`-c storage=aurora`) deploys the Aurora cluster, no table, and the entries not marked `dynamodb`, the
 * migration step running before any other function is updated.
 */
export class FinaggStack extends Stack {
  readonly stage: string;
  readonly storage: StorageMode;
  /** The DynamoDB table (storage `dynamodb`). */
  readonly table: Table | undefined;
  /** The Aurora Serverless v2 cluster, its VPC and secret (storage `aurora`). */
  readonly aurora: AuroraDatabase | undefined;
  /** Each change-feed consumer's FIFO queue and DLQ, by function name (storage `aurora`). */
  readonly changeQueues: ReadonlyMap<string, ChangeQueue>;
  readonly tokenKey: Key;
  readonly redisSecret: Secret;
  readonly bus: EventBus;
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;
  readonly webhookQueue: Queue;
  readonly webhookDeadLetterQueue: Queue;
  /** Created when the catalogue has a stream consumer: their failed batches' metadata lands here. */
  readonly streamFailureQueue: Queue | undefined;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: Record<string, NodejsFunction> = {};

  private logicalIds: TransparentLogicalIds | undefined;

  constructor(scope: Construct, id: string, props: FinaggStackProps = {}) {
    const {
      catalogue: specs = defaultCatalogue,
      stage,
      retainData,
      cognitoPlus,
      corsAllowOrigins,
      syncRateMinutes,
      logLevel,
      storage,
      auroraMinCapacity,
      auroraMaxCapacity,
      ...stackProps
    } = props;
    super(scope, id, {
      description: 'finagg: personal-finance aggregation (HTTP API, functions, table, queue, bus)',
      ...stackProps,
    });
    const settings = stackSettings(this, {
      stage,
      retainData,
      cognitoPlus,
      corsAllowOrigins,
      syncRateMinutes,
      logLevel,
      storage,
      auroraMinCapacity,
      auroraMaxCapacity,
    });
    this.stage = settings.stage;
    this.storage = settings.storage;
    if (settings.storage === 'aurora' && !stackProps.description) {
      this.templateOptions.description =
        'finagg: personal-finance aggregation (HTTP API, functions, Aurora Serverless v2 PostgreSQL, queues, bus)';
    }
    const deployed = deployedWith(specs, settings.storage === 'aurora' ? 'postgres' : 'dynamodb');
    validateCatalogue(specs);
    validateCatalogue(deployed, settings.storage);

    const data = new Data(this, 'Data', settings);
    const messaging = new Messaging(this, 'Messaging', { specs: deployed });
    const api = new Api(this, 'Api', settings);

    // What every function is told; an entry adds its own environment.
    const environment: Record<string, string> = {
      STAGE: settings.stage,
      LOG_LEVEL: settings.logLevel,
      ...(data.table ? { TABLE_NAME: data.table.tableName } : { STORAGE: 'aurora' }),
      EVENT_BUS_NAME: messaging.bus.eventBusName,
      SYNC_QUEUE_URL: messaging.syncQueue.queueUrl,
      PLAID_WEBHOOK_QUEUE_URL: messaging.webhookQueue.queueUrl,
      KMS_KEY_ID: data.tokenKey.keyId,
      // Where the API answers: default OAuth redirect page, and the mock banks' base URL.
      PUBLIC_BASE_URL: api.httpApi.apiEndpoint,
      POWERTOOLS_SERVICE_NAME: 'finagg',
    };
    for (const spec of deployed) {
      const { fn } = new CatalogueFunction(this, spec.name, {
        spec,
        data,
        messaging,
        api,
        environment,
        syncRateMinutes: settings.syncRateMinutes,
        retainData: settings.retainData,
      });
      this.functions[spec.name] = fn;
    }
    if (data.aurora) this.wireOutbox(deployed, data.aurora);

    this.table = data.table;
    this.aurora = data.aurora;
    this.changeQueues = messaging.changeQueues;
    this.tokenKey = data.tokenKey;
    this.redisSecret = data.redisSecret;
    this.bus = messaging.bus;
    this.syncQueue = messaging.syncQueue;
    this.syncDeadLetterQueue = messaging.syncDeadLetterQueue;
    this.webhookQueue = messaging.webhookQueue;
    this.webhookDeadLetterQueue = messaging.webhookDeadLetterQueue;
    this.streamFailureQueue = messaging.streamFailureQueue;
    this.userPool = api.userPool;
    this.userPoolClient = api.userPoolClient;
    this.api = api.httpApi;
    this.apiStage = api.stage;

    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    if (this.table) new CfnOutput(this, 'TableName', { value: this.table.tableName });
    if (this.aurora) {
      new CfnOutput(this, 'DbClusterArn', { value: this.aurora.cluster.clusterArn });
      new CfnOutput(this, 'DbSecretArn', { value: this.aurora.secret.secretArn });
      new CfnOutput(this, 'DbName', { value: this.aurora.databaseName });
    }
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'SyncQueueUrl', { value: this.syncQueue.queueUrl });
    new CfnOutput(this, 'PlaidWebhookQueueUrl', { value: this.webhookQueue.queueUrl });
    new CfnOutput(this, 'TokenKeyId', { value: this.tokenKey.keyId });
    new CfnOutput(this, 'RedisSecretArn', { value: this.redisSecret.secretArn });
  }

  /**
   * Postgres storage: the migration step (entries with `runOnDeploy`) runs at every deployment that changes it,
   * once the cluster is up and before any other function is created or updated, so new code never meets an old
   * schema. Writers (`table:write`) nudge the outbox relay (`nudgedByWriters`) right after a commit (an asynchronous
   * invoke, CHANGES_RELAY_FUNCTION); its one-minute schedule sweeps whatever a nudge missed.
   */
  private wireOutbox(specs: readonly FunctionSpec[], aurora: AuroraDatabase): void {
    const steps = specs.filter((s) => s.runOnDeploy);
    for (const step of steps) {
      const fn = this.functions[step.name]!;
      const others = specs.filter((s) => !s.runOnDeploy).map((s) => this.functions[s.name]!);
      new DeployStep(this, `${step.name}OnDeploy`, {
        handler: fn,
        after: [aurora],
        before: others,
        timeout: Duration.seconds(step.timeoutSeconds ?? 60),
      });
    }
    const relay = specs.find((s) => s.nudgedByWriters);
    if (!relay) return;
    const relayFn = this.functions[relay.name]!;
    for (const spec of specs) {
      if (spec === relay || spec.runOnDeploy || !spec.grants.includes('table:write')) continue;
      const fn = this.functions[spec.name]!;
      fn.addEnvironment('CHANGES_RELAY_FUNCTION', relayFn.functionName);
      // The unqualified function only (grantInvoke would add `<arn>:*`, every version and alias).
      fn.addToRolePolicy(
        new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [relayFn.functionArn] }),
      );
    }
  }

  /** The constructs above leave their ids out of logical ids, so deployed resources keep theirs. */
  protected override allocateLogicalId(element: CfnElement): string {
    this.logicalIds ??= new TransparentLogicalIds(this);
    return this.logicalIds.logicalId(element);
  }
}
