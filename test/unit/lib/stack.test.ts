import { App, Token, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../../bin/app';
import { DEFAULT_RETRY } from '../../../shared/domain/plaid/webhooks';
import { catalogue, deployedWith, type FunctionSpec, type Grant } from '../../../lib/catalogue';
import {
  AURORA_ENGINE_VERSION,
  BACKUP_RETENTION_DAYS,
  DATA_API_ACTIONS,
  DATA_API_SECRET_ACTIONS,
  DB_NAME,
  DEFAULT_MAX_RECEIVE_COUNT,
  FinaggStack,
  VISIBILITY_TIMEOUT_FACTOR,
  type FinaggStackProps,
} from '../../../lib/stack';
import { stackSettings } from '../../../lib/context';
import { clusterIdentifierOf } from '../../../lib/constructs/aurora';
import { createTableInput, TABLE } from '../../../shared/adapters/dynamodb/table-definition';

/** Assets are never bundled in these tests: synthesis stays fast and needs no esbuild run. */
const NO_BUNDLING = { 'aws:cdk:bundling-stacks': [] };

function synth(props: FinaggStackProps = {}, context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...NO_BUNDLING, ...context } });
  const stack = new FinaggStack(app, 'Test', props);
  return { app, stack, template: Template.fromStack(stack) };
}

/** Every trigger kind and every grant, on entries that exist (only the wiring is under test). */
const STREAM_FILTER = {
  eventName: ['INSERT', 'MODIFY'],
  dynamodb: { NewImage: { type: { S: ['txn'] } } },
};
const synthetic: FunctionSpec[] = [
  {
    name: 'Health',
    entry: 'functions/http/health.ts',
    description: 'public route',
    routes: [{ method: 'GET', path: '/health', auth: false }],
    grants: [],
  },
  {
    name: 'Reader',
    entry: 'functions/http/me.ts',
    description: 'reads only',
    routes: [
      { method: 'GET', path: '/things/{id}' },
      { method: 'GET', path: '/things' },
    ],
    grants: ['table:read'],
  },
  {
    name: 'Linker',
    entry: 'functions/http/me.ts',
    description: 'encrypts tokens, queues a sync',
    routes: [{ method: 'POST', path: '/auth/link-bank' }],
    grants: ['table:write', 'kms:encrypt', 'queue:send'],
  },
  {
    name: 'Fanout',
    entry: 'functions/http/me.ts',
    description: 'schedule',
    schedule: { rateMinutes: 15 },
    grants: ['table:read', 'queue:send'],
  },
  {
    name: 'SyncWorker',
    entry: 'functions/http/me.ts',
    description: 'queue consumer',
    queue: { name: 'sync', batchSize: 5, maxConcurrency: 4, maxReceiveCount: 3 },
    timeoutSeconds: 60,
    memoryMb: 1024,
    environment: { EXTRA: 'yes' },
    grants: ['table:read', 'table:write', 'kms:decrypt', 'redis', 'bus:put'],
  },
  {
    name: 'Categorize',
    entry: 'functions/http/me.ts',
    description: 'stream consumer',
    stream: { filters: [STREAM_FILTER], batchSize: 50, retryAttempts: 3, bisectBatchOnError: true },
    grants: ['table:read', 'table:write', 'bus:put'],
  },
  {
    name: 'NotFound',
    entry: 'functions/http/not-found.ts',
    description: 'catch-all',
    routes: [{ method: 'GET', path: '$default', auth: false }],
    grants: [],
  },
];

type Json = Record<string, unknown>;
interface Statement {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
}

/** The logical id of an L2 construct's CloudFormation resource. */
function idOf(stack: FinaggStack, construct: IConstruct): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function logicalId(stack: FinaggStack, name: string): string {
  const fn = stack.functions[name];
  if (!fn) throw new Error(`no function ${name}`);
  return idOf(stack, fn);
}

/** Every statement of every policy attached to the function's role. */
function statementsOf(stack: FinaggStack, template: Template, name: string): Statement[] {
  const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, name)] as Json;
  const role = ((fn.Properties as Json).Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
  const policies = Object.values(template.findResources('AWS::IAM::Policy')) as Json[];
  return policies
    .filter((p) => JSON.stringify((p.Properties as Json).Roles) === JSON.stringify([{ Ref: role }]))
    .flatMap((p) => ((p.Properties as Json).PolicyDocument as { Statement: Statement[] }).Statement);
}

const actionsOf = (statements: Statement[]) =>
  new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])));

describe('FinaggStack with the real catalogue', () => {
  /** DynamoDB storage (the default): every entry but the Postgres change feed and migration step. */
  const deployed = deployedWith(catalogue, 'dynamodb');
  let stack: FinaggStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth());
  });

  it('creates the table from the shared definition: keys, indexes, stream, TTL, PITR, on-demand, encrypted', () => {
    const expected = createTableInput('ignored');
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: {
        KeySchema: expected.KeySchema,
        AttributeDefinitions: Match.arrayEquals(
          expected.AttributeDefinitions!.map((a) => Match.objectEquals({ ...a })),
        ),
        GlobalSecondaryIndexes: expected.GlobalSecondaryIndexes,
        BillingMode: 'PAY_PER_REQUEST',
        StreamSpecification: { StreamViewType: TABLE.streamViewType },
        TimeToLiveSpecification: { AttributeName: TABLE.timeToLiveAttribute, Enabled: true },
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      },
    });
  });

  it('creates one arm64 Node.js 22 function per catalogue entry, with the shared environment', () => {
    template.resourceCountIs('AWS::Lambda::Function', deployed.length);
    for (const spec of deployed) {
      template.hasResource('AWS::Lambda::Function', {
        Properties: {
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: `index.${spec.handler ?? 'handler'}`,
          Description: spec.description,
          TracingConfig: { Mode: 'Active' },
          LoggingConfig: { LogGroup: Match.anyValue() },
          Environment: {
            Variables: Match.objectLike({
              TABLE_NAME: { Ref: idOf(stack, stack.table!) },
              EVENT_BUS_NAME: Match.anyValue(),
              SYNC_QUEUE_URL: Match.anyValue(),
              KMS_KEY_ID: Match.anyValue(),
              STAGE: 'dev',
              POWERTOOLS_SERVICE_NAME: 'finagg',
              NODE_OPTIONS: Match.absent(),
            }),
          },
        },
      });
      expect(stack.functions[spec.name], spec.name).toBeDefined();
    }
  });

  it('gives functions their own roles without AWS managed policies', () => {
    const roles = template.findResources('AWS::IAM::Role');
    expect(Object.keys(roles)).toHaveLength(deployed.length);
    for (const role of Object.values(roles) as Json[]) {
      expect((role.Properties as Json).ManagedPolicyArns).toBeUndefined();
    }
  });

  it('routes every catalogue route to its function, behind the JWT authorizer unless auth is false', () => {
    const routes = catalogue.flatMap((f) => (f.routes ?? []).map((r) => ({ ...r, fn: f.name })));
    template.resourceCountIs('AWS::ApiGatewayV2::Route', routes.length);
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration') as Record<string, Json>;
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    expect(authorizerId).toBeDefined();
    for (const route of routes) {
      const routeKey = route.path === '$default' ? '$default' : `${route.method} ${route.path}`;
      const found = template.findResources('AWS::ApiGatewayV2::Route', {
        Properties: { RouteKey: routeKey },
      });
      const [resource] = Object.values(found) as Json[];
      expect(resource, routeKey).toBeDefined();
      const props = resource!.Properties as Json;
      if (route.auth === false) {
        expect(props.AuthorizationType, routeKey).toBe('NONE');
        expect(props.AuthorizerId, routeKey).toBeUndefined();
      } else {
        expect(props.AuthorizationType, routeKey).toBe('JWT');
        expect(props.AuthorizerId, routeKey).toEqual({ Ref: authorizerId });
      }
      const target = JSON.stringify(props.Target);
      const integrationId = Object.keys(integrations).find((id) => target.includes(`"${id}"`));
      expect(integrationId, routeKey).toBeDefined();
      expect((integrations[integrationId!]!.Properties as Json).IntegrationUri).toEqual({
        'Fn::GetAtt': [logicalId(stack, route.fn), 'Arn'],
      });
    }
  });

  it('sends unmatched requests ($default) to NotFound without a token', () => {
    const notFound = catalogue.find((f) => f.routes?.some((r) => r.path === '$default'));
    expect(notFound?.name).toBe('NotFound');
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
      RouteKey: '$default',
      AuthorizationType: 'NONE',
    });
  });

  it('has a JWT authorizer whose issuer is the user pool and whose audience is the app client', () => {
    const poolId = idOf(stack, stack.userPool);
    const clientId = idOf(stack, stack.userPoolClient);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: clientId }],
        Issuer: {
          'Fn::Join': [
            '',
            [
              'https://cognito-idp.',
              { Ref: 'AWS::Region' },
              '.',
              { Ref: 'AWS::URLSuffix' },
              '/',
              { Ref: poolId },
            ],
          ],
        },
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: {
        PasswordPolicy: Match.objectLike({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true }),
      },
    });
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      GenerateSecret: false,
      ExplicitAuthFlows: Match.arrayWith(['ALLOW_USER_SRP_AUTH']),
    });
  });

  it('configures CORS and JSON access logging on the $default stage', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: ['*'],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type']),
      }),
    });
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ApiAccessLogs'), 'Arn'] },
        Format: Match.stringLikeRegexp('\\$context\\.requestId'),
      },
    });
  });

  it('has the sync queue with its DLQ, both encrypted and refusing plain HTTP', () => {
    const queueId = idOf(stack, stack.syncQueue);
    const dlqId = idOf(stack, stack.syncDeadLetterQueue);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] },
        maxReceiveCount: DEFAULT_MAX_RECEIVE_COUNT,
      },
      SqsManagedSseEnabled: true,
    });
    for (const id of [queueId, dlqId]) {
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({
              Effect: 'Deny',
              Condition: { Bool: { 'aws:SecureTransport': 'false' } },
            }),
          ]),
        },
      });
    }
    // DynamoDB Streams serves at most two readers per shard without throttling: processors share consumers.
    expect(catalogue.filter((s) => s.stream).length).toBeLessThanOrEqual(2);
    // The stream consumers' on-failure destination: one queue, encrypted, for every stream consumer.
    expect(stack.streamFailureQueue).toBeDefined();
    // Sync and its DLQ, Plaid webhooks and their DLQ, the stream failures.
    template.resourceCountIs('AWS::SQS::Queue', 5);
    template.hasResourceProperties('AWS::SQS::Queue', {
      RedrivePolicy: {
        deadLetterTargetArn: { 'Fn::GetAtt': [idOf(stack, stack.webhookDeadLetterQueue), 'Arn'] },
        maxReceiveCount: DEFAULT_RETRY.maxAttempts,
      },
      SqsManagedSseEnabled: true,
    });
    const failureQueueArn = { 'Fn::GetAtt': [idOf(stack, stack.streamFailureQueue!), 'Arn'] };
    for (const spec of catalogue.filter((s) => s.stream)) {
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(stack, spec.name) },
        BatchSize: spec.stream!.batchSize,
        MaximumRetryAttempts: spec.stream!.retryAttempts,
        BisectBatchOnFunctionError: spec.stream!.bisectBatchOnError,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
        DestinationConfig: { OnFailure: { Destination: failureQueueArn } },
        FilterCriteria: { Filters: spec.stream!.filters.map((f) => ({ Pattern: JSON.stringify(f) })) },
      });
    }
  });

  it('has the event bus, the rotating token key and the Redis secret', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResource('AWS::KMS::Key', {
      DeletionPolicy: 'Retain',
      Properties: { EnableKeyRotation: true },
    });
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
  });

  it('gives functions that declare no grants no access to data, queue, bus, key or secret', () => {
    for (const spec of catalogue.filter((s) => s.grants.length === 0)) {
      const actions = [...actionsOf(statementsOf(stack, template, spec.name))];
      expect(actions.length, spec.name).toBeGreaterThan(0); // logs and X-Ray, at least
      expect(
        actions.filter((a) => !/^(logs:(CreateLogStream|PutLogEvents)|xray:Put\w+)$/.test(a)),
        spec.name,
      ).toEqual([]);
    }
    expect(catalogue.find((s) => s.name === 'Health')?.grants).toEqual([]);
  });

  it('exports the outputs clients and operators need', () => {
    for (const output of [
      'ApiUrl',
      'UserPoolId',
      'UserPoolClientId',
      'TableName',
      'EventBusName',
      'SyncQueueUrl',
    ]) {
      template.hasOutput(output, { Value: Match.anyValue() });
    }
  });

  it('keeps data by default and lets throw-away stacks (retainData=false) be deleted whole', () => {
    const { template: t } = synth({}, { retainData: 'false' });
    t.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    t.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Delete' });
    t.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Delete' });
    template.hasResource('AWS::Cognito::UserPool', { DeletionPolicy: 'Retain' });
    template.hasResource('AWS::SecretsManager::Secret', { DeletionPolicy: 'Retain' });
  });

  it('is environment-agnostic (no account or region baked in)', () => {
    expect(Token.isUnresolved(stack.account)).toBe(true);
    expect(Token.isUnresolved(stack.region)).toBe(true);
    expect(JSON.stringify(template.toJSON())).not.toMatch(/\b\d{12}\b/);
  });
});

describe('FinaggStack with a synthetic catalogue (every trigger kind and grant)', () => {
  let stack: FinaggStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth({ catalogue: synthetic }));
  });

  /** The action that proves a grant, and on which resource it must be. */
  const proof = (): Record<Grant, { action: string; resource: () => unknown }> => ({
    'table:read': { action: 'dynamodb:Query', resource: () => ({ 'Fn::GetAtt': [id(stack.table!), 'Arn'] }) },
    'table:write': {
      action: 'dynamodb:PutItem',
      resource: () => ({ 'Fn::GetAtt': [id(stack.table!), 'Arn'] }),
    },
    'bus:put': { action: 'events:PutEvents', resource: () => ({ 'Fn::GetAtt': [id(stack.bus), 'Arn'] }) },
    'queue:send': {
      action: 'sqs:SendMessage',
      resource: () => ({ 'Fn::GetAtt': [id(stack.syncQueue), 'Arn'] }),
    },
    // No change queue in DynamoDB storage: nothing may send to one.
    'changes:send': { action: 'sqs:SendMessage', resource: () => 'no change queue' },
    'webhooks:send': {
      action: 'sqs:SendMessage',
      resource: () => ({ 'Fn::GetAtt': [id(stack.webhookQueue), 'Arn'] }),
    },
    'kms:encrypt': {
      action: 'kms:GenerateDataKey',
      resource: () => ({ 'Fn::GetAtt': [id(stack.tokenKey), 'Arn'] }),
    },
    'kms:decrypt': { action: 'kms:Decrypt', resource: () => ({ 'Fn::GetAtt': [id(stack.tokenKey), 'Arn'] }) },
    redis: { action: 'secretsmanager:GetSecretValue', resource: () => ({ Ref: id(stack.redisSecret) }) },
  });
  const id = (c: IConstruct) => idOf(stack, c);

  it('grants each function exactly what it declares, on the declared resource', () => {
    const grants = proof();
    for (const spec of synthetic) {
      const statements = statementsOf(stack, template, spec.name);
      for (const [grant, { action, resource }] of Object.entries(grants) as [
        Grant,
        (typeof grants)[Grant],
      ][]) {
        const has = statements.some(
          (s) =>
            (Array.isArray(s.Action) ? s.Action : [s.Action]).includes(action) &&
            JSON.stringify(s.Resource).includes(JSON.stringify(resource())),
        );
        expect(has, `${spec.name} ${grant}`).toBe(spec.grants.includes(grant));
      }
    }
  });

  it('gives table:read read actions on the table and its indexes, and no write action', () => {
    const statements = statementsOf(stack, template, 'Reader');
    const actions = actionsOf(statements);
    for (const a of ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem'])
      expect(actions).toContain(a);
    for (const a of [
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:DeleteItem',
      'dynamodb:BatchWriteItem',
    ]) {
      expect(actions).not.toContain(a);
    }
    expect([...actions].filter((a) => a.includes('*'))).toEqual([]);
    const read = statements.find((s) => (s.Action as string[]).includes('dynamodb:Query'));
    const resources = JSON.stringify(read?.Resource);
    for (const gsi of TABLE.globalSecondaryIndexes) expect(resources).toContain(`/index/${gsi.indexName}`);
    expect(resources).not.toContain('/index/*');
  });

  it('never grants a wildcard action, and a wildcard resource only to X-Ray and ListStreams', () => {
    for (const spec of synthetic) {
      for (const s of statementsOf(stack, template, spec.name)) {
        const actions = Array.isArray(s.Action) ? s.Action : [s.Action];
        expect(
          actions.filter((a) => a.includes('*')),
          spec.name,
        ).toEqual([]);
        if (JSON.stringify(s.Resource).includes('"*"')) {
          for (const a of actions) expect(a, spec.name).toMatch(/^(xray:Put\w+|dynamodb:ListStreams)$/);
        }
      }
    }
  });

  it('passes the Redis secret ARN only to functions with the redis grant', () => {
    for (const spec of synthetic) {
      const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, spec.name)] as Json;
      const vars = ((fn.Properties as Json).Environment as { Variables: Json }).Variables;
      if (spec.grants.includes('redis')) {
        expect(vars.UPSTASH_REDIS_SECRET_ARN, spec.name).toEqual({ Ref: id(stack.redisSecret) });
      } else {
        expect(vars.UPSTASH_REDIS_SECRET_ARN, spec.name).toBeUndefined();
      }
    }
  });

  it("applies each entry's memory, timeout and environment", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'queue consumer',
      MemorySize: 1024,
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ EXTRA: 'yes', TABLE_NAME: Match.anyValue() }) },
    });
  });

  it('runs the scheduled function on an EventBridge rate rule', () => {
    template.resourceCountIs('AWS::Events::Rule', 1);
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      State: 'ENABLED',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, 'Fanout'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Principal: 'events.amazonaws.com',
      FunctionName: { 'Fn::GetAtt': [logicalId(stack, 'Fanout'), 'Arn'] },
    });
  });

  it('takes the schedule rate from the syncRateMinutes context', () => {
    const { template: t } = synth({ catalogue: synthetic }, { syncRateMinutes: '5' });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    expect(() => synth({ catalogue: synthetic }, { syncRateMinutes: 'soon' })).toThrow(/syncRateMinutes/);
  });

  it('consumes the sync queue with partial batch failures and bounded concurrency', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, 'SyncWorker') },
      EventSourceArn: { 'Fn::GetAtt': [id(stack.syncQueue), 'Arn'] },
      BatchSize: 5,
      ScalingConfig: { MaximumConcurrency: 4 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it("sizes the sync queue from its consumer: visibility >= 6x timeout, DLQ after the entry's receive count", () => {
    const queue = template.findResources('AWS::SQS::Queue')[id(stack.syncQueue)] as Json;
    const props = queue.Properties as {
      VisibilityTimeout: number;
      RedrivePolicy: { maxReceiveCount: number };
    };
    expect(props.VisibilityTimeout).toBeGreaterThanOrEqual(6 * 60);
    expect(props.RedrivePolicy.maxReceiveCount).toBe(3);
  });

  it('consumes the table stream with the catalogue filters, retries, bisection and a failure destination', () => {
    expect(stack.streamFailureQueue).toBeDefined();
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: logicalId(stack, 'Categorize') },
      EventSourceArn: { 'Fn::GetAtt': [id(stack.table!), 'StreamArn'] },
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(STREAM_FILTER) }] },
      BatchSize: 50,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      StartingPosition: 'TRIM_HORIZON',
      DestinationConfig: {
        OnFailure: { Destination: { 'Fn::GetAtt': [id(stack.streamFailureQueue!), 'Arn'] } },
      },
    });
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      RedrivePolicy: Match.absent(),
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
  });

  it('routes each of several routes of one function through one integration', () => {
    const reader = logicalId(stack, 'Reader');
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration', {
      Properties: { IntegrationUri: { 'Fn::GetAtt': [reader, 'Arn'] } },
    });
    expect(Object.keys(integrations)).toHaveLength(1);
    for (const key of ['GET /things/{id}', 'GET /things']) {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: key, AuthorizationType: 'JWT' });
    }
  });

  it('rejects catalogue mistakes at synth time', () => {
    const dup: FunctionSpec[] = [synthetic[0]!, { ...synthetic[0]!, name: 'Again' }];
    expect(() => synth({ catalogue: dup })).toThrow(/GET \/health is declared twice/);
    const twoConsumers = synthetic.concat({ ...synthetic.find((s) => s.queue)!, name: 'SyncWorker2' });
    expect(() => synth({ catalogue: twoConsumers })).toThrow(/one consumer per queue/);
  });
});

/** The synthetic catalogue with the Postgres change feed and migration step: every trigger kind of storage aurora. */
const postgresEntries: FunctionSpec[] = [
  {
    name: 'Migrate',
    storage: 'postgres',
    entry: 'functions/ops/migrate.ts',
    description: 'deploy step',
    runOnDeploy: true,
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 300,
  },
  {
    name: 'Relay',
    storage: 'postgres',
    entry: 'functions/http/me.ts',
    description: 'outbox relay',
    schedule: { rateMinutes: 1, fixed: true },
    nudgedByWriters: true,
    grants: ['table:read', 'table:write', 'changes:send'],
    timeoutSeconds: 60,
  },
  {
    name: 'CategorizeFeed',
    storage: 'postgres',
    entry: 'functions/http/me.ts',
    description: 'change consumer',
    changes: { batchSize: 10, maxReceiveCount: 4 },
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 30,
  },
  {
    name: 'InsightsFeed',
    storage: 'postgres',
    entry: 'functions/http/me.ts',
    description: 'another change consumer',
    changes: { batchSize: 5, maxReceiveCount: 3 },
    grants: ['table:read', 'table:write', 'bus:put', 'redis'],
    timeoutSeconds: 120,
  },
];
const syntheticBoth: FunctionSpec[] = [
  ...synthetic.map((s): FunctionSpec => (s.stream ? { ...s, storage: 'dynamodb' } : s)),
  ...postgresEntries,
];

describe('FinaggStack with storage=aurora', () => {
  let stack: FinaggStack;
  let template: Template;
  beforeAll(() => {
    ({ stack, template } = synth({ catalogue: syntheticBoth }, { storage: 'aurora' }));
  });
  const id = (c: IConstruct) => idOf(stack, c);
  const clusterArn = () => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':rds:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':cluster:',
        { Ref: id(stack.aurora!.cluster) },
      ],
    ],
  });
  const secretArn = () => ({ 'Fn::GetAtt': [id(stack.aurora!.cluster), 'MasterUserSecret.SecretArn'] });
  const envOf = (name: string) => {
    const fn = template.findResources('AWS::Lambda::Function')[logicalId(stack, name)] as Json;
    return ((fn.Properties as Json).Environment as { Variables: Json }).Variables;
  };
  const tableUsers = syntheticBoth.filter(
    (s) => s.storage !== 'dynamodb' && s.grants.some((g) => g.startsWith('table:')),
  );

  it('has no DynamoDB table, no table stream consumer and no stream failure queue', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(stack.table).toBeUndefined();
    expect(stack.streamFailureQueue).toBeUndefined();
    expect(stack.functions.Categorize).toBeUndefined();
    expect(JSON.stringify(template.toJSON())).not.toMatch(/dynamodb:|StreamArn|TABLE_NAME/);
    expect(Object.keys(stack.functions).sort()).toEqual(
      syntheticBoth
        .filter((s) => s.storage !== 'dynamodb')
        .map((s) => s.name)
        .sort(),
    );
  });

  it('runs Aurora Serverless v2 PostgreSQL with the Data API, encrypted, backed up, protected, its secret managed by RDS', () => {
    template.resourceCountIs('AWS::RDS::DBCluster', 1);
    template.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        Engine: 'aurora-postgresql',
        EngineVersion: AURORA_ENGINE_VERSION.auroraPostgresFullVersion,
        EnableHttpEndpoint: true,
        StorageEncrypted: true,
        BackupRetentionPeriod: BACKUP_RETENTION_DAYS,
        DeletionProtection: true,
        ManageMasterUserPassword: true,
        DatabaseName: DB_NAME,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0.5, MaxCapacity: 4 },
        EnableCloudwatchLogsExports: ['postgresql'],
      }),
    });
    // One writer, a Serverless v2 instance, not reachable from the internet.
    template.resourceCountIs('AWS::RDS::DBInstance', 1);
    template.hasResourceProperties('AWS::RDS::DBInstance', {
      DBInstanceClass: 'db.serverless',
      PubliclyAccessible: false,
      DBClusterIdentifier: { Ref: id(stack.aurora!.cluster) },
    });
    // The managed secret is RDS's: no secret of ours for the database, no rotation function to run.
    template.resourceCountIs('AWS::SecretsManager::Secret', 1);
    template.resourceCountIs('AWS::SecretsManager::RotationSchedule', 0);
  });

  it('keeps the cluster in isolated subnets: no internet or NAT gateway, no inbound rule, rejected traffic logged', () => {
    template.resourceCountIs('AWS::EC2::VPC', 1);
    template.resourceCountIs('AWS::EC2::InternetGateway', 0);
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    for (const subnet of Object.values(template.findResources('AWS::EC2::Subnet')) as Json[]) {
      expect((subnet.Properties as Json).MapPublicIpOnLaunch).toBe(false);
    }
    template.resourceCountIs('AWS::EC2::SecurityGroupIngress', 0);
    for (const sg of Object.values(template.findResources('AWS::EC2::SecurityGroup')) as Json[]) {
      expect((sg.Properties as Json).SecurityGroupIngress).toBeUndefined();
    }
    template.hasResourceProperties('AWS::EC2::FlowLog', { TrafficType: 'REJECT' });
    // The functions reach it through the Data API: none of them is in the VPC.
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')) as Json[]) {
      expect((fn.Properties as Json).VpcConfig).toBeUndefined();
    }
  });

  it('tells functions with table grants where the database is, and no other', () => {
    for (const spec of syntheticBoth.filter((s) => s.storage !== 'dynamodb')) {
      const vars = envOf(spec.name);
      expect(vars.STORAGE, spec.name).toBe('aurora');
      expect(vars.TABLE_NAME, spec.name).toBeUndefined();
      if (tableUsers.includes(spec)) {
        expect(vars, spec.name).toMatchObject({
          DB_CLUSTER_ARN: clusterArn(),
          DB_SECRET_ARN: secretArn(),
          DB_NAME,
        });
      } else {
        expect([vars.DB_CLUSTER_ARN, vars.DB_SECRET_ARN, vars.DB_NAME], spec.name).toEqual([
          undefined,
          undefined,
          undefined,
        ]);
      }
    }
  });

  it('turns table grants into Data API statements on the cluster and reading its secret, nothing wider', () => {
    for (const spec of syntheticBoth.filter((s) => s.storage !== 'dynamodb')) {
      const statements = statementsOf(stack, template, spec.name);
      const dataApi = statements.filter((s) => actionsOf([s]).has('rds-data:ExecuteStatement'));
      const secret = statements.filter((s) => actionsOf([s]).has('secretsmanager:GetSecretValue'));
      if (!tableUsers.includes(spec)) {
        expect(dataApi, spec.name).toEqual([]);
        continue;
      }
      expect(dataApi, spec.name).toHaveLength(1);
      expect([...actionsOf(dataApi)].sort(), spec.name).toEqual([...DATA_API_ACTIONS].sort());
      expect(dataApi[0]!.Resource, spec.name).toEqual(clusterArn());
      const dbSecret = secret.filter((s) => JSON.stringify(s.Resource) === JSON.stringify(secretArn()));
      expect(dbSecret, spec.name).toHaveLength(1);
      expect([...actionsOf(dbSecret)], spec.name).toEqual(DATA_API_SECRET_ACTIONS);
    }
  });

  it('gives each change-feed consumer its own FIFO queue with a FIFO dead-letter queue, consumed with partial batch failures', () => {
    const consumers = postgresEntries.filter((s) => s.changes);
    expect([...stack.changeQueues.keys()].sort()).toEqual(consumers.map((s) => s.name).sort());
    for (const spec of consumers) {
      const { queue, deadLetterQueue } = stack.changeQueues.get(spec.name)!;
      const resources = template.findResources('AWS::SQS::Queue');
      expect((resources[id(queue)] as Json).Properties, spec.name).toMatchObject({
        FifoQueue: true,
        DeduplicationScope: 'messageGroup',
        FifoThroughputLimit: 'perMessageGroupId',
        SqsManagedSseEnabled: true,
        VisibilityTimeout: VISIBILITY_TIMEOUT_FACTOR * spec.timeoutSeconds!,
        RedrivePolicy: {
          deadLetterTargetArn: { 'Fn::GetAtt': [id(deadLetterQueue), 'Arn'] },
          maxReceiveCount: spec.changes!.maxReceiveCount,
        },
      });
      expect((resources[id(deadLetterQueue)] as Json).Properties, spec.name).toMatchObject({
        FifoQueue: true,
        MessageRetentionPeriod: 14 * 24 * 3600,
      });
      template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
        FunctionName: { Ref: logicalId(stack, spec.name) },
        EventSourceArn: { 'Fn::GetAtt': [id(queue), 'Arn'] },
        BatchSize: spec.changes!.batchSize,
        FunctionResponseTypes: ['ReportBatchItemFailures'],
      });
    }
  });

  it('lets the relay send to every change queue, and only the relay', () => {
    const urls = [...stack.changeQueues.values()].map(({ queue }) => ({ Ref: id(queue) }));
    expect(envOf('Relay').CHANGES_QUEUE_URLS).toEqual({ 'Fn::Join': [',', urls] });
    for (const spec of syntheticBoth.filter((s) => s.storage !== 'dynamodb')) {
      const statements = statementsOf(stack, template, spec.name);
      for (const { queue } of stack.changeQueues.values()) {
        const sends = statements.some(
          (s) =>
            actionsOf([s]).has('sqs:SendMessage') &&
            JSON.stringify(s.Resource) === JSON.stringify({ 'Fn::GetAtt': [id(queue), 'Arn'] }),
        );
        expect(sends, spec.name).toBe(spec.grants.includes('changes:send'));
      }
      if (spec.name !== 'Relay') expect(envOf(spec.name).CHANGES_QUEUE_URLS, spec.name).toBeUndefined();
    }
  });

  it('sweeps the outbox every minute, whatever syncRateMinutes says', () => {
    const { stack: s, template: t } = synth(
      { catalogue: syntheticBoth },
      { storage: 'aurora', syncRateMinutes: '5' },
    );
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 minute)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(s, s.functions.Relay!), 'Arn'] } })],
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [idOf(s, s.functions.Fanout!), 'Arn'] } })],
    });
  });

  it('lets writers nudge the relay: its name, and invoking that function (no version or alias)', () => {
    const relayArn = { 'Fn::GetAtt': [logicalId(stack, 'Relay'), 'Arn'] };
    for (const spec of syntheticBoth.filter((s) => s.storage !== 'dynamodb')) {
      const nudges = spec.grants.includes('table:write') && spec.name !== 'Relay' && !spec.runOnDeploy;
      const invokes = statementsOf(stack, template, spec.name).filter((s) =>
        actionsOf([s]).has('lambda:InvokeFunction'),
      );
      if (nudges) {
        expect(envOf(spec.name).CHANGES_RELAY_FUNCTION, spec.name).toEqual({
          Ref: logicalId(stack, 'Relay'),
        });
        expect(
          invokes.map((s) => s.Resource),
          spec.name,
        ).toEqual([relayArn]);
      } else {
        expect(envOf(spec.name).CHANGES_RELAY_FUNCTION, spec.name).toBeUndefined();
        expect(invokes, spec.name).toEqual([]);
      }
    }
  });

  it('migrates at deploy time: after the cluster and its writer exist, before any other function', () => {
    const triggers = template.findResources('Custom::Trigger') as Record<string, Json>;
    expect(Object.keys(triggers)).toHaveLength(1);
    const [triggerId, trigger] = Object.entries(triggers)[0]!;
    expect(trigger.Properties).toMatchObject({
      InvocationType: 'RequestResponse',
      ExecuteOnHandlerChange: true,
      Timeout: String(300 * 1000),
    });
    // Re-run whenever the function changes: it points at the function's current version.
    const handler = JSON.stringify((trigger.Properties as Json).HandlerArn);
    const versions = template.findResources('AWS::Lambda::Version') as Record<string, Json>;
    const [versionId] = Object.keys(versions).filter((v) => handler.includes(v));
    expect((versions[versionId!]!.Properties as Json).FunctionName).toEqual({
      Ref: logicalId(stack, 'Migrate'),
    });
    expect(trigger.DependsOn).toEqual(
      expect.arrayContaining([id(stack.aurora!.cluster), id(stack.aurora!.cluster.node.findChild('Writer'))]),
    );
    const functions = template.findResources('AWS::Lambda::Function') as Record<string, Json>;
    for (const name of Object.keys(stack.functions)) {
      const dependsOn = (functions[logicalId(stack, name)]!.DependsOn ?? []) as string[];
      expect(dependsOn.includes(triggerId), name).toBe(name !== 'Migrate');
    }
  });

  it('names the cluster after the stack, as RDS allows, and says what the stack holds', () => {
    template.hasResourceProperties('AWS::RDS::DBCluster', { DBClusterIdentifier: 'test' });
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/rds/cluster/test/postgresql',
      RetentionInDays: 30,
    });
    expect(template.toJSON().Description).toMatch(/Aurora Serverless v2 PostgreSQL/);
    expect(clusterIdentifierOf('Finagg-dev')).toBe('finagg-dev');
    expect(clusterIdentifierOf('Finagg-qa__2-')).toBe('finagg-qa-2');
    expect(clusterIdentifierOf('9-Lives')).toBe('lives');
    expect(clusterIdentifierOf(`F${'x'.repeat(80)}`)).toHaveLength(63);
  });

  it('exports where the database is instead of a table name', () => {
    template.hasOutput('DbClusterArn', { Value: clusterArn() });
    template.hasOutput('DbSecretArn', { Value: secretArn() });
    template.hasOutput('DbName', { Value: DB_NAME });
    expect(template.findOutputs('TableName')).toEqual({});
  });

  it('lets throw-away stacks delete the cluster, and takes its capacity from the context', () => {
    const { template: t } = synth(
      { catalogue: syntheticBoth },
      { storage: 'aurora', retainData: 'false', auroraMinCapacity: '0', auroraMaxCapacity: '2.5' },
    );
    t.hasResource('AWS::RDS::DBCluster', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        DeletionProtection: false,
        ServerlessV2ScalingConfiguration: { MinCapacity: 0, MaxCapacity: 2.5 },
      }),
    });
    expect(() =>
      synth({ catalogue: syntheticBoth }, { storage: 'aurora', auroraMaxCapacity: '3.3' }),
    ).toThrow(/auroraMaxCapacity must be a multiple of 0.5/);
    expect(() => synth({ catalogue: syntheticBoth }, { storage: 'postgres' })).toThrow(
      /storage must be one of dynamodb, aurora/,
    );
  });

  it('deploys the same catalogue in DynamoDB storage without any of the Postgres entries', () => {
    const { stack: s, template: t } = synth({ catalogue: syntheticBoth });
    expect(Object.keys(s.functions).sort()).toEqual(synthetic.map((f) => f.name).sort());
    t.resourceCountIs('AWS::RDS::DBCluster', 0);
    t.resourceCountIs('AWS::EC2::VPC', 0);
    t.resourceCountIs('Custom::Trigger', 0);
    expect(s.changeQueues.size).toBe(0);
    expect(JSON.stringify(t.toJSON())).not.toMatch(/rds-data:|CHANGES_/);
  });

  it('rejects what a storage cannot run, at synth time', () => {
    const unmarkedStream = syntheticBoth.map((s) => (s.stream ? { ...s, storage: undefined } : s));
    expect(() => synth({ catalogue: unmarkedStream }, { storage: 'aurora' })).toThrow(
      /Categorize consumes the table stream.*storage: 'dynamodb'/,
    );
    const unmarkedFeed = syntheticBoth.map((s) => (s.changes ? { ...s, storage: undefined } : s));
    expect(() => synth({ catalogue: unmarkedFeed })).toThrow(/CategorizeFeed .*storage: 'postgres'/);
    const bigBatch = syntheticBoth.map((s) =>
      s.changes ? { ...s, changes: { batchSize: 11, maxReceiveCount: 3 } } : s,
    );
    expect(() => synth({ catalogue: bigBatch }, { storage: 'aurora' })).toThrow(/batchSize must be 1 to 10/);
    const noRelay = syntheticBoth.filter((s) => s.name !== 'Relay');
    expect(() => synth({ catalogue: noRelay }, { storage: 'aurora' })).toThrow(/no outbox relay/);
  });
});

describe('cdk-nag AwsSolutions', () => {
  function nag(scope: IConstruct) {
    return new AwsSolutionsChecks().validateScope(scope).violations.map((v) => ({
      rule: v.ruleName,
      severity: v.severity,
      at: v.violatingResources.map((r) => r.constructPath),
    }));
  }
  const appWith = (props: FinaggStackProps = {}) => createApp(new App({ context: NO_BUNDLING }), props);

  it('reports no unacknowledged error or warning on the app bin/app.ts builds', () => {
    const { app } = appWith();
    expect(nag(app)).toEqual([]);
  });

  it('reports none with every trigger kind and grant either', () => {
    const { app } = appWith({ catalogue: synthetic });
    expect(nag(app)).toEqual([]);
  });

  it('reports none in storage aurora, with the real catalogue and with every Postgres trigger kind', () => {
    const aurora = () => new App({ context: { ...NO_BUNDLING, storage: 'aurora' } });
    expect(nag(createApp(aurora()).app)).toEqual([]);
    expect(nag(createApp(aurora(), { catalogue: syntheticBoth }).app)).toEqual([]);
    expect(() => createApp(aurora()).app.synth()).not.toThrow();
  });

  it('fails synthesis through the registered plugin when a finding is not acknowledged', () => {
    const clean = appWith();
    expect(() => clean.app.synth()).not.toThrow();
    const dirty = appWith();
    new Queue(dirty.stack, 'PlainQueue', { enforceSSL: false });
    expect(nag(dirty.app).map((v) => v.rule)).toEqual(
      expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']),
    );
    expect(() => dirty.app.synth()).toThrow(/AwsSolutions-SQS4/);
  });

  it('acknowledges findings only on resources, each with a written reason', () => {
    const { app, stack } = appWith({ catalogue: synthetic });
    const acks: { path: string; id: string; reason: string }[] = [];
    const walk = (c: IConstruct) => {
      for (const m of c.node.metadata) {
        if (m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY) {
          for (const [key, reason] of Object.entries(m.data as Record<string, string>)) {
            acks.push({ path: c.node.path, id: key.replace(/^annotation::/i, ''), reason });
          }
        }
      }
      c.node.children.forEach(walk);
    };
    walk(app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.path, ack.id).not.toBe(stack.node.path);
      expect(ack.path, ack.id).not.toBe('');
      expect(ack.reason.length, `${ack.path} ${ack.id}`).toBeGreaterThan(60);
      // IAM5 only ever for one exact finding, never the whole rule.
      if (ack.id.startsWith('AwsSolutions-IAM5')) expect(ack.id).toBe('AwsSolutions-IAM5[Resource::*]');
    }
  });
});

/**
 * CloudFormation replaces a resource whose logical id changes: a new, empty table, key, user pool or queue, a new
 * API URL or app client id. These are the ids deployed stacks have; reorganising lib/ must not move them.
 */
describe('logical ids of stateful resources', () => {
  const PINNED: Record<string, string> = {
    TableCD117FA1: 'AWS::DynamoDB::Table',
    TokenKeyD1D1A236: 'AWS::KMS::Key',
    UpstashRedisSecretC12A6D2A: 'AWS::SecretsManager::Secret',
    UserPool6BA7E5F2: 'AWS::Cognito::UserPool',
    UserPoolApiClient5E25D46A: 'AWS::Cognito::UserPoolClient',
    SyncQueue13109325: 'AWS::SQS::Queue',
    SyncDeadLetterQueue18119BFC: 'AWS::SQS::Queue',
    StreamFailureQueueC70B334E: 'AWS::SQS::Queue',
    BusEA82B648: 'AWS::Events::EventBus',
    HttpApiF5A9A8A7: 'AWS::ApiGatewayV2::Api',
    HttpApiDefaultStage3EEB07D6: 'AWS::ApiGatewayV2::Stage',
    ApiAccessLogsE9DF007D: 'AWS::Logs::LogGroup',
    // A new stream mapping starts again at TRIM_HORIZON; a new queue mapping briefly doubles the consumers.
    SyncWorkerSqsEventSourceFinaggdevSyncQueueA95901073783658E: 'AWS::Lambda::EventSourceMapping',
    InsightsProcessorDynamoDBEventSourceFinaggdevTable2AFFE5EC3077E86C: 'AWS::Lambda::EventSourceMapping',
    CategorizerDynamoDBEventSourceFinaggdevTable2AFFE5ECC6A612D7: 'AWS::Lambda::EventSourceMapping',
  };
  /** Each function's retained log group (a new one would orphan the old logs). */
  const LOG_GROUPS: Record<string, string> = {
    Health: 'HealthLogs34B37038',
    Me: 'MeLogs26604DBA',
    NotFound: 'NotFoundLogs87655A85',
    Docs: 'DocsLogs2109E146',
    Providers: 'ProvidersLogs8CC2AC75',
    Link: 'LinkLogs1C41D247',
    Connections: 'ConnectionsLogsE33E3574',
    Accounts: 'AccountsLogs4107A632',
    Transactions: 'TransactionsLogs438EA975',
    Reconcile: 'ReconcileLogs36C88C19',
    Rules: 'RulesLogsC9500C37',
    Enrich: 'EnrichLogs1AD040E3',
    SyncFanout: 'SyncFanoutLogsB7AF7312',
    SyncWorker: 'SyncWorkerLogsD6ECC20E',
    Budgets: 'BudgetsLogsBECC0547',
    Alerts: 'AlertsLogs90537CC2',
    Analytics: 'AnalyticsLogsCD2A5272',
    Replay: 'ReplayLogs17A414AC',
    InsightsProcessor: 'InsightsProcessorLogs3C0F53B5',
    Categorizer: 'CategorizerLogsF9DE18DD',
    MockBankA: 'MockBankALogs1768E7D2',
    MockBankB: 'MockBankBLogs425917A7',
    MockBankC: 'MockBankCLogsC5282454',
  };

  let resources: Record<string, { Type: string }>;
  let stack: FinaggStack;
  beforeAll(() => {
    ({ stack } = createApp(new App({ context: NO_BUNDLING })));
    resources = Template.fromStack(stack).toJSON().Resources as typeof resources;
  });

  it('keeps the table, key, secret, user pool and client, queues, bus, API and stream mappings where they were', () => {
    for (const [id, type] of Object.entries(PINNED)) expect(resources[id]?.Type, id).toBe(type);
    expect(idOf(stack, stack.table!)).toBe('TableCD117FA1');
    // A bus is replaced when renamed, and its default name comes from its construct path.
    expect(resources.BusEA82B648).toMatchObject({ Properties: { Name: 'FinaggdevBus0CCB69FB' } });
  });

  it('keeps the Aurora cluster, its writer and VPC where they are (storage aurora)', () => {
    const { stack: aurora } = createApp(new App({ context: { ...NO_BUNDLING, storage: 'aurora' } }));
    const auroraResources = Template.fromStack(aurora).toJSON().Resources as typeof resources;
    const pinned: Record<string, string> = {
      AuroraClusterD4EFE71C: 'AWS::RDS::DBCluster',
      AuroraClusterWriter398336D3: 'AWS::RDS::DBInstance',
      AuroraVpc881E9D7F: 'AWS::EC2::VPC',
      TokenKeyD1D1A236: 'AWS::KMS::Key',
      UpstashRedisSecretC12A6D2A: 'AWS::SecretsManager::Secret',
      UserPool6BA7E5F2: 'AWS::Cognito::UserPool',
      HttpApiF5A9A8A7: 'AWS::ApiGatewayV2::Api',
    };
    for (const [id, type] of Object.entries(pinned)) expect(auroraResources[id]?.Type, id).toBe(type);
  });

  it("keeps every function's log group", () => {
    for (const spec of catalogue) {
      const id = LOG_GROUPS[spec.name];
      if (id) expect(resources[id]?.Type, spec.name).toBe('AWS::Logs::LogGroup');
    }
    for (const name of Object.keys(LOG_GROUPS)) {
      expect(
        catalogue.map((s) => s.name),
        `${name} left the catalogue: drop its pinned log group`,
      ).toContain(name);
    }
  });
});

describe('stack settings (lib/context.ts)', () => {
  const settingsOf = (context: Record<string, unknown>, props = {}) =>
    stackSettings(new App({ context }), props);

  it('takes props over context, and context over defaults', () => {
    expect(settingsOf({})).toEqual({
      stage: 'dev',
      retainData: true,
      cognitoPlus: false,
      corsAllowOrigins: ['*'],
      syncRateMinutes: undefined,
      logLevel: 'INFO',
      storage: 'dynamodb',
      auroraMinCapacity: 0.5,
      auroraMaxCapacity: 4,
    });
    const context = {
      stage: 'prod',
      retainData: 'false',
      cognitoPlus: 'true',
      corsAllowOrigins: 'https://a.example, https://b.example,',
      syncRateMinutes: '5',
      logLevel: 'DEBUG',
    };
    expect(settingsOf(context)).toEqual({
      stage: 'prod',
      retainData: false,
      cognitoPlus: true,
      corsAllowOrigins: ['https://a.example', 'https://b.example'],
      syncRateMinutes: 5,
      logLevel: 'DEBUG',
      storage: 'dynamodb',
      auroraMinCapacity: 0.5,
      auroraMaxCapacity: 4,
    });
    expect(settingsOf(context, { stage: 'qa', retainData: true, syncRateMinutes: 30 })).toMatchObject({
      stage: 'qa',
      retainData: true,
      syncRateMinutes: 30,
      cognitoPlus: true,
    });
  });

  it('names the context key of a value it cannot read', () => {
    expect(() => settingsOf({ retainData: 'yes' })).toThrow(/retainData must be true or false/);
    expect(() => settingsOf({ syncRateMinutes: '0' })).toThrow(/syncRateMinutes must be a whole number/);
    expect(settingsOf({ stage: '' }).stage).toBe('dev');
  });
});
