import * as z from 'zod';
import type { ZodType } from 'zod';
import type { AnomalyKind } from '../domain/anomalies';
import { CONFIDENCE_LEVELS } from '../domain/categorizer/confidence';
import type { RuleMatch } from '../domain/categorizer/user-rules';
import { CORRECTABLE_FIELDS } from '../domain/corrections';
import type {
  BankAccount,
  ConnectionStatus,
  QuarantinedRecord,
  SyncRun,
  TxnCategory,
  TxnEventKind,
} from '../domain/models';
import { AlertKindSchema } from '../domain/alerts';
import { IsoDate } from './schemas';

/**
 * The success response bodies of the JSON routes (../shared/API.md), as the handlers and their view functions
 * build them: documentation for the OpenAPI document and the contract the e2e tests check every answer against
 * (test/support/api.ts). Handlers do not validate their output at runtime, and no Lambda bundles this module
 * (`RESPONSES` below). The enums written out here are checked against the domain's unions at compile time.
 */

/** A zod enum of exactly the members of the domain's union `U`: a missing or unknown member is a type error. */
function enumOf<U extends string>() {
  return <const L extends readonly [U, ...U[]]>(values: L & ([U] extends [L[number]] ? unknown : never)) =>
    z.enum(values);
}

const Id = z.string().min(1);
/** An instant, RFC 3339 UTC. */
const Instant = z.iso.datetime().describe('RFC 3339 UTC instant');
const Currency = z
  .string()
  .regex(/^[A-Z]{3}$/)
  .describe('ISO 4217 currency code');
/** A decimal string in a currency's units ("-12.34"); negative is money out of the account. */
const Decimal = z
  .string()
  .regex(/^-?\d+(\.\d+)?$/)
  .describe('Decimal string; negative is money out of the account');
const NextCursor = z
  .string()
  .min(1)
  .nullable()
  .describe('Opaque cursor of the next page; null on the last page');

/** `{"<items>": [...], "next_cursor": "..." | null}`: one page of a list. */
function pageOf<K extends string, T extends ZodType>(key: K, item: T) {
  return z.strictObject({ [key]: z.array(item), next_cursor: NextCursor } as {
    [P in K]: z.ZodArray<T>;
  } & { next_cursor: typeof NextCursor });
}

// ---------------------------------------------------------------------------------------------------------------
// Accounts (shared/domain/accounts.ts `accountView`)

const AccountTypeEnum = enumOf<BankAccount['type']>()([
  'depository',
  'credit',
  'loan',
  'investment',
  'other',
]);

const AccountJson = z.strictObject({
  id: Id,
  connection_id: Id,
  provider: Id,
  name: z.string(),
  mask: z.string().nullable(),
  type: AccountTypeEnum,
  subtype: z.string().nullable(),
  currency: Currency,
  balance: z.strictObject({
    current: Decimal.nullable(),
    available: Decimal.nullable(),
  }),
  updated_at: Instant,
});

const AccountList = z.strictObject({ accounts: z.array(AccountJson) });

// ---------------------------------------------------------------------------------------------------------------
// Transactions (shared/domain/transactions.ts `transactionView`, shared/services/transactions.ts)

const CategorySourceEnum = enumOf<TxnCategory['source']>()(['user', 'user_rule', 'rules', 'provider']);

/** A category with where it came from: `rule_id` names the user rule or the built-in rule that gave it. */
const CategoryJson = z.strictObject({
  primary: z.string(),
  detailed: z.string().nullable(),
  source: CategorySourceEnum,
  confidence: z.number().min(0).max(1),
  confidence_level: z
    .enum(CONFIDENCE_LEVELS)
    .describe(
      "Plaid's confidence level: VERY_HIGH >= 0.95, HIGH >= 0.85, MEDIUM >= 0.7, LOW > 0, else UNKNOWN",
    ),
  rule_id: z.string().nullable(),
});

/** A bank change to a field the user corrected (shared/domain/corrections.ts `conflictsOf`). */
const ConflictJson = z.strictObject({
  field: z.enum(CORRECTABLE_FIELDS),
  user_value: z.string().nullable(),
  bank_value: z.string().nullable(),
  bank_value_at_correction: z.string().nullable(),
});

/** T in API.md: the provider's values with the user's corrections laid over them. */
const TransactionJson = z.strictObject({
  id: Id,
  account_id: Id,
  date: IsoDate,
  amount: Decimal,
  currency: Currency,
  description: z.string(),
  merchant_name: z.string().nullable(),
  mcc: z
    .string()
    .nullable()
    .describe("The card network's merchant category code (4 digits), where the bank sends one"),
  category: CategoryJson.nullable().describe('Null while uncategorized'),
  status: z.enum(['pending', 'posted']),
  reconciled: z.boolean().describe('The user corrected a field or set the category'),
  conflicts: z
    .array(ConflictJson)
    .describe("Bank changes to fields the user corrected, awaiting the user's word"),
  created_at: Instant,
  updated_at: Instant,
});

const TransactionList = pageOf('transactions', TransactionJson);

const EventKindEnum = enumOf<TxnEventKind>()([
  'created',
  'amount_changed',
  'description_changed',
  'status_changed',
  'date_changed',
  'merchant_changed',
  'removed',
  'restored',
  'merged',
  'categorized',
  'corrected',
  'correction_reverted',
  'conflict_resolved',
]);

/** What an event changed: field → value (amounts as decimal strings, categories as objects). */
const Change = z.record(z.string(), z.unknown()).nullable();

/** `GET /transactions/{id}`: T plus the provider's values and the immutable history. */
const TransactionDetail = TransactionJson.extend({
  provider: Id,
  connection_id: Id,
  original: z
    .strictObject({
      status: z.enum(['pending', 'posted']),
      date: IsoDate,
      occurred_at: Instant.nullable(),
      amount: Decimal,
      currency: Currency,
      description: z.string(),
      merchant_name: z.string().nullable(),
    })
    .describe("The provider's normalized values, never edited by users"),
  history: z.array(
    z.strictObject({
      seq: z.int().min(1),
      at: Instant,
      actor: z.string().describe('`sync:<run id>`, `user:<id>` or `rule:<id>`'),
      kind: EventKindEnum,
      before: Change,
      after: Change,
      note: z.string().nullable(),
    }),
  ),
});

/** `GET /transactions/sync`: the Plaid-style change feed. */
const TransactionChanges = z.strictObject({
  added: z.array(TransactionJson),
  modified: z.array(TransactionJson),
  removed: z.array(z.strictObject({ id: Id })),
  next_cursor: z.string().describe('Where the next call starts; empty while the feed is empty'),
  has_more: z.boolean(),
});

// ---------------------------------------------------------------------------------------------------------------
// Rules (shared/services/corrections.ts `ruleView`, shared/services/user-rules.ts)

const Text = z.string().min(1);
const RULE_MATCHERS = {
  merchant: Text.optional(),
  description_contains: Text.optional(),
  description_regex: Text.optional(),
  min_amount: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  max_amount: z
    .string()
    .regex(/^\d+(\.\d+)?$/)
    .optional(),
  account_id: Text.optional(),
} satisfies { [K in keyof RuleMatch]-?: ZodType };

const RuleJson = z.strictObject({
  id: Id,
  match: z.strictObject(RULE_MATCHERS),
  category: z.strictObject({ primary: z.string(), detailed: z.string().nullable() }),
  priority: z.int(),
  created_at: Instant,
  updated_at: Instant,
});

const RuleList = pageOf('rules', RuleJson);

/** `POST /rules`, `PUT /rules/{id}`: the rule, and how the user's transactions were re-categorized. */
const RuleChanged = RuleJson.extend({
  recategorized: z.int().min(0).describe('Transactions whose category changed within the request'),
  recategorization: z
    .enum(['done', 'queued'])
    .describe('`queued`: the Categorizer goes over the rest of the transactions'),
});

/** `POST /transactions/{id}/reconcile`: T, plus the rule it made (or updated) with `create_rule`. */
const CorrectedTransaction = z.union([
  TransactionJson,
  TransactionJson.extend({
    rule: RuleJson,
    recategorized: z.int().min(0).describe("The user's other transactions the rule re-categorized"),
  }),
]);

/** `GET /transactions/{id}/audit`: every change, oldest first, with why. */
const TransactionAudit = z.strictObject({
  transaction_id: Id,
  entries: z.array(
    z.strictObject({
      seq: z.int().min(1),
      at: Instant,
      actor: z.string(),
      action: EventKindEnum,
      before: Change,
      after: Change,
      note: z.string().nullable(),
    }),
  ),
});

/** `POST /transactions/enrich` (shared/services/user-rules.ts `enrichTransactions`). */
const Enriched = z.strictObject({
  enriched: z.array(
    z.strictObject({
      id: Id,
      merchant_name: z.string().nullable(),
      category: CategoryJson.extend({ source: z.enum(['user_rule', 'rules']) })
        .nullable()
        .describe('Null where the engine abstains'),
    }),
  ),
});

// ---------------------------------------------------------------------------------------------------------------
// Budgets and settings (shared/domain/budgets.ts `budgetViewFor`)

/** B in API.md, for the period that contains now in the user's time zone. */
const BudgetJson = z.strictObject({
  id: Id,
  category: z.string(),
  period: z.enum(['weekly', 'monthly']),
  limit: Decimal,
  currency: Currency,
  thresholds: z.array(z.number().gt(0).max(2)),
  spent: Decimal,
  remaining: Decimal.describe('Negative once the budget is exceeded'),
  period_start: IsoDate,
  period_end: IsoDate,
});

const BudgetList = pageOf('budgets', BudgetJson);

const Settings = z.strictObject({
  time_zone: z.string().describe('IANA time zone'),
  updated_at: Instant.nullable().describe('Null until the user sets a time zone'),
});

// ---------------------------------------------------------------------------------------------------------------
// Alerts and analytics (shared/services/alerts.ts, shared/services/analytics.ts)

const AlertJson = z.strictObject({
  id: Id,
  kind: AlertKindSchema,
  budget_id: Id.optional(),
  transaction_id: Id.optional(),
  message: z.string(),
  created_at: Instant,
});

const AlertList = pageOf('alerts', AlertJson);

const Range = { from: IsoDate, to: IsoDate };

const SpendingSeries = z.strictObject({
  ...Range,
  granularity: z.enum(['day', 'week', 'month']),
  series: z.array(
    z.strictObject({ period_start: IsoDate, spent: Decimal, income: Decimal, currency: Currency }),
  ),
});

const CategoryBreakdown = z.strictObject({
  ...Range,
  currency: Currency.nullable().describe('Null when nothing was spent'),
  categories: z.array(
    z.strictObject({
      primary: z.string(),
      spent: Decimal,
      count: z.int().min(0),
      share: z.number().min(0).max(1),
    }),
  ),
  other_currencies: z
    .record(Currency, z.int().min(1))
    .describe('Spending transactions in other currencies, left out: count per currency'),
});

const AnomalyKindEnum = enumOf<AnomalyKind>()([
  'amount_outlier',
  'new_merchant',
  'spend_spike',
  'duplicate_charge',
]);

const AnomalyList = z.strictObject({
  ...Range,
  anomalies: z.array(
    z.strictObject({
      id: Id,
      transaction_id: Id,
      kind: AnomalyKindEnum,
      score: z.number(),
      explanation: z.string(),
      detected_at: Instant,
      date: IsoDate,
    }),
  ),
});

// ---------------------------------------------------------------------------------------------------------------
// Linking and connections (shared/services/linking.ts)

const ConnectionStatusEnum = enumOf<ConnectionStatus>()(['active', 'login_required', 'revoked']);
const SyncStatusEnum = enumOf<SyncRun['status']>()([
  'running',
  'succeeded',
  'failed',
  'skipped_locked',
  'login_required',
]);

const ConnectionJson = z.strictObject({
  id: Id,
  provider: Id,
  status: ConnectionStatusEnum,
  status_reason: z.string().nullable(),
  created_at: Instant,
  updated_at: Instant,
  last_sync_at: Instant.nullable(),
  last_sync_status: SyncStatusEnum.nullable(),
});

const ConnectionList = pageOf('connections', ConnectionJson);

const SyncQueued = z.strictObject({ sync_id: z.uuid() });

const SyncRunJson = z.strictObject({
  id: z.string().min(1),
  reason: enumOf<SyncRun['reason']>()(['link', 'schedule', 'manual']),
  status: SyncStatusEnum,
  started_at: Instant,
  finished_at: Instant.nullable(),
  pages: z.number().int().nonnegative(),
  listed: z
    .number()
    .int()
    .nonnegative()
    .nullable()
    .describe(
      "The transaction records the bank's listing returned: the whole history for a full sync, the change for a " +
        'windowed one (null on syncs recorded before it was counted)',
    ),
  added: z.number().int().nonnegative(),
  modified: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  merged: z.number().int().nonnegative(),
  quarantined: z.number().int().nonnegative(),
  errors: z.array(z.string()),
});

const SyncRunList = pageOf('syncs', SyncRunJson);

const QuarantinedList = z.strictObject({
  records: z.array(
    z.strictObject({
      kind: enumOf<QuarantinedRecord['kind']>()(['account', 'transaction']),
      reason: z.string(),
      raw: z.unknown().describe("The bank's record as it arrived"),
      at: Instant,
    }),
  ),
});

const ProviderList = z.strictObject({
  providers: z.array(z.strictObject({ id: Id, name: z.string() })),
});

const LinkStarted = z.strictObject({
  link_id: z.uuid(),
  authorize_url: z.url(),
  state: z.string().min(1),
  expires_at: Instant,
});

const LinkCompleted = z.strictObject({
  connection: z.strictObject({ id: Id, provider: Id, status: ConnectionStatusEnum }),
  accounts: z.array(AccountJson),
});

// ---------------------------------------------------------------------------------------------------------------
// Routes whose Lambdas do not bundle zod

const JsonSchemaObject = z.record(z.string(), z.unknown());

/** The shape of the document `GET /openapi.json` serves (shared/http/openapi.ts `OpenApiDocument`). */
const OpenApiDocumentJson = z
  .strictObject({
    openapi: z.literal('3.1.0'),
    info: z.strictObject({ title: z.string(), version: z.string(), description: z.string() }),
    servers: z.array(z.strictObject({ url: z.string(), description: z.string() })),
    security: z.array(z.record(z.string(), z.array(z.string()))),
    tags: z.array(z.strictObject({ name: z.string() })),
    paths: z.record(
      z.string(),
      z.record(
        z.string(),
        z.strictObject({
          operationId: z.string(),
          summary: z.string(),
          tags: z.array(z.string()),
          security: z.array(z.record(z.string(), z.array(z.string()))).optional(),
          parameters: z.array(JsonSchemaObject).optional(),
          requestBody: JsonSchemaObject.optional(),
          responses: z.record(z.string(), JsonSchemaObject),
        }),
      ),
    ),
    components: z.strictObject({
      securitySchemes: z.record(z.string(), JsonSchemaObject),
      schemas: z.record(z.string(), JsonSchemaObject),
    }),
  })
  .describe('An OpenAPI 3.1 document');

/**
 * The success response body of every JSON route of the finagg API, by route key (`METHOD /path`, as in
 * lib/catalogue.ts). The OpenAPI generator (lib/openapi.ts `collectOperations`) and the e2e tests' contract check
 * read them from here; no Lambda imports this module: building these ~100 schemas costs a cold start ~25 ms of
 * CPU (zod constructs every schema eagerly), for a contract the handlers do not check at runtime. Routes that answer
 * 204 or a page (the link pages) have none; the OpenAPI test fails for a JSON route missing here.
 */
export const RESPONSES: Readonly<Record<string, ZodType>> = {
  'GET /health': z.strictObject({ status: z.literal('ok') }),
  'GET /me': z.strictObject({ user_id: Id.describe("The verified token's `sub`") }),
  'GET /openapi.json': OpenApiDocumentJson,
  'GET /providers': ProviderList,
  'POST /auth/link-bank': LinkStarted,
  'POST /auth/callback': LinkCompleted,
  'GET /connections': ConnectionList,
  'GET /connections/{id}': ConnectionJson,
  'DELETE /connections/{id}': ConnectionJson,
  'POST /connections/{id}/sync': SyncQueued,
  'GET /connections/{id}/syncs': SyncRunList,
  'GET /connections/{id}/syncs/{sync_id}/quarantined': QuarantinedList,
  'GET /accounts': AccountList,
  'GET /accounts/{id}': AccountJson,
  'GET /transactions': TransactionList,
  'GET /transactions/sync': TransactionChanges,
  'GET /transactions/{id}': TransactionDetail,
  'POST /transactions/{id}/reconcile': CorrectedTransaction,
  'DELETE /transactions/{id}/reconcile': TransactionJson,
  'GET /transactions/{id}/audit': TransactionAudit,
  'POST /transactions/enrich': Enriched,
  'GET /rules': RuleList,
  'POST /rules': RuleChanged,
  'PUT /rules/{id}': RuleChanged,
  'POST /budgets': BudgetJson,
  'GET /budgets': BudgetList,
  'GET /budgets/{id}': BudgetJson,
  'PUT /budgets/{id}': BudgetJson,
  'GET /settings': Settings,
  'PUT /settings': Settings,
  'GET /alerts': AlertList,
  'GET /analytics/spending': SpendingSeries,
  'GET /analytics/categories': CategoryBreakdown,
  'GET /analytics/anomalies': AnomalyList,
};
