import { randomBytes } from 'node:crypto';
import axios from 'axios';
import { Configuration, PlaidApi, type PlaidError } from 'plaid';
import { checkContract } from './api';
import { DEPLOYED_URL } from './e2e-target';
import { startTwinProcess, type TwinProcess } from './twin-process';

/**
 * The Plaid surface's e2e support: a twin whose sandbox application has credentials the test fixed
 * (FINAGG_SANDBOX_CLIENT_ID / FINAGG_SANDBOX_SECRET), and the OFFICIAL `plaid` client pointed at it exactly as an
 * app switching from Plaid's sandbox would be: `basePath` `<api>/plaid`, its credentials in the headers.
 */
export interface PlaidTwin {
  /** The twin this file started (absent against a deployment). */
  twin?: TwinProcess;
  url: string;
  clientId: string;
  secret: string;
  /** The official client with the sandbox application's credentials. */
  client: PlaidApi;
  /** The official client with other credentials. */
  clientWith(clientId: string, secret: string): PlaidApi;
  stop(): Promise<unknown>;
}

/**
 * The official client, on an axios of its own that checks every successful answer against the route's documented
 * status and response schema (test/support/api.ts `checkContract`, shared/http/plaid-responses.ts): a body that
 * breaks the contract fails the call.
 */
export function plaidClient(url: string, clientId: string, secret: string): PlaidApi {
  const http = axios.create();
  http.interceptors.response.use(async (response) => {
    const headers = new Headers();
    for (const [name, value] of Object.entries(response.headers)) {
      if (typeof value === 'string') headers.set(name, value);
    }
    await checkContract((response.config.method ?? 'get').toUpperCase(), response.config.url ?? '', {
      status: response.status,
      body: response.data,
      headers,
    });
    return response;
  });
  return new PlaidApi(
    new Configuration({
      basePath: `${url}/plaid`,
      baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } },
    }),
    undefined,
    http,
  );
}

/**
 * A twin started for this file with fixed sandbox credentials; or, against a deployment (E2E_BASE_URL), that
 * deployment with the application E2E_PLAID_CLIENT_ID / E2E_PLAID_SECRET (`npm run plaid:app -- create`).
 */
export async function startPlaidTwin(env: Record<string, string> = {}): Promise<PlaidTwin> {
  if (DEPLOYED_URL) {
    const { E2E_PLAID_CLIENT_ID: id, E2E_PLAID_SECRET: s } = process.env;
    if (!id || !s)
      throw new Error(
        'Against E2E_BASE_URL, set E2E_PLAID_CLIENT_ID and E2E_PLAID_SECRET (npm run plaid:app -- create).',
      );
    return {
      url: DEPLOYED_URL,
      clientId: id,
      secret: s,
      client: plaidClient(DEPLOYED_URL, id, s),
      clientWith: (cid, cs) => plaidClient(DEPLOYED_URL!, cid, cs),
      stop: async () => undefined,
    };
  }
  const clientId = randomBytes(12).toString('hex');
  const secret = randomBytes(32).toString('hex');
  const twin = await startTwinProcess({
    env: { FINAGG_SANDBOX_CLIENT_ID: clientId, FINAGG_SANDBOX_SECRET: secret, ...env },
  });
  return {
    twin,
    url: twin.url,
    clientId,
    secret,
    client: plaidClient(twin.url, clientId, secret),
    clientWith: (id, s) => plaidClient(twin.url, id, s),
    stop: () => twin.stop(),
  };
}

/** The Plaid error object and HTTP status a call failed with (the client throws an AxiosError). */
export async function plaidFailure(call: Promise<unknown>): Promise<{ status: number; error: PlaidError }> {
  try {
    await call;
  } catch (err) {
    // The client throws axios's error, with the answer in `response`.
    const response = (err as { response?: { status: number; data: unknown } }).response;
    if (response) return { status: response.status, error: response.data as PlaidError };
    throw err;
  }
  throw new Error('the call succeeded; a Plaid error was expected');
}
