import { relative, resolve } from 'node:path';
import { CfnOutput, Duration, RemovalPolicy, Stack, Validations, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  HttpRouteKey,
  LogGroupLogDestination,
  type HttpStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, BillingMode, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import {
  Architecture,
  FilterCriteria,
  type CfnFunction,
  Runtime,
  StartingPosition,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { TABLE } from '../shared/adapters/dynamodb/table-definition';
import { NODE_MAJOR, PROJECT_ROOT, cdkBundlingOptions } from './bundling';
import { catalogue as defaultCatalogue, type FunctionSpec, type Grant, type RouteSpec } from './catalogue';

export { cdkBundlingOptions, esbuildOptions, BUNDLE } from './bundling';

const RUNTIMES: Record<number, Runtime> = {
  20: Runtime.NODEJS_20_X,
  22: Runtime.NODEJS_22_X,
  24: Runtime.NODEJS_24_X,
};

/** The Lambda runtime every catalogue function runs on (the same Node.js major the bundles target). */
export const LAMBDA_RUNTIME: Runtime = RUNTIMES[NODE_MAJOR] ?? Runtime.NODEJS_22_X;

export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_TIMEOUT_SECONDS = 10;
/** AWS guidance: a queue's visibility timeout is at least six times its consumer's function timeout. */
export const VISIBILITY_TIMEOUT_FACTOR = 6;
/** maxReceiveCount of a queue no catalogue function consumes yet. */
export const DEFAULT_MAX_RECEIVE_COUNT = 5;

/**
 * Least-privilege IAM actions per catalogue grant. `Scan` is deliberately absent: the single-table design reads
 * by key and by index. Transactions need no actions of their own (TransactWriteItems is authorised per item).
 */
export const TABLE_READ_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
export const TABLE_WRITE_ACTIONS = [
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:DescribeTable',
];
/** Envelope encryption: a data key per secret (GenerateDataKey), or Encrypt for small values. */
export const KMS_ENCRYPT_ACTIONS = ['kms:GenerateDataKey', 'kms:Encrypt'];
export const KMS_DECRYPT_ACTIONS = ['kms:Decrypt'];
export const XRAY_ACTIONS = ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'];

export interface FinaggStackProps extends StackProps {
  /** The functions and triggers to deploy (default: the project's catalogue). */
  catalogue?: readonly FunctionSpec[];
  /** STAGE of the functions (default: context `stage`, else `dev`). */
  stage?: string;
  /** Overrides every schedule's rate (default: context `syncRateMinutes`, else the catalogue's). */
  syncRateMinutes?: number;
  /** CORS origins (default: context `corsAllowOrigins`, comma-separated, else `*`: bearer tokens, no cookies). */
  corsAllowOrigins?: string[];
  /**
   * Keep stateful resources (table, token key, user pool, secret, logs) when the stack is deleted, and protect
   * the table from deletion (default: true; context `retainData=false` for throw-away and LocalStack stacks).
   */
  retainData?: boolean;
  /** Cognito Plus feature plan with threat protection enforced (default: context `cognitoPlus`, else false). */
  cognitoPlus?: boolean;
  /** LOG_LEVEL of the functions (default: context `logLevel`, else INFO). */
  logLevel?: string;
}

/**
 * The whole cloud side of finagg, generated from the catalogue (lib/catalogue.ts): one NodejsFunction per entry,
 * wired to its HTTP routes, schedule, queue or table stream, with exactly the grants the entry declares.
 */
export class FinaggStack extends Stack {
  readonly stage: string;
  readonly table: Table;
  readonly bus: EventBus;
  readonly syncQueue: Queue;
  readonly syncDeadLetterQueue: Queue;
  /** Created when the catalogue has a stream consumer: their failed batches' metadata lands here. */
  readonly streamFailureQueue: Queue | undefined;
  readonly tokenKey: Key;
  readonly redisSecret: Secret;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly functions: Record<string, NodejsFunction> = {};

  private readonly specs: readonly FunctionSpec[];
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: FinaggStackProps = {}) {
    const {
      catalogue: specs,
      stage,
      syncRateMinutes,
      corsAllowOrigins,
      retainData: retain,
      cognitoPlus: plus,
      logLevel,
      ...stackProps
    } = props;
    super(scope, id, {
      description: 'finagg: personal-finance aggregation (HTTP API, functions, table, queue, bus)',
      ...stackProps,
    });
    this.specs = specs ?? defaultCatalogue;
    validateCatalogue(this.specs);
    this.stage = stage ?? stringContext(this, 'stage') ?? 'dev';
    const retainData = retain ?? booleanContext(this, 'retainData') ?? true;
    this.removalPolicy = retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // --- Data -------------------------------------------------------------------------------------------------
    this.table = new Table(this, 'Table', {
      partitionKey: { name: TABLE.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType[TABLE.streamViewType],
      timeToLiveAttribute: TABLE.timeToLiveAttribute,
      // The aws/dynamodb key: encrypted at rest, auditable in CloudTrail, no key grants to manage.
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: retainData,
      removalPolicy: this.removalPolicy,
    });
    for (const gsi of TABLE.globalSecondaryIndexes) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: { name: gsi.partitionKey, type: AttributeType.STRING },
        sortKey: { name: gsi.sortKey, type: AttributeType.STRING },
      });
    }

    this.tokenKey = new Key(this, 'TokenKey', {
      description: 'finagg: envelope encryption of bank OAuth tokens',
      enableKeyRotation: true,
      // Losing this key loses every stored bank token: never deleted with the stack unless asked to.
      removalPolicy: this.removalPolicy,
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
      removalPolicy: this.removalPolicy,
    });
    Validations.of(this.redisSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The Upstash REST token is issued by Upstash, not by an AWS service: Secrets Manager has no rotation ' +
        'function for it. It is rotated in the Upstash console and written here with put-secret-value.',
    });

    // --- Messaging --------------------------------------------------------------------------------------------
    this.bus = new EventBus(this, 'Bus', { description: 'finagg domain events (alerts, sync results)' });

    const consumer = this.specs.find((s) => s.queue?.name === 'sync');
    const consumerTimeout = consumer ? timeoutOf(consumer) : DEFAULT_TIMEOUT_SECONDS;
    const batchingWindow = consumer ? batchingWindowOf(consumer) : 0;
    this.syncDeadLetterQueue = new Queue(this, 'SyncDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    this.syncQueue = new Queue(this, 'SyncQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout: Duration.seconds(VISIBILITY_TIMEOUT_FACTOR * consumerTimeout + batchingWindow),
      deadLetterQueue: {
        queue: this.syncDeadLetterQueue,
        maxReceiveCount: consumer?.queue?.maxReceiveCount ?? DEFAULT_MAX_RECEIVE_COUNT,
      },
    });

    if (this.specs.some((s) => s.stream)) {
      this.streamFailureQueue = new Queue(this, 'StreamFailureQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      Validations.of(this.streamFailureQueue).acknowledge({
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue IS a dead-letter destination: the on-failure destination of the table-stream event source ' +
          'mappings (metadata of batches that exhausted their retries). cdk-nag only recognises redrive and ' +
          'function DLQs, not event-source-mapping destinations.',
      });
    }

    // --- Identity and API -------------------------------------------------------------------------------------
    const cognitoPlus = plus ?? booleanContext(this, 'cognitoPlus') ?? false;
    this.userPool = new UserPool(this, 'UserPool', {
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      autoVerify: { email: true },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Bank data behind it: a second factor for everyone, by authenticator app (no SMS, no SNS role).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
      },
      featurePlan: cognitoPlus ? FeaturePlan.PLUS : FeaturePlan.ESSENTIALS,
      ...(cognitoPlus ? { standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION } : {}),
      deletionProtection: retainData,
      removalPolicy: this.removalPolicy,
    });
    if (!cognitoPlus) {
      Validations.of(this.userPool).acknowledge({
        id: 'AwsSolutions-COG8',
        reason:
          'The Plus feature plan (threat protection) is billed per monthly active user; deployments opt in with ' +
          '`-c cognitoPlus=true`. MFA is required for every user and passwords are strong in both plans.',
      });
    }
    this.userPoolClient = this.userPool.addClient('ApiClient', {
      authFlows: { userSrp: true },
      generateSecret: false,
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
    });
    const issuer = `https://cognito-idp.${this.region}.${this.urlSuffix}/${this.userPool.userPoolId}`;
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', issuer, {
      jwtAudience: [this.userPoolClient.userPoolClientId],
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `finagg-${this.stage}`,
      description: 'finagg HTTP API',
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: corsAllowOrigins ?? listContext(this, 'corsAllowOrigins') ?? ['*'],
        allowMethods: [
          CorsHttpMethod.GET,
          CorsHttpMethod.POST,
          CorsHttpMethod.PUT,
          CorsHttpMethod.PATCH,
          CorsHttpMethod.DELETE,
          CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        exposeHeaders: ['allow', 'location'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'ApiAccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: this.removalPolicy,
    });
    this.apiStage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            ip: '$context.identity.sourceIp',
            requestTime: '$context.requestTime',
            method: '$context.httpMethod',
            path: '$context.path',
            routeKey: '$context.routeKey',
            status: '$context.status',
            protocol: '$context.protocol',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationLatencyMs: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
            userId: '$context.authorizer.claims.sub',
          }),
        ),
      },
    });

    // --- Functions --------------------------------------------------------------------------------------------
    const environment: Record<string, string> = {
      STAGE: this.stage,
      LOG_LEVEL: logLevel ?? stringContext(this, 'logLevel') ?? 'INFO',
      TABLE_NAME: this.table.tableName,
      EVENT_BUS_NAME: this.bus.eventBusName,
      SYNC_QUEUE_URL: this.syncQueue.queueUrl,
      KMS_KEY_ID: this.tokenKey.keyId,
      // Where the API answers: default OAuth redirect page, and the mock banks' base URL.
      PUBLIC_BASE_URL: this.api.apiEndpoint,
      POWERTOOLS_SERVICE_NAME: 'finagg',
      NODE_OPTIONS: '--enable-source-maps',
    };
    const rateOverride = syncRateMinutes ?? numberContext(this, 'syncRateMinutes');

    for (const spec of this.specs) {
      const fn = this.createFunction(spec, environment);
      if (spec.routes?.length) {
        const integration = new HttpLambdaIntegration(`${spec.name}Integration`, fn);
        for (const route of spec.routes) this.addRoute(spec, route, integration, authorizer);
      }
      if (spec.schedule) this.addSchedule(spec, fn, rateOverride ?? spec.schedule.rateMinutes);
      if (spec.queue) {
        fn.addEventSource(
          new SqsEventSource(this.syncQueue, {
            batchSize: spec.queue.batchSize,
            maxConcurrency: spec.queue.maxConcurrency,
            reportBatchItemFailures: true,
            ...(batchingWindowOf(spec) > 0
              ? { maxBatchingWindow: Duration.seconds(batchingWindowOf(spec)) }
              : {}),
          }),
        );
      }
      if (spec.stream && this.streamFailureQueue) {
        fn.addEventSource(
          new DynamoEventSource(this.table, {
            // Idempotent processors (house rule): replaying a little after a re-creation beats missing writes.
            startingPosition: StartingPosition.TRIM_HORIZON,
            batchSize: spec.stream.batchSize,
            retryAttempts: spec.stream.retryAttempts,
            bisectBatchOnError: spec.stream.bisectBatchOnError,
            reportBatchItemFailures: true,
            filters: spec.stream.filters.map((pattern) => FilterCriteria.filter(pattern)),
            onFailure: new SqsDlq(this.streamFailureQueue),
          }),
        );
      }
    }

    // --- Outputs ----------------------------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url, description: 'HTTP API base URL' });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'EventBusName', { value: this.bus.eventBusName });
    new CfnOutput(this, 'SyncQueueUrl', { value: this.syncQueue.queueUrl });
    new CfnOutput(this, 'TokenKeyId', { value: this.tokenKey.keyId });
    new CfnOutput(this, 'RedisSecretArn', { value: this.redisSecret.secretArn });
  }

  private createFunction(spec: FunctionSpec, common: Record<string, string>): NodejsFunction {
    const logGroup = new LogGroup(this, `${spec.name}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: this.removalPolicy,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs to its own log group only, nothing else
    // unless the catalogue grants it.
    const role = new Role(this, `${spec.name}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `finagg ${spec.name}: ${spec.grants.length ? spec.grants.join(', ') : 'no grants'}`,
    });
    logGroup.grantWrite(role);

    const environment: Record<string, string> = { ...common, ...spec.environment };
    if (spec.grants.includes('redis')) environment.UPSTASH_REDIS_SECRET_ARN = this.redisSecret.secretArn;

    const fn = new NodejsFunction(this, spec.name, {
      entry: resolve(PROJECT_ROOT, spec.entry),
      handler: spec.handler ?? 'handler',
      description: spec.description,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(timeoutOf(spec)),
      role,
      logGroup,
      environment,
      bundling: cdkBundlingOptions(spec.bundleFiles),
    });
    this.functions[spec.name] = fn;

    for (const grant of new Set(spec.grants)) this.grant(role, grant);

    Validations.of(fn).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        `Pinned to ${LAMBDA_RUNTIME.name}: issue 2 fixes the Lambda runtime at Node.js 20 or 22, the line the ` +
        'project is developed and tested on (engines >=20); the bundles target it too (lib/bundling.ts). ' +
        'nodejs22.x is supported by Lambda until 2027; moving to nodejs24.x is a one-line change there.',
    });
    // Active tracing, with its wildcard in a policy of its own so that the acknowledgment below covers X-Ray
    // and nothing else (the `tracing` prop would put it into the role's default policy with the grants).
    const tracing = new Policy(this, `${spec.name}TracingPolicy`, {
      statements: [new PolicyStatement({ actions: XRAY_ACTIONS, resources: ['*'] })],
    });
    role.attachInlinePolicy(tracing);
    (fn.node.defaultChild as CfnFunction).tracingConfig = { mode: Tracing.ACTIVE };
    fn.node.addDependency(tracing);
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${XRAY_ACTIONS.join(' and ')} do not support resource-level permissions (X-Ray active tracing).`,
    });
    if (spec.stream) {
      // The role's default policy (log writes, grants, event sources) of a stream consumer, and no other.
      Validations.of(role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams (added by the DynamoDB event source) does not support resource-level ' +
          'permissions; the stream itself is read with DescribeStream/GetRecords/GetShardIterator on its ARN.',
      });
    }
    return fn;
  }

  /** Least privilege: exactly the actions a grant names, on exactly its resource. */
  private grant(role: Role, grant: Grant): void {
    switch (grant) {
      case 'table:read':
        role.addToPolicy(
          new PolicyStatement({
            actions: TABLE_READ_ACTIONS,
            resources: [
              this.table.tableArn,
              ...TABLE.globalSecondaryIndexes.map((gsi) => `${this.table.tableArn}/index/${gsi.indexName}`),
            ],
          }),
        );
        return;
      case 'table:write':
        role.addToPolicy(
          new PolicyStatement({ actions: TABLE_WRITE_ACTIONS, resources: [this.table.tableArn] }),
        );
        return;
      case 'bus:put':
        this.bus.grantPutEventsTo(role);
        return;
      case 'queue:send':
        this.syncQueue.grantSendMessages(role);
        return;
      case 'kms:encrypt':
        role.addToPolicy(
          new PolicyStatement({ actions: KMS_ENCRYPT_ACTIONS, resources: [this.tokenKey.keyArn] }),
        );
        return;
      case 'kms:decrypt':
        role.addToPolicy(
          new PolicyStatement({ actions: KMS_DECRYPT_ACTIONS, resources: [this.tokenKey.keyArn] }),
        );
        return;
      case 'redis':
        this.redisSecret.grantRead(role);
        return;
      default: {
        const unknown: never = grant;
        throw new Error(`Unknown grant ${String(unknown)}`);
      }
    }
  }

  private addRoute(
    spec: FunctionSpec,
    route: RouteSpec,
    integration: HttpLambdaIntegration,
    authorizer: IHttpRouteAuthorizer,
  ): void {
    const auth = route.auth ?? true;
    const routeAuthorizer = auth ? authorizer : new HttpNoneAuthorizer();
    const routes =
      route.path === '$default'
        ? [
            new HttpRoute(this.api, 'DefaultRoute', {
              httpApi: this.api,
              routeKey: HttpRouteKey.DEFAULT,
              integration,
              authorizer: routeAuthorizer,
            }),
          ]
        : this.api.addRoutes({
            path: route.path,
            methods: [HttpMethod[route.method]],
            integration,
            authorizer: routeAuthorizer,
          });
    if (!auth) {
      for (const r of routes) {
        Validations.of(r).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            route.path === '$default'
              ? 'The $default catch-all only answers problem+json 404/405 for unmatched requests (no data); it ' +
                'must answer unauthenticated callers too, as ../shared/API.md specifies for unknown routes.'
              : `${route.method} ${route.path} is public by design (catalogue entry ${spec.name}, auth: false; ` +
                '../shared/API.md lists the routes that need no token).',
        });
      }
    }
  }

  private addSchedule(spec: FunctionSpec, fn: NodejsFunction, rateMinutes: number): void {
    new Rule(this, `${spec.name}Schedule`, {
      description: `finagg ${spec.name} every ${rateMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(rateMinutes)),
      targets: [new LambdaFunction(fn, { retryAttempts: 2, maxEventAge: Duration.minutes(rateMinutes) })],
    });
  }
}

function timeoutOf(spec: FunctionSpec): number {
  return spec.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
}

/** SQS batches above 10 messages require a batching window of at least one second. */
function batchingWindowOf(spec: FunctionSpec): number {
  return spec.queue && spec.queue.batchSize > 10 ? 1 : 0;
}

/** Catalogue mistakes that CloudFormation would only reject at deploy time, caught at synth time. */
export function validateCatalogue(specs: readonly FunctionSpec[]): void {
  const names = new Set<string>();
  const routeKeys = new Set<string>();
  for (const spec of specs) {
    if (!/^[A-Z][A-Za-z0-9]*$/.test(spec.name))
      throw new Error(`Catalogue: name ${spec.name} must be PascalCase`);
    if (names.has(spec.name)) throw new Error(`Catalogue: duplicate function name ${spec.name}`);
    names.add(spec.name);
    if (relative(PROJECT_ROOT, resolve(PROJECT_ROOT, spec.entry)).startsWith('..')) {
      throw new Error(`Catalogue: ${spec.name}'s entry ${spec.entry} is outside the repository`);
    }
    for (const route of spec.routes ?? []) {
      const key = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
      if (routeKeys.has(key)) throw new Error(`Catalogue: route ${key} is declared twice`);
      routeKeys.add(key);
      if (route.path !== '$default' && !route.path.startsWith('/')) {
        throw new Error(`Catalogue: ${spec.name}'s path ${route.path} must start with /`);
      }
    }
    if (spec.schedule && !(Number.isInteger(spec.schedule.rateMinutes) && spec.schedule.rateMinutes >= 1)) {
      throw new Error(`Catalogue: ${spec.name}'s schedule rate must be a whole number of minutes >= 1`);
    }
  }
  const consumers = specs.filter((s) => s.queue?.name === 'sync');
  if (consumers.length > 1) {
    throw new Error(`Catalogue: queue sync has ${consumers.length} consumers; one consumer per queue`);
  }
}

function stringContext(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

function booleanContext(scope: Construct, key: string): boolean | undefined {
  const value = stringContext(scope, key);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got ${value}`);
}

function numberContext(scope: Construct, key: string): number | undefined {
  const value = stringContext(scope, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`Context ${key} must be a whole number >= 1, got ${value}`);
  return n;
}

function listContext(scope: Construct, key: string): string[] | undefined {
  const value = stringContext(scope, key);
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
