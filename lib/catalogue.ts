import { DEFAULT_RETRY } from '../shared/domain/plaid/webhooks';

/**
 * The one catalogue of functions and their triggers. The CDK stack (lib/stack.ts) and the local twin
 * (lib/local/) both read it: adding a route, a schedule, a queue consumer or a stream processor is one entry here.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** API Gateway path template: `/connections/{id}`, `/mock-banks/bank_a/{proxy+}`. */
  path: string;
  /** Behind the JWT authorizer (default true). */
  auth?: boolean;
}

/**
 * What a function may touch; the stack turns each into a least-privilege grant, the twin ignores them.
 * `table:*` is the store whichever storage is deployed: the DynamoDB table, or the Aurora cluster through the Data
 * API (whose IAM actions do not tell reads from writes). `changes:send` is the outbox relay's: sending to the change
 * queues the processors consume (Postgres storage).
 */
export type Grant =
  | 'table:read'
  | 'table:write'
  | 'bus:put'
  | 'queue:send'
  | 'changes:send'
  | 'webhooks:send'
  | 'kms:encrypt'
  | 'kms:decrypt'
  | 'redis';

/** The storage kind a function belongs to: `dynamodb` (the table and its stream) or `postgres` (the outbox). */
export type StorageKind = 'dynamodb' | 'postgres';
/** The queues: `sync` (one sync of one connection per message), `plaid-webhooks` (one webhook delivery). */
export type QueueName = 'sync' | 'plaid-webhooks';

/**
 * A Lambda event filter pattern (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html)
 * over the DynamoDB stream record. The stack passes it to the event source mapping verbatim; the twin evaluates
 * the same pattern locally (lib/local/event-filter.ts).
 */
export type FilterPattern = { [key: string]: FilterPattern | FilterValue[] };
export type FilterValue = string | number | boolean | null | { prefix: string } | { exists: boolean };

export interface FunctionSpec {
  /** Logical name, PascalCase; the Lambda's construct id. */
  name: string;
  /** Entry file relative to the repository root. */
  entry: string;
  /** Exported handler name (default `handler`). */
  handler?: string;
  description: string;
  routes?: RouteSpec[];
  /**
   * EventBridge schedule, in minutes (overridable at deploy time with the `syncRateMinutes` context, unless
   * `fixed`: a sweep whose rate is part of a guarantee, like the outbox relay's).
   */
  schedule?: { rateMinutes: number; fixed?: boolean };
  /** SQS consumer of the named queue. */
  queue?: { name: QueueName; batchSize: number; maxConcurrency: number; maxReceiveCount: number };
  /**
   * Deployed only with that storage (absent: with both). The table-stream consumers are `dynamodb`; the outbox
   * relay, the change-queue consumers and the migration step are `postgres`.
   */
  storage?: StorageKind;
  /**
   * Consumer of the store's change feed in Postgres storage: its own SQS FIFO queue (message group = user, so a
   * user's changes arrive in order), fed by the outbox relay, with a FIFO dead-letter queue after `maxReceiveCount`
   * receives. `batchSize` is at most 10 (SQS FIFO).
   */
  changes?: { batchSize: number; maxReceiveCount: number };
  /**
   * The outbox relay's nudge (Postgres storage; set on the function with `changes:send`): every function with
   * `table:write` invokes it asynchronously (InvocationType Event) right after an invocation that wrote changes
   * (shared/stream/nudge.ts; env CHANGES_RELAY_FUNCTION = the relay's function name, IAM lambda:InvokeFunction on
   * it), so a change reaches the processors in well under the schedule's minute. A nudge that fails is logged and
   * the schedule sweeps; where the variable is absent (the twin, DynamoDB storage) nothing is invoked.
   */
  nudgedByWriters?: boolean;
  /**
   * Invoked by every deployment that changes it (a CloudFormation trigger), after the database exists and before
   * any other function is created or updated; a failure fails (and rolls back) the deployment. The migration step.
   */
  runOnDeploy?: boolean;
  /** DynamoDB stream consumer. */
  stream?: {
    filters: FilterPattern[];
    batchSize: number;
    retryAttempts: number;
    bisectBatchOnError: boolean;
  };
  grants: Grant[];
  memoryMb?: number;
  timeoutSeconds?: number;
  environment?: Record<string, string>;
  /**
   * Files copied into the deployment package beside the bundle: folder in the package → files relative to the
   * repository root (what the code reads at run time, e.g. the /docs page's Swagger UI from node_modules).
   */
  bundleFiles?: Record<string, string[]>;
}

/** A mock bank's function: its whole protocol (OAuth2, data, admin) behind one greedy public route per method. */
function mockBank(letter: 'A' | 'B' | 'C', title: string): FunctionSpec {
  const id = `bank_${letter.toLowerCase()}`;
  return {
    name: `MockBank${letter}`,
    entry: `functions/banks/${id}.ts`,
    description: `Mock bank ${id} (${title}): OAuth2 + PKCE consent, token, revoke, accounts, transactions, admin`,
    routes: [
      { method: 'GET', path: `/mock-banks/${id}/{proxy+}`, auth: false },
      { method: 'POST', path: `/mock-banks/${id}/{proxy+}`, auth: false },
    ],
    grants: ['table:read', 'table:write'],
  };
}

/**
 * A function of the Plaid-compatible surface (issue 15): POST routes under `/plaid`, public at the gateway (the
 * application's client_id and secret in the body or headers are the authentication, checked by
 * shared/http/plaid.ts). `paths` are Plaid's endpoint paths (`/item/get`).
 */
export function plaidFunction(
  name: string,
  file: string,
  description: string,
  paths: readonly string[],
  extra: Partial<Pick<FunctionSpec, 'grants' | 'memoryMb' | 'timeoutSeconds' | 'routes'>> = {},
): FunctionSpec {
  return {
    name,
    entry: `functions/plaid/${file}.ts`,
    description,
    routes: [
      ...paths.map((p) => ({ method: 'POST' as const, path: `${PLAID_BASE_PATH}${p}`, auth: false })),
      ...(extra.routes ?? []),
    ],
    grants: extra.grants ?? ['table:read'],
    ...(extra.memoryMb ? { memoryMb: extra.memoryMb } : {}),
    ...(extra.timeoutSeconds ? { timeoutSeconds: extra.timeoutSeconds } : {}),
  };
}

/** Where the Plaid-compatible surface lives: a client's `basePath` is `<api>/plaid`. */
export const PLAID_BASE_PATH = '/plaid';

export const catalogue: FunctionSpec[] = [
  {
    name: 'Health',
    entry: 'functions/http/health.ts',
    description: 'Liveness: GET /health',
    routes: [{ method: 'GET', path: '/health', auth: false }],
    grants: [],
  },
  {
    name: 'Me',
    entry: 'functions/http/me.ts',
    description: 'The caller as the API sees them: GET /me',
    routes: [{ method: 'GET', path: '/me' }],
    grants: [],
  },
  {
    name: 'NotFound',
    entry: 'functions/http/not-found.ts',
    description: 'Problem+json 404 for unknown routes and 405 for known paths with the wrong method',
    routes: [{ method: 'GET', path: '$default', auth: false }],
    grants: [],
  },
  {
    name: 'Docs',
    entry: 'functions/http/docs.ts',
    description: 'The API contract: GET /openapi.json (generated from the zod schemas) and GET /docs',
    routes: [
      { method: 'GET', path: '/openapi.json', auth: false },
      { method: 'GET', path: '/docs', auth: false },
      { method: 'GET', path: '/docs/swagger-ui-bundle.js', auth: false },
      { method: 'GET', path: '/docs/swagger-ui.css', auth: false },
      { method: 'GET', path: '/docs/docs.js', auth: false },
    ],
    grants: [],
    // functions/http/docs.ts serves Swagger UI from here (the npm package, no CDN).
    bundleFiles: {
      'docs-assets': [
        'node_modules/swagger-ui-dist/swagger-ui-bundle.js',
        'node_modules/swagger-ui-dist/swagger-ui.css',
      ],
    },
  },
  {
    name: 'Providers',
    entry: 'functions/http/providers.ts',
    description: 'The banks a user can link: GET /providers',
    routes: [{ method: 'GET', path: '/providers' }],
    grants: [],
  },
  {
    name: 'Link',
    entry: 'functions/http/link.ts',
    description: 'OAuth-style linking: link-bank, callback, and the browser pages /link and /link/callback',
    routes: [
      { method: 'POST', path: '/auth/link-bank' },
      { method: 'POST', path: '/auth/callback' },
      { method: 'GET', path: '/link', auth: false },
      { method: 'GET', path: '/link/callback', auth: false },
    ],
    grants: ['table:read', 'table:write', 'queue:send', 'kms:encrypt', 'kms:decrypt'],
    timeoutSeconds: 20,
  },
  {
    name: 'Connections',
    entry: 'functions/http/connections.ts',
    description: 'Connections: list, read, revoke at the bank, and queue a sync',
    routes: [
      { method: 'GET', path: '/connections' },
      { method: 'GET', path: '/connections/{id}' },
      { method: 'DELETE', path: '/connections/{id}' },
      { method: 'POST', path: '/connections/{id}/sync' },
      { method: 'GET', path: '/connections/{id}/syncs' },
      { method: 'GET', path: '/connections/{id}/syncs/{sync_id}/quarantined' },
    ],
    grants: ['table:read', 'table:write', 'queue:send', 'kms:decrypt'],
    timeoutSeconds: 20,
  },
  {
    name: 'Accounts',
    entry: 'functions/http/accounts.ts',
    description: 'Accounts and balances: GET /accounts, GET /accounts/{id}',
    routes: [
      { method: 'GET', path: '/accounts' },
      { method: 'GET', path: '/accounts/{id}' },
    ],
    grants: ['table:read'],
  },
  {
    name: 'Transactions',
    entry: 'functions/http/transactions.ts',
    description: 'Transactions: filtered list, detail with original and history, and the change feed',
    routes: [
      { method: 'GET', path: '/transactions' },
      { method: 'GET', path: '/transactions/sync' },
      { method: 'GET', path: '/transactions/{id}' },
    ],
    grants: ['table:read'],
  },
  {
    name: 'Reconcile',
    entry: 'functions/http/reconcile.ts',
    description:
      'Corrections as overlays, undo, conflict resolution, rules from corrections, and the audit trail',
    routes: [
      { method: 'POST', path: '/transactions/{id}/reconcile' },
      { method: 'DELETE', path: '/transactions/{id}/reconcile' },
      { method: 'GET', path: '/transactions/{id}/audit' },
    ],
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 30,
  },
  {
    name: 'Rules',
    entry: 'functions/http/rules.ts',
    description: "User categorization rules; a change re-categorizes the user's transactions",
    routes: [
      { method: 'GET', path: '/rules' },
      { method: 'POST', path: '/rules' },
      { method: 'PUT', path: '/rules/{id}' },
      { method: 'DELETE', path: '/rules/{id}' },
    ],
    grants: ['table:read', 'table:write'],
    memoryMb: 1024,
    timeoutSeconds: 30,
  },
  {
    name: 'Enrich',
    entry: 'functions/http/enrich.ts',
    description:
      "Merchant names and categories for arbitrary transactions (the caller's rules too), nothing stored",
    routes: [{ method: 'POST', path: '/transactions/enrich' }],
    grants: ['table:read'],
  },
  {
    name: 'SyncFanout',
    entry: 'functions/sync/fanout.ts',
    description: 'Every 15 minutes: one sync message per active connection',
    schedule: { rateMinutes: 15 },
    grants: ['table:read', 'queue:send'],
    timeoutSeconds: 60,
  },
  {
    name: 'SyncWorker',
    entry: 'functions/sync/worker.ts',
    description: 'Syncs one connection per message, under its lock',
    queue: { name: 'sync', batchSize: 5, maxConcurrency: 10, maxReceiveCount: 5 },
    grants: ['table:read', 'table:write', 'kms:encrypt', 'kms:decrypt', 'redis', 'webhooks:send'],
    memoryMb: 1024,
    timeoutSeconds: 120,
  },
  {
    name: 'Budgets',
    entry: 'functions/http/budgets.ts',
    description: "Budgets with the current period's spend, and the user's time zone setting",
    routes: [
      { method: 'POST', path: '/budgets' },
      { method: 'GET', path: '/budgets' },
      { method: 'GET', path: '/budgets/{id}' },
      { method: 'PUT', path: '/budgets/{id}' },
      { method: 'DELETE', path: '/budgets/{id}' },
      { method: 'GET', path: '/settings' },
      { method: 'PUT', path: '/settings' },
    ],
    grants: ['table:read', 'table:write'],
  },
  {
    name: 'Alerts',
    entry: 'functions/http/alerts.ts',
    description: 'Budget and anomaly alerts: GET /alerts?since=',
    routes: [{ method: 'GET', path: '/alerts' }],
    grants: ['table:read'],
  },
  {
    name: 'Analytics',
    entry: 'functions/http/analytics.ts',
    description: 'Spending series, category breakdown and anomalies, from the spending projection',
    routes: [
      { method: 'GET', path: '/analytics/spending' },
      { method: 'GET', path: '/analytics/categories' },
      { method: 'GET', path: '/analytics/anomalies' },
    ],
    grants: ['table:read'],
  },
  {
    name: 'Replay',
    entry: 'functions/ops/replay.ts',
    description:
      "Operator-invoked: replays users' transactions through the table stream so the processors rebuild projections",
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 900,
  },
  {
    name: 'Migrate',
    storage: 'postgres',
    entry: 'functions/ops/migrate.ts',
    description:
      'Deploy step: applies new database migrations, after the cluster is up and before the other functions update',
    runOnDeploy: true,
    grants: ['table:read', 'table:write'],
    timeoutSeconds: 300,
    // migrate.ts reads them from `migrations/` beside the bundle.
    bundleFiles: { migrations: ['shared/adapters/postgres/migrations/*.sql'] },
  },
  {
    // One consumer for both: DynamoDB Streams allows two readers per shard (the Categorizer is the other).
    name: 'InsightsProcessor',
    storage: 'dynamodb',
    entry: 'functions/stream/insights.ts',
    description:
      'Table stream: keeps the spending projection, raises budget threshold alerts, detects anomalies (with alerts)',
    stream: {
      filters: [
        { dynamodb: { NewImage: { entity: { S: ['transaction', 'budget'] } } } },
        { eventName: ['REMOVE'], dynamodb: { OldImage: { entity: { S: ['transaction'] } } } },
      ],
      batchSize: 500,
      retryAttempts: 3,
      bisectBatchOnError: true,
    },
    grants: ['table:read', 'table:write', 'bus:put', 'redis'],
    memoryMb: 1024,
    timeoutSeconds: 120,
  },
  {
    name: 'Categorizer',
    storage: 'dynamodb',
    entry: 'functions/stream/categorizer.ts',
    description:
      'Table stream: categorizes new and changed transactions (user rules first), and re-categorizes on request',
    stream: {
      filters: [
        {
          eventName: ['INSERT', 'MODIFY'],
          dynamodb: { NewImage: { entity: { S: ['transaction', 'recategorize'] } } },
        },
      ],
      batchSize: 100,
      retryAttempts: 3,
      bisectBatchOnError: true,
    },
    grants: ['table:read', 'table:write'],
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
  // ---- the Plaid-compatible surface (issue 15) ----
  plaidFunction(
    'PlaidInstitutions',
    'institutions',
    'Plaid: /institutions/get_by_id and /institutions/search',
    ['/institutions/get_by_id', '/institutions/search'],
  ),
  plaidFunction(
    'PlaidLink',
    'link',
    "Plaid: /link/token/create, /link/token/get, and finagg's hosted link pages",
    ['/link/token/create', '/link/token/get'],
    {
      routes: [
        { method: 'GET', path: '/plaid/link/hosted', auth: false },
        { method: 'GET', path: '/plaid/link/hosted/start', auth: false },
        { method: 'GET', path: '/plaid/link/hosted/callback', auth: false },
      ],
      grants: ['table:read', 'table:write', 'queue:send', 'kms:encrypt', 'kms:decrypt'],
      timeoutSeconds: 20,
    },
  ),
  plaidFunction(
    'PlaidItem',
    'item',
    'Plaid: public token exchange, /item/get, /item/remove, /item/webhook/update, /accounts/get, /accounts/balance/get',
    [
      '/item/public_token/exchange',
      '/item/get',
      '/item/remove',
      '/item/webhook/update',
      '/accounts/get',
      '/accounts/balance/get',
    ],
    { grants: ['table:read', 'table:write', 'kms:decrypt'], timeoutSeconds: 20 },
  ),
  plaidFunction(
    'PlaidSandbox',
    'sandbox',
    'Plaid sandbox: /sandbox/public_token/create (a browserless link at a mock bank), /sandbox/item/reset_login',
    ['/sandbox/public_token/create', '/sandbox/item/reset_login'],
    {
      grants: ['table:read', 'table:write', 'queue:send', 'kms:encrypt', 'kms:decrypt', 'webhooks:send'],
      timeoutSeconds: 30,
    },
  ),
  plaidFunction(
    'PlaidTransactions',
    'transactions',
    'Plaid: /transactions/sync, /get, /refresh, /enrich, /recurring/get and /categories/get',
    [
      '/transactions/sync',
      '/transactions/get',
      '/transactions/refresh',
      '/transactions/enrich',
      '/transactions/recurring/get',
      '/categories/get',
    ],
    { grants: ['table:read', 'queue:send'], timeoutSeconds: 20 },
  ),
  // The change feed in Postgres storage: the outbox (written in the same SQL transaction as each change) relayed
  // to one SQS FIFO queue per consumer (message group = user). The relay sends every change to every consumer's
  // queue; each consumer takes the changes its table-stream twin's filters take (shared/stream/consumers.ts) and
  // passes the others by. The local twin runs the same relay in-process (lib/local/outbox-feed.ts).
  {
    name: 'OutboxRelay',
    storage: 'postgres',
    entry: 'functions/stream/outbox-relay.ts',
    description:
      'Relays the outbox to the change queues in order per user; nudged after writes, and swept every minute',
    schedule: { rateMinutes: 1, fixed: true },
    nudgedByWriters: true,
    grants: ['table:read', 'table:write', 'changes:send'],
    timeoutSeconds: 60,
  },
  {
    name: 'InsightsFeed',
    storage: 'postgres',
    entry: 'functions/stream/insights-queue.ts',
    description:
      'Change queue: keeps the spending projection, raises budget threshold alerts, detects anomalies (with alerts)',
    changes: { batchSize: 10, maxReceiveCount: 5 },
    grants: ['table:read', 'table:write', 'bus:put', 'redis'],
    memoryMb: 1024,
    timeoutSeconds: 120,
  },
  {
    name: 'CategorizerFeed',
    storage: 'postgres',
    entry: 'functions/stream/categorizer-queue.ts',
    description:
      'Change queue: categorizes new and changed transactions (user rules first), and re-categorizes on request',
    changes: { batchSize: 10, maxReceiveCount: 5 },
    grants: ['table:read', 'table:write'],
    memoryMb: 1024,
    timeoutSeconds: 60,
  },
  {
    name: 'PlaidWebhookDelivery',
    entry: 'functions/plaid/webhooks-delivery.ts',
    description:
      "Delivers one Plaid webhook per message to its item's URL, signed (Plaid-Verification); retried with backoff",
    // A failed delivery is redelivered by the queue after an exponential backoff; the 8th failure dead-letters it.
    queue: {
      name: 'plaid-webhooks',
      batchSize: 10,
      maxConcurrency: 5,
      maxReceiveCount: DEFAULT_RETRY.maxAttempts,
    },
    grants: ['table:read', 'table:write', 'kms:encrypt', 'kms:decrypt'],
    timeoutSeconds: 30,
  },
  plaidFunction(
    'PlaidWebhooks',
    'webhooks',
    'Plaid: /webhook_verification_key/get, /sandbox/item/fire_webhook, and the delivery attempts of an item',
    ['/webhook_verification_key/get', '/sandbox/item/fire_webhook', '/item/webhook/attempts/get'],
    { grants: ['table:read', 'webhooks:send'] },
  ),
  mockBank('A', 'Acorn Bank'),
  mockBank('B', 'Birch & Co. Bank'),
  mockBank('C', 'Cedar Bank'),
];

/** Every concrete route (the `$default` catch-all excluded), for the 404/405 logic and the OpenAPI document. */
export function allRoutes(): (RouteSpec & { fn: string })[] {
  return catalogue.flatMap((f) =>
    (f.routes ?? []).filter((r) => r.path !== '$default').map((r) => ({ ...r, fn: f.name })),
  );
}

/** Turns an API Gateway path template into a matcher returning the path parameters. */
export function compilePath(template: string): (path: string) => Record<string, string> | null {
  const names: string[] = [];
  const source = template
    .split('/')
    .map((segment) => {
      const greedy = /^\{(\w+)\+\}$/.exec(segment);
      if (greedy) {
        names.push(greedy[1]!);
        return '(.+)';
      }
      const param = /^\{(\w+)\}$/.exec(segment);
      if (param) {
        names.push(param[1]!);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  const re = new RegExp(`^${source}/?$`);
  return (path) => {
    const m = re.exec(path);
    if (!m) return null;
    const params: Record<string, string> = {};
    names.forEach((n, i) => {
      params[n] = decodeURIComponent(m[i + 1]!);
    });
    return params;
  };
}

/** The entries deployed with a storage of that kind: those marked with it, and those marked with none. */
export function deployedWith(specs: readonly FunctionSpec[], kind: StorageKind): FunctionSpec[] {
  return specs.filter((s) => s.storage === undefined || s.storage === kind);
}
