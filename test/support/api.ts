/** A small HTTP client for the API as a mobile or web app would use it. */
export class Api {
  constructor(
    readonly baseUrl: string,
    private token?: string,
  ) {}

  withToken(token: string): Api {
    return new Api(this.baseUrl, token);
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
    return { status: res.status, body: parsed as T, headers: res.headers };
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
