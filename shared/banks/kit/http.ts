/**
 * The mock banks' own request/response shapes: plain data, independent of API Gateway, so a bank runs the same
 * behind a Lambda (kit/lambda.ts), in process (tests), or anywhere else.
 */
export interface BankRequest {
  method: string;
  /** The path below the bank's root, without a leading slash: `authorize`, `transactions`, `admin/clock`. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** The raw body text ('' when none). */
  body: string;
  /** Absolute URL of the bank's root as the caller reached it (`http://127.0.0.1:3000/mock-banks/bank_a`). */
  rootUrl: string;
}

export interface BankResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): BankResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) };
}

/** Token endpoint answers must not be cached (RFC 6749 §5.1). */
export function noStoreJson(
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): BankResponse {
  return jsonResponse(status, body, { ...NO_STORE, ...headers });
}

export function htmlResponse(
  status: number,
  body: string,
  headers: Record<string, string> = {},
): BankResponse {
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      ...NO_STORE,
      'x-frame-options': 'DENY',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
      'referrer-policy': 'no-referrer',
      ...headers,
    },
    body,
  };
}

export function redirectResponse(location: string): BankResponse {
  return { status: 302, headers: { location, ...NO_STORE }, body: '' };
}

/** Form fields of an application/x-www-form-urlencoded body; a repeated field is an error (RFC 6749 §3.1). */
export function parseForm(body: string): { fields: Record<string, string>; repeated: string | null } {
  const params = new URLSearchParams(body);
  const fields: Record<string, string> = {};
  let repeated: string | null = null;
  for (const [k, v] of params) {
    if (k in fields) repeated ??= k;
    fields[k] = v;
  }
  return { fields, repeated };
}

export function isForm(req: BankRequest): boolean {
  return /^application\/x-www-form-urlencoded\b/i.test(req.headers['content-type'] ?? '');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The path part of the root URL: where the consent form posts to. */
export function rootPath(req: BankRequest): string {
  return new URL(req.rootUrl).pathname.replace(/\/+$/, '');
}
