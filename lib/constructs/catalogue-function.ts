import { resolve } from 'node:path';
import { Duration, Fn, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { Policy, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  FilterCriteria,
  Runtime,
  StartingPosition,
  Tracing,
  type CfnFunction,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { TABLE } from '../../shared/adapters/dynamodb/table-definition';
import { NODE_MAJOR, PROJECT_ROOT, cdkBundlingOptions } from '../bundling';
import type { FunctionSpec, Grant } from '../catalogue';
import type { Api } from './api';
import { DATA_API_ACTIONS, DATA_API_SECRET_ACTIONS } from './aurora';
import type { Data } from './data';
import { transparent } from './logical-ids';
import type { Messaging } from './messaging';

const RUNTIMES: Record<number, Runtime> = {
  20: Runtime.NODEJS_20_X,
  22: Runtime.NODEJS_22_X,
  24: Runtime.NODEJS_24_X,
};

/** The Lambda runtime every catalogue function runs on (the same Node.js major the bundles target). */
export const LAMBDA_RUNTIME: Runtime = RUNTIMES[NODE_MAJOR] ?? Runtime.NODEJS_22_X;

export const DEFAULT_MEMORY_MB = 512;
export const DEFAULT_TIMEOUT_SECONDS = 10;

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

export function timeoutOf(spec: FunctionSpec | undefined): number {
  return spec?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS;
}

/** SQS batches above 10 messages require a batching window of at least one second. */
export function batchingWindowOf(spec: FunctionSpec): number {
  return spec.queue && spec.queue.batchSize > 10 ? 1 : 0;
}

export interface CatalogueFunctionProps {
  spec: FunctionSpec;
  data: Data;
  messaging: Messaging;
  api: Api;
  /** What every function is told (the entry's own environment is added to it). */
  environment: Record<string, string>;
  /** Overrides the entry's schedule rate. */
  syncRateMinutes: number | undefined;
  /** Keep the function's log group when the stack is deleted. */
  retainData: boolean;
}

/**
 * One catalogue entry (lib/catalogue.ts) as a deployed function: its log group, its own role with exactly the
 * grants the entry declares, X-Ray tracing, and its triggers (HTTP routes, schedule, queue, table stream), with
 * the cdk-nag acknowledgments that concern it next to what they concern.
 */
export class CatalogueFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;

  private readonly data: Data;
  private readonly messaging: Messaging;

  constructor(scope: Construct, id: string, props: CatalogueFunctionProps) {
    super(scope, id);
    transparent(this);
    const { spec } = props;
    this.data = props.data;
    this.messaging = props.messaging;

    // Children keep the ids they had directly in the stack (`${name}Logs`, `${name}Role`, the function as
    // `${name}`, ...): with this construct transparent (./logical-ids.ts), those ids make their logical ids.
    const logGroup = new LogGroup(this, `${spec.name}Logs`, {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: props.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An explicit role instead of AWSLambdaBasicExecutionRole: logs to its own log group only, nothing else
    // unless the catalogue grants it.
    this.role = new Role(this, `${spec.name}Role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `finagg ${spec.name}: ${spec.grants.length ? spec.grants.join(', ') : 'no grants'}`,
    });
    logGroup.grantWrite(this.role);

    const environment: Record<string, string> = { ...props.environment, ...spec.environment };
    if (spec.grants.includes('redis')) environment.UPSTASH_REDIS_SECRET_ARN = this.data.redisSecret.secretArn;
    const { aurora } = this.data;
    if (aurora && spec.grants.some((g) => g === 'table:read' || g === 'table:write')) {
      // What shared/adapters/postgres/from-env.ts reads to reach the cluster through the Data API.
      Object.assign(environment, {
        DB_CLUSTER_ARN: aurora.cluster.clusterArn,
        DB_SECRET_ARN: aurora.secret.secretArn,
        DB_NAME: aurora.databaseName,
      });
    }
    if (spec.grants.includes('changes:send')) {
      environment.CHANGES_QUEUE_URLS = Fn.join(
        ',',
        [...this.messaging.changeQueues.values()].map((q) => q.queue.queueUrl),
      );
    }

    this.fn = new NodejsFunction(this, spec.name, {
      entry: resolve(PROJECT_ROOT, spec.entry),
      handler: spec.handler ?? 'handler',
      description: spec.description,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: resolve(PROJECT_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb ?? DEFAULT_MEMORY_MB,
      timeout: Duration.seconds(timeoutOf(spec)),
      role: this.role,
      logGroup,
      environment,
      // Built for the deployed storage: the other storage's adapter is left out of the bundle (lib/bundling.ts).
      bundling: cdkBundlingOptions(spec.bundleFiles, this.data.aurora ? 'aurora' : 'dynamodb'),
    });

    for (const grant of new Set(spec.grants)) this.grant(grant);
    this.trace(spec);

    props.api.addRoutes(spec, this.fn);
    if (spec.schedule) {
      this.addSchedule(
        spec,
        (spec.schedule.fixed ? undefined : props.syncRateMinutes) ?? spec.schedule.rateMinutes,
      );
    }
    if (spec.queue) this.consumeQueue(spec);
    if (spec.stream) this.consumeTableStream(spec);
    if (spec.changes) this.consumeChanges(spec);
  }

  /** Least privilege: exactly the actions a grant names, on exactly its resource. */
  private grant(grant: Grant): void {
    const { table, aurora, tokenKey, redisSecret } = this.data;
    switch (grant) {
      case 'table:read':
      case 'table:write':
        if (aurora) {
          // The Data API: statements on this cluster only, with its secret (which the Data API reads as the caller).
          this.role.addToPolicy(
            new PolicyStatement({ actions: DATA_API_ACTIONS, resources: [aurora.cluster.clusterArn] }),
          );
          this.role.addToPolicy(
            new PolicyStatement({ actions: DATA_API_SECRET_ACTIONS, resources: [aurora.secret.secretArn] }),
          );
          return;
        }
        if (!table) throw new Error(`${grant}: no table and no database`);
        if (grant === 'table:write') {
          this.role.addToPolicy(
            new PolicyStatement({ actions: TABLE_WRITE_ACTIONS, resources: [table.tableArn] }),
          );
          return;
        }
        this.role.addToPolicy(
          new PolicyStatement({
            actions: TABLE_READ_ACTIONS,
            resources: [
              table.tableArn,
              ...TABLE.globalSecondaryIndexes.map((gsi) => `${table.tableArn}/index/${gsi.indexName}`),
            ],
          }),
        );
        return;
      case 'bus:put':
        this.messaging.bus.grantPutEventsTo(this.role);
        return;
      case 'queue:send':
        this.messaging.syncQueue.grantSendMessages(this.role);
        return;
      case 'changes:send':
        for (const { queue } of this.messaging.changeQueues.values()) queue.grantSendMessages(this.role);
        return;
      case 'webhooks:send':
        this.messaging.webhookQueue.grantSendMessages(this.role);
        return;
      case 'kms:encrypt':
        this.role.addToPolicy(
          new PolicyStatement({ actions: KMS_ENCRYPT_ACTIONS, resources: [tokenKey.keyArn] }),
        );
        return;
      case 'kms:decrypt':
        this.role.addToPolicy(
          new PolicyStatement({ actions: KMS_DECRYPT_ACTIONS, resources: [tokenKey.keyArn] }),
        );
        return;
      case 'redis':
        redisSecret.grantRead(this.role);
        return;
      default: {
        const unknown: never = grant;
        throw new Error(`Unknown grant ${String(unknown)}`);
      }
    }
  }

  /** The runtime acknowledgment and active X-Ray tracing, its wildcard kept apart from the grants. */
  private trace(spec: FunctionSpec): void {
    Validations.of(this.fn).acknowledge({
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
    this.role.attachInlinePolicy(tracing);
    (this.fn.node.defaultChild as CfnFunction).tracingConfig = { mode: Tracing.ACTIVE };
    this.fn.node.addDependency(tracing);
    Validations.of(tracing).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: `${XRAY_ACTIONS.join(' and ')} do not support resource-level permissions (X-Ray active tracing).`,
    });
    if (spec.stream) {
      // The role's default policy (log writes, grants, event sources) of a stream consumer, and no other.
      Validations.of(this.role.node.findChild('DefaultPolicy')).acknowledge({
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'dynamodb:ListStreams (added by the DynamoDB event source) does not support resource-level ' +
          'permissions; the stream itself is read with DescribeStream/GetRecords/GetShardIterator on its ARN.',
      });
    }
  }

  private addSchedule(spec: FunctionSpec, rateMinutes: number): void {
    new Rule(this, `${spec.name}Schedule`, {
      description: `finagg ${spec.name} every ${rateMinutes} minute(s)`,
      schedule: Schedule.rate(Duration.minutes(rateMinutes)),
      targets: [
        new LambdaFunction(this.fn, { retryAttempts: 2, maxEventAge: Duration.minutes(rateMinutes) }),
      ],
    });
  }

  private consumeQueue(spec: FunctionSpec): void {
    if (!spec.queue) return;
    const window = batchingWindowOf(spec);
    this.fn.addEventSource(
      new SqsEventSource(this.messaging.queueNamed(spec.queue.name), {
        batchSize: spec.queue.batchSize,
        maxConcurrency: spec.queue.maxConcurrency,
        reportBatchItemFailures: true,
        ...(window > 0 ? { maxBatchingWindow: Duration.seconds(window) } : {}),
      }),
    );
  }

  /** The consumer's own FIFO change queue, with partial batch failures (a failed message blocks its group). */
  private consumeChanges(spec: FunctionSpec): void {
    const changes = this.messaging.changeQueues.get(spec.name);
    if (!spec.changes || !changes) return;
    this.fn.addEventSource(
      new SqsEventSource(changes.queue, {
        batchSize: spec.changes.batchSize,
        reportBatchItemFailures: true,
      }),
    );
  }

  private consumeTableStream(spec: FunctionSpec): void {
    const failures = this.messaging.streamFailureQueue;
    const { table } = this.data;
    if (!spec.stream || !failures || !table) return;
    this.fn.addEventSource(
      new DynamoEventSource(table, {
        // Idempotent processors (house rule): replaying a little after a re-creation beats missing writes.
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: spec.stream.batchSize,
        retryAttempts: spec.stream.retryAttempts,
        bisectBatchOnError: spec.stream.bisectBatchOnError,
        reportBatchItemFailures: true,
        filters: spec.stream.filters.map((pattern) => FilterCriteria.filter(pattern)),
        onFailure: new SqsDlq(failures),
      }),
    );
  }
}
