import { CfnOutput, Stack, type CfnElement, type StackProps } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { UserPool, UserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { EventBus } from 'aws-cdk-lib/aws-events';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { catalogue as defaultCatalogue, type FunctionSpec } from './catalogue';
import { validateCatalogue } from './catalogue-validation';
import { Api } from './constructs/api';
import { CatalogueFunction } from './constructs/catalogue-function';
import { Data } from './constructs/data';
import { TransparentLogicalIds } from './constructs/logical-ids';
import { Messaging } from './constructs/messaging';
import { stackSettings, type StackSettings } from './context';

export { cdkBundlingOptions, esbuildOptions, BUNDLE } from './bundling';
export { validateCatalogue } from './catalogue-validation';
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
 * schedule, queue or table stream, with exactly the grants the entry declares (lib/constructs/).
 */
export class FinaggStack extends Stack {
  readonly stage: string;
  readonly table: Table;
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
      ...stackProps
    } = props;
    super(scope, id, {
      description: 'finagg: personal-finance aggregation (HTTP API, functions, table, queue, bus)',
      ...stackProps,
    });
    validateCatalogue(specs);
    const settings = stackSettings(this, {
      stage,
      retainData,
      cognitoPlus,
      corsAllowOrigins,
      syncRateMinutes,
      logLevel,
    });
    this.stage = settings.stage;

    const data = new Data(this, 'Data', settings);
    const messaging = new Messaging(this, 'Messaging', { specs });
    const api = new Api(this, 'Api', settings);

    // What every function is told; an entry adds its own environment.
    const environment: Record<string, string> = {
      STAGE: settings.stage,
      LOG_LEVEL: settings.logLevel,
      TABLE_NAME: data.table.tableName,
      EVENT_BUS_NAME: messaging.bus.eventBusName,
      SYNC_QUEUE_URL: messaging.syncQueue.queueUrl,
      PLAID_WEBHOOK_QUEUE_URL: messaging.webhookQueue.queueUrl,
      KMS_KEY_ID: data.tokenKey.keyId,
      // Where the API answers: default OAuth redirect page, and the mock banks' base URL.
      PUBLIC_BASE_URL: api.httpApi.apiEndpoint,
      POWERTOOLS_SERVICE_NAME: 'finagg',
      NODE_OPTIONS: '--enable-source-maps',
    };
    for (const spec of specs) {
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

    this.table = data.table;
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
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'SyncQueueUrl', { value: this.syncQueue.queueUrl });
    new CfnOutput(this, 'PlaidWebhookQueueUrl', { value: this.webhookQueue.queueUrl });
    new CfnOutput(this, 'TokenKeyId', { value: this.tokenKey.keyId });
    new CfnOutput(this, 'RedisSecretArn', { value: this.redisSecret.secretArn });
  }

  /** The constructs above leave their ids out of logical ids, so deployed resources keep theirs. */
  protected override allocateLogicalId(element: CfnElement): string {
    this.logicalIds ??= new TransparentLogicalIds(this);
    return this.logicalIds.logicalId(element);
  }
}
