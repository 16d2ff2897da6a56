import { randomBytes } from 'node:crypto';
import { Configuration, PlaidApi, type PlaidError } from 'plaid';
import { startTwinProcess, type TwinProcess } from './twin-process';

/**
 * The Plaid surface's e2e support: a twin whose sandbox application has credentials the test fixed
 * (FINAGG_SANDBOX_CLIENT_ID / FINAGG_SANDBOX_SECRET), and the OFFICIAL `plaid` client pointed at it exactly as an
 * app switching from Plaid's sandbox would be: `basePath` `<api>/plaid`, its credentials in the headers.
 */
export interface PlaidTwin {
  twin: TwinProcess;
  url: string;
  clientId: string;
  secret: string;
  /** The official client with the sandbox application's credentials. */
  client: PlaidApi;
  /** The official client with other credentials. */
  clientWith(clientId: string, secret: string): PlaidApi;
}

export function plaidClient(url: string, clientId: string, secret: string): PlaidApi {
  return new PlaidApi(
    new Configuration({
      basePath: `${url}/plaid`,
      baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } },
    }),
  );
}

export async function startPlaidTwin(env: Record<string, string> = {}): Promise<PlaidTwin> {
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
