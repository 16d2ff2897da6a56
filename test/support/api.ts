import { z, type ZodType } from 'zod';
import { compilePath } from '../../lib/catalogue';
import { bySpecificity } from '../../lib/local/gateway';
import { collectOperations } from '../../lib/openapi';

interface DocumentedRoute {
  key: string;
  method: string;
  match: (path: string) => Record<string, string> | null;
  /** The status of a successful answer (the spec's, default 200). */
  status: number;
  /** Whether a successful answer is JSON with a body (not a page, not 204). */
  json: boolean;
  response: ZodType | undefined;
}

let documented: Promise<DocumentedRoute[]> | undefined;

/** The OpenAPI document's routes, most specific first (as the gateway picks them), with their response schemas. */
function documentedRoutes(): Promise<DocumentedRoute[]> {
  documented ??= collectOperations().then((operations) =>
    operations
      .sort((a, b) => bySpecificity(a.path, b.path))
      .map((op) => {
        const status = op.spec?.status ?? 200;
        return {
          key: `${op.method} ${op.path}`,
          method: op.method,
          match: compilePath(op.path),
          status,
          json: status !== 204 && (op.spec?.produces ?? 'application/json') === 'application/json',
          response: op.spec?.response,
        };
      }),
  );
  return documented;
}

/**
 * The contract check: a 2xx answer of a documented route has the route's documented status and, when the route
 * answers JSON, a body its response schema (shared/http/responses.ts, plaid-responses.ts) accepts. Throws naming
 * the route and what does not match. Requests to undocumented paths (`/dev/token`, the mock banks) and error
 * answers pass unchecked. The Plaid e2e tests' official client runs it on every answer (test/support/plaid.ts).
 */
export async function checkContract(
  method: string,
  url: string,
  answer: { status: number; body: unknown; headers: Headers },
): Promise<void> {
  if (answer.status < 200 || answer.status > 299) return;
  const path = new URL(url, 'http://localhost').pathname;
  const route = (await documentedRoutes()).find((r) => r.method === method && r.match(path) !== null);
  if (!route) return;
  const fail = (what: string) => {
    throw new Error(`${route.key} (${method} ${path}) broke its documented contract: ${what}`);
  };
  if (answer.status !== route.status) fail(`answered ${answer.status}, documented ${route.status}`);
  if (!route.json) return;
  if (!answer.headers.get('content-type')?.startsWith('application/json'))
    fail(`answered ${answer.headers.get('content-type')}, documented application/json`);
  if (!route.response) return fail('it answers JSON but declares no response schema');
  const parsed = route.response.safeParse(answer.body);
  if (!parsed.success) {
    fail(
      `the body does not match its response schema:\n${z.prettifyError(parsed.error)}\n` +
        `body: ${JSON.stringify(answer.body).slice(0, 2000)}`,
    );
  }
}

/**
 * A small HTTP client for the API as a mobile or web app would use it. Every successful answer of a documented
 * route is checked against the route's documented status and response schema (`checkContract`).
 */
export class Api {
  constructor(
    readonly baseUrl: string,
    private token?: string,
    /** Off for latency benchmarks: they time the API, not the schema check. */
    private readonly checked = true,
  ) {}

  withToken(token: string): Api {
    return new Api(this.baseUrl, token, this.checked);
  }

  /** The same client without the contract check (benchmarks). */
  unchecked(): Api {
    return new Api(this.baseUrl, this.token, false);
  }

  async call<T = Record<string, unknown>>(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: T; headers: Headers }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      redirect: 'manual',
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // not JSON (an HTML page): keep the text
    }
    const answer = { status: res.status, body: parsed as T, headers: res.headers };
    if (this.checked) await checkContract(method, path, answer);
    return answer;
  }

  get = <T = Record<string, unknown>>(path: string) => this.call<T>('GET', path);
  post = <T = Record<string, unknown>>(path: string, body?: unknown) =>
    this.call<T>('POST', path, body ?? {});
  delete = <T = Record<string, unknown>>(path: string) => this.call<T>('DELETE', path);
}

/** The hidden and visible inputs of the bank's consent form, and where it posts. */
export function parseConsentForm(
  html: string,
  pageUrl: string,
): { action: string; fields: Record<string, string> } {
  const form = /<form[^>]*action="([^"]+)"/i.exec(html);
  if (!form) throw new Error(`no form in the consent page:\n${html.slice(0, 500)}`);
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input[^>]*>/gi)) {
    const tag = m[0];
    const name = /name="([^"]*)"/.exec(tag)?.[1];
    const value = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
    if (name)
      fields[name] = value
        .replace(/&amp;/g, '&')
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'");
  }
  return { action: new URL(form[1]!.replace(/&amp;/g, '&'), pageUrl).toString(), fields };
}

/**
 * Goes through the bank's consent page as a person would: GET the authorize URL (an HTML form), submit it with
 * the credentials and a decision, and return the bank's answer (status, redirect location, page).
 */
export async function submitConsent(
  authorizeUrl: string,
  opts: { username?: string; password?: string; decision?: 'allow' | 'deny' } = {},
): Promise<{ status: number; location: string | null; html: string }> {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page answered ${page.status}`);
  const html = await page.text();
  const { action, fields } = parseConsentForm(html, authorizeUrl);
  const form = new URLSearchParams({
    ...fields,
    username: opts.username ?? 'user_good',
    password: opts.password ?? 'pass_good',
    decision: opts.decision ?? 'allow',
  });
  const res = await fetch(action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form.toString(),
    redirect: 'manual',
  });
  return { status: res.status, location: res.headers.get('location'), html: await res.text() };
}
