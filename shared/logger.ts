import { Logger } from '@aws-lambda-powertools/logger';

/** Keys whose values never reach a log line, at any depth. */
const SECRET_KEY = /(token|authorization|password|secret|code_verifier|client_secret|cookie|^code$|refresh)/i;
const BEARER = /(Bearer\s+)[A-Za-z0-9\-_.~+/]+=*/g;
const JWT = /\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;

export const REDACTED = '[REDACTED]';

/** The longest string and array a log line carries: request values are never logged whole. */
export const MAX_LOGGED_STRING = 2048;
export const MAX_LOGGED_ITEMS = 50;

function bounded(value: string): string {
  return value.length > MAX_LOGGED_STRING
    ? `${value.slice(0, MAX_LOGGED_STRING)}…[${value.length - MAX_LOGGED_STRING} more characters]`
    : value;
}

/**
 * JSON replacer used by the logger: drops secrets by key name, scrubs bearer tokens / JWTs out of strings, and
 * bounds what one value can add to a line (strings cut at MAX_LOGGED_STRING characters, arrays at
 * MAX_LOGGED_ITEMS items), so a client's oversized value never becomes a megabyte log line.
 */
export function redactingReplacer(key: string, value: unknown): unknown {
  if (key && SECRET_KEY.test(key) && value !== null && value !== undefined && typeof value !== 'object') {
    return REDACTED;
  }
  if (typeof value === 'string')
    return bounded(value.replace(BEARER, `$1${REDACTED}`).replace(JWT, REDACTED));
  if (Array.isArray(value) && value.length > MAX_LOGGED_ITEMS) {
    return [...value.slice(0, MAX_LOGGED_ITEMS), `…[${value.length - MAX_LOGGED_ITEMS} more items]`];
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export const logger = new Logger({
  serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'finagg',
  logLevel: (process.env.LOG_LEVEL ?? (process.env.VITEST ? 'SILENT' : 'INFO')) as 'INFO',
  jsonReplacerFn: redactingReplacer,
});
