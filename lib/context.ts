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
}

/** Props win over context, context over defaults. */
export function stackSettings(scope: Construct, props: Partial<StackSettings> = {}): StackSettings {
  return {
    stage: props.stage ?? stringContext(scope, 'stage') ?? 'dev',
    retainData: props.retainData ?? booleanContext(scope, 'retainData') ?? true,
    cognitoPlus: props.cognitoPlus ?? booleanContext(scope, 'cognitoPlus') ?? false,
    corsAllowOrigins: props.corsAllowOrigins ?? listContext(scope, 'corsAllowOrigins') ?? ['*'],
    syncRateMinutes: props.syncRateMinutes ?? numberContext(scope, 'syncRateMinutes'),
    logLevel: props.logLevel ?? stringContext(scope, 'logLevel') ?? 'INFO',
  };
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
