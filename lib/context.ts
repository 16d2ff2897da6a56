import type { Construct } from 'constructs';

/**
 * The deploy-time settings of a FinaggStack: each comes from the stack's props, else from the CDK context
 * (`cdk deploy -c stage=prod -c retainData=false ...`), else from its default. Parsed here, once, so that a
 * mistyped value fails synthesis with its name instead of deploying something else.
 */
export interface StackSettings {
  /** STAGE of the functions and the API's name (context `stage`, default `dev`). */
  stage: string;
  /** Keep stateful resources when the stack is deleted (context `retainData`, default true). */
  retainData: boolean;
  /** Cognito Plus feature plan with threat protection enforced (context `cognitoPlus`, default false). */
  cognitoPlus: boolean;
  /** CORS origins (context `corsAllowOrigins`, comma-separated, default `*`: bearer tokens, no cookies). */
  corsAllowOrigins: string[];
  /** Overrides every schedule's rate when set (context `syncRateMinutes`, default: the catalogue's). */
  syncRateMinutes: number | undefined;
  /** LOG_LEVEL of the functions (context `logLevel`, default INFO). */
  logLevel: string;
  /**
   * Where the data lives (context `storage`, default `dynamodb`): `dynamodb` (one on-demand table, its stream feeds
   * the processors) or `aurora` (Aurora Serverless v2 PostgreSQL through the RDS Data API; a transactional outbox,
   * relayed to SQS FIFO queues, feeds the processors). See the README's "Storage modes".
   */
  storage: StorageMode;
  /** Aurora Serverless v2 capacity range in ACUs (contexts `auroraMinCapacity`, default 0.5; `auroraMaxCapacity`, default 4). */
  auroraMinCapacity: number;
  auroraMaxCapacity: number;
}

export const STORAGE_MODES = ['dynamodb', 'aurora'] as const;
export type StorageMode = (typeof STORAGE_MODES)[number];

/** Props win over context, context over defaults. */
export function stackSettings(scope: Construct, props: Partial<StackSettings> = {}): StackSettings {
  return {
    stage: props.stage ?? stringContext(scope, 'stage') ?? 'dev',
    retainData: props.retainData ?? booleanContext(scope, 'retainData') ?? true,
    cognitoPlus: props.cognitoPlus ?? booleanContext(scope, 'cognitoPlus') ?? false,
    corsAllowOrigins: props.corsAllowOrigins ?? listContext(scope, 'corsAllowOrigins') ?? ['*'],
    syncRateMinutes: props.syncRateMinutes ?? numberContext(scope, 'syncRateMinutes'),
    logLevel: props.logLevel ?? stringContext(scope, 'logLevel') ?? 'INFO',
    storage: props.storage ?? storageContext(scope) ?? 'dynamodb',
    ...auroraCapacity(scope, props),
  };
}

function storageContext(scope: Construct): StorageMode | undefined {
  const value = stringContext(scope, 'storage');
  if (value === undefined) return undefined;
  const mode = STORAGE_MODES.find((m) => m === value);
  if (!mode) throw new Error(`Context storage must be one of ${STORAGE_MODES.join(', ')}, got ${value}`);
  return mode;
}

/**
 * Aurora Serverless v2 scales in steps of 0.5 ACU from 0 (which pauses the instance when idle) to 256. The minimum
 * defaults to 0.5, not 0: the outbox relay's one-minute sweep would resume a paused instance every minute anyway.
 */
function auroraCapacity(
  scope: Construct,
  props: Partial<StackSettings>,
): Pick<StackSettings, 'auroraMinCapacity' | 'auroraMaxCapacity'> {
  const min = props.auroraMinCapacity ?? acuContext(scope, 'auroraMinCapacity') ?? 0.5;
  const max = props.auroraMaxCapacity ?? acuContext(scope, 'auroraMaxCapacity') ?? Math.max(4, min);
  if (max < min || max < 1) {
    throw new Error(`Context auroraMaxCapacity (${max}) must be >= 1 and >= auroraMinCapacity (${min})`);
  }
  return { auroraMinCapacity: min, auroraMaxCapacity: max };
}

function acuContext(scope: Construct, key: string): number | undefined {
  const value = stringContext(scope, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(n >= 0 && n <= 256 && Number.isInteger(n * 2))) {
    throw new Error(`Context ${key} must be a multiple of 0.5 between 0 and 256 (ACUs), got ${value}`);
  }
  return n;
}

export function stringContext(scope: Construct, key: string): string | undefined {
  const value: unknown = scope.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
}

export function booleanContext(scope: Construct, key: string): boolean | undefined {
  const value = stringContext(scope, key);
  if (value === undefined) return undefined;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new Error(`Context ${key} must be true or false, got ${value}`);
}

export function numberContext(scope: Construct, key: string): number | undefined {
  const value = stringContext(scope, key);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`Context ${key} must be a whole number >= 1, got ${value}`);
  return n;
}

export function listContext(scope: Construct, key: string): string[] | undefined {
  const value = stringContext(scope, key);
  return value
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}
