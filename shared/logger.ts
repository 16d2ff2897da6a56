import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values never reach a log line, at any depth. */
const SECRET_KEY = /(token|authorization|password|secret|code_verifier|client_secret|cookie|^code$|refresh)/i;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-_.~+/]+=*/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export const REDACTED = '[REDACTED]';

/** JSON replacer used by the logger: drops secrets by key name and scrubs bearer tokens / JWTs out of strings. */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'object') {
    return REDACTED;
  }
  if (typeof value === 'string') return value.replace(BEARER, `$1${REDACTED}`).replace(JWT, REDACTED);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'finagg',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
  jsonReplacerFn: redactingReplacer,
});
