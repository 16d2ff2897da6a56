import { PlaidError } from '../../domain/plaid/errors';
import { initialUpdateWebhook } from './webhooks-observer';
import {
  base62Id,
  hashSecret,
  institutionId,
  newItemId,
  newLinkToken,
  newPublicToken,
  plaidUserId,
  providerOfInstitution,
} from '../../domain/plaid/ids';
import {
  LINK_TOKEN_TTL_SECONDS,
  PLAID_PRODUCTS,
  PUBLIC_TOKEN_TTL_SECONDS,
  type PlaidApplication,
  type PlaidItem,
  type PlaidLinkToken,
} from '../../domain/plaid/models';
import { plaidInstitution, type PlaidInstitution } from '../../domain/plaid/institutions';
import { badRequest } from '../../http/problem';
import { completeLink, startLink, type LinkProvider } from '../linking';
import type { PlaidDeps } from './deps';

/**
 * Linking on the Plaid surface: link tokens, finagg's hosted link page (the user picks a bank and consents at the
 * mock bank exactly as finagg's own /link does, then the page hands a public token to the app), the sandbox's
 * browserless link, and the public token exchange. An item is a finagg connection made by finagg's own linking
 * (services/linking.ts), which stores the bank's tokens encrypted and queues the first sync.
 */

/** Where the hosted link page lives (the link token in the query). */
export const hostedLinkPath = '/plaid/link/hosted';
export const hostedStartPath = '/plaid/link/hosted/start';
export const hostedCallbackPath = '/plaid/link/hosted/callback';

const base = (deps: PlaidDeps) => deps.publicBaseUrl.replace(/\/$/, '');
export const hostedLinkUrl = (deps: PlaidDeps, linkToken: string) =>
  `${base(deps)}${hostedLinkPath}?token=${encodeURIComponent(linkToken)}`;
const hostedCallbackUrl = (deps: PlaidDeps) => `${base(deps)}${hostedCallbackPath}`;

/** Products this surface serves; any other asked for is INVALID_PRODUCT. */
export function checkProducts(products: readonly string[] | null | undefined, field: string): string[] {
  const list = [...new Set(products ?? ['transactions'])];
  const unknown = list.filter((p) => !(PLAID_PRODUCTS as readonly string[]).includes(p));
  if (unknown.length) {
    throw new PlaidError(
      'INVALID_PRODUCT',
      `${field}: finagg serves only ${PLAID_PRODUCTS.join(', ')}; not ${unknown.join(', ')}`,
    );
  }
  return list.length ? list : ['transactions'];
}

/** A redirect URI the application may use: http(s), and one of its allowed ones when it lists any. */
function checkRedirectUri(app: PlaidApplication, uri: string | undefined): string | null {
  if (uri === undefined || uri === '') return null;
  if (app.allowedRedirectUris.length && !app.allowedRedirectUris.includes(uri)) {
    throw new PlaidError(
      'INVALID_FIELD',
      'redirect_uri must be one of the allowed redirect URIs of the application',
    );
  }
  return uri;
}

export interface LinkTokenInput {
  client_name: string;
  language: string;
  country_codes: string[];
  user: { client_user_id: string };
  products?: string[] | null;
  webhook?: string;
  redirect_uri?: string;
}

export async function createLinkToken(deps: PlaidDeps, app: PlaidApplication, input: LinkTokenInput) {
  const products = checkProducts(input.products, 'products');
  const now = deps.clock.now();
  const token: PlaidLinkToken = {
    linkToken: newLinkToken(),
    clientId: app.clientId,
    clientUserId: input.user.client_user_id,
    userId: plaidUserId(app.clientId, input.user.client_user_id),
    clientName: input.client_name,
    language: input.language,
    countryCodes: input.country_codes.map((c) => c.toUpperCase()),
    products,
    webhook: input.webhook || null,
    redirectUri: checkRedirectUri(app, input.redirect_uri),
    itemId: null,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + LINK_TOKEN_TTL_SECONDS * 1000).toISOString(),
    oauthState: null,
    publicToken: null,
    resultItemId: null,
  };
  await deps.store.putPlaidLinkToken(token);
  return {
    link_token: token.linkToken,
    expiration: token.expiresAt,
    hosted_link_url: hostedLinkUrl(deps, token.linkToken),
  };
}

const invalidLinkToken = () =>
  new PlaidError(
    'INVALID_LINK_TOKEN',
    'provided link token is in an invalid format, expired or does not exist',
  );

export async function getLinkToken(deps: PlaidDeps, app: PlaidApplication, linkToken: string) {
  const token = await deps.store.getPlaidLinkToken(linkToken, deps.clock.now());
  if (!token || token.clientId !== app.clientId) throw invalidLinkToken();
  const sessions = token.publicToken
    ? [
        {
          link_session_id: `hosted-${token.linkToken.slice(-12)}`,
          started_at: token.createdAt,
          finished_at: token.createdAt,
          on_success: {
            public_token: token.publicToken,
            metadata: {
              institution: null,
              accounts: [],
              link_session_id: `hosted-${token.linkToken.slice(-12)}`,
              transfer_status: null,
            },
          },
          results: {
            item_add_results: [
              { public_token: token.publicToken, item: null, institution: null, accounts: [] },
            ],
          },
        },
      ]
    : [];
  return {
    link_token: token.linkToken,
    created_at: token.createdAt,
    expiration: token.expiresAt,
    metadata: {
      initial_products: token.products,
      webhook: token.webhook,
      country_codes: token.countryCodes,
      language: token.language,
      redirect_uri: token.redirectUri,
      client_name: token.clientName,
    },
    link_sessions: sessions,
  };
}

/** The live link token of the hosted page; a 400 page when it is unknown or expired. */
export async function hostedLinkToken(deps: PlaidDeps, linkToken: string): Promise<PlaidLinkToken> {
  const token = await deps.store.getPlaidLinkToken(linkToken, deps.clock.now());
  if (!token)
    throw badRequest('This link has expired or does not exist. Go back to the app and start again.');
  return token;
}

/** The banks a link token may pick: those in its countries (as Plaid's Link offers), as institutions. */
export function hostedInstitutions(deps: PlaidDeps, token: PlaidLinkToken): PlaidInstitution[] {
  return deps.providers
    .map((p) => plaidInstitution(p))
    .filter((i) => i.country_codes.some((c) => token.countryCodes.includes(c)));
}

function providerOf(deps: PlaidDeps, institution: string): LinkProvider {
  const id = providerOfInstitution(institution);
  const provider = id ? deps.providers.find((p) => p.id === id) : undefined;
  if (!provider)
    throw new PlaidError('INVALID_INSTITUTION', `invalid institution_id provided: ${institution}`);
  return provider;
}

/** The hosted page's bank choice: the bank's authorize URL (finagg's own link start, for the token's user). */
export async function startHostedLink(
  deps: PlaidDeps,
  linkToken: string,
  institution: string,
): Promise<string> {
  const token = await hostedLinkToken(deps, linkToken);
  let provider: LinkProvider;
  try {
    provider = providerOf(deps, institution);
  } catch {
    throw badRequest('Choose one of the banks offered.');
  }
  const started = await startLink(deps, token.userId, {
    provider: provider.id,
    redirect_uri: hostedCallbackUrl(deps),
  });
  await deps.store.updatePlaidLinkToken(token.linkToken, { oauthState: started.state });
  return started.authorize_url;
}

export interface LinkResult {
  token: PlaidLinkToken;
  publicToken: string;
  item: PlaidItem;
  institution: { institution_id: string; name: string };
  accounts: { id: string; name: string; mask: string | null; type: string; subtype: string | null }[];
}

/**
 * The bank's redirect back to the hosted page: finishes finagg's link (connection, accounts, first sync queued),
 * makes the item and its public token, and records them on the link token. A second callback of the same state
 * (a reload) shows the same result.
 */
export async function completeHostedLink(
  deps: PlaidDeps,
  input: { state: string; code: string },
): Promise<LinkResult> {
  const token = await deps.store.getPlaidLinkTokenByState(input.state, deps.clock.now());
  if (!token)
    throw badRequest('This link has expired or does not exist. Go back to the app and start again.');
  if (token.publicToken && token.resultItemId) {
    const item = await deps.store.getPlaidItem(token.clientId, token.resultItemId);
    if (item) return resultOf(deps, token, token.publicToken, item, []);
  }
  const linked = await completeLink(deps, null, input);
  const { item, publicToken } = await createItem(deps, {
    clientId: token.clientId,
    clientUserId: token.clientUserId,
    userId: token.userId,
    connectionId: linked.connection.id,
    providerId: linked.connection.provider,
    products: token.products,
    webhook: token.webhook,
  });
  const updated = await deps.store.updatePlaidLinkToken(token.linkToken, {
    publicToken,
    resultItemId: item.itemId,
  });
  return resultOf(
    deps,
    updated,
    publicToken,
    item,
    linked.accounts.map((a) => ({ id: a.id, name: a.name, mask: a.mask, type: a.type, subtype: a.subtype })),
  );
}

function resultOf(
  deps: PlaidDeps,
  token: PlaidLinkToken,
  publicToken: string,
  item: PlaidItem,
  accounts: LinkResult['accounts'],
): LinkResult {
  const provider = deps.providers.find((p) => institutionId(p.id) === item.institutionId);
  return {
    token,
    publicToken,
    item,
    institution: { institution_id: item.institutionId, name: provider?.name ?? item.institutionId },
    accounts,
  };
}

/** A new item in front of a finagg connection, and the public token the app exchanges for its access token. */
export async function createItem(
  deps: PlaidDeps,
  input: {
    clientId: string;
    clientUserId: string;
    userId: string;
    connectionId: string;
    providerId: string;
    products: string[];
    webhook: string | null;
  },
): Promise<{ item: PlaidItem; publicToken: string }> {
  const now = deps.clock.now();
  const item: PlaidItem = {
    itemId: newItemId(),
    clientId: input.clientId,
    clientUserId: input.clientUserId,
    userId: input.userId,
    connectionId: input.connectionId,
    institutionId: institutionId(input.providerId),
    products: input.products,
    webhook: input.webhook,
    status: 'active',
    errorCode: null,
    accessTokenHash: null,
    createdAt: now.toISOString(),
    updatedAt: now.toISOString(),
  };
  await deps.store.putPlaidItem(item);
  const publicToken = newPublicToken();
  await deps.store.putPlaidPublicToken({
    tokenHash: hashSecret(publicToken),
    clientId: input.clientId,
    itemId: item.itemId,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + PUBLIC_TOKEN_TTL_SECONDS * 1000).toISOString(),
  });
  // A first sync that finished before the item existed: the item's webhook still hears of it.
  await initialUpdateWebhook(deps, item);
  return { item, publicToken };
}

/** The sandbox's default credentials at the mock banks (their consent page says so). */
export const SANDBOX_USERNAME = 'user_good';
export const SANDBOX_PASSWORD = 'pass_good';

export interface SandboxLinkInput {
  institution_id: string;
  initial_products: string[];
  options?: {
    webhook?: string;
    override_username?: string | null;
    override_password?: string | null;
  };
  user_id?: string;
}

/**
 * `/sandbox/public_token/create`: a link without a browser. finagg's own link starts for a new sandbox end user,
 * the mock bank's consent form is posted server-side with the sandbox credentials (or the overrides), and the
 * bank's redirect is completed as the hosted page would: the connection, its first sync, the item, a public token.
 */
export async function sandboxPublicToken(deps: PlaidDeps, app: PlaidApplication, input: SandboxLinkInput) {
  const provider = providerOf(deps, input.institution_id);
  const products = checkProducts(input.initial_products, 'initial_products');
  const clientUserId = `sandbox-${base62Id(16)}`;
  const userId = plaidUserId(app.clientId, clientUserId);
  const started = await startLink(deps, userId, {
    provider: provider.id,
    redirect_uri: hostedCallbackUrl(deps),
  });
  const code = await consentAtBank(started.authorize_url, {
    username: input.options?.override_username ?? SANDBOX_USERNAME,
    password: input.options?.override_password ?? SANDBOX_PASSWORD,
  });
  const linked = await completeLink(deps, null, { state: started.state, code });
  const { publicToken } = await createItem(deps, {
    clientId: app.clientId,
    clientUserId,
    userId,
    connectionId: linked.connection.id,
    providerId: provider.id,
    products,
    webhook: input.options?.webhook || null,
  });
  return { public_token: publicToken };
}

/** Posts the bank's consent form (Allow) with these credentials; the authorization code it redirects with. */
async function consentAtBank(
  authorizeUrl: string,
  credentials: { username: string; password: string },
): Promise<string> {
  const url = new URL(authorizeUrl);
  const form = new URLSearchParams(url.searchParams);
  form.set('username', credentials.username);
  form.set('password', credentials.password);
  form.set('decision', 'allow');
  let res: Response;
  try {
    res = await fetch(`${url.origin}${url.pathname}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new PlaidError('INSTITUTION_NOT_RESPONDING', 'the institution did not respond to the sign-in');
  }
  const text = await res.text();
  const location = res.headers.get('location');
  if (res.status === 401 || (res.status === 400 && /error/i.test(text) && !location)) {
    throw new PlaidError(
      'INVALID_CREDENTIALS',
      `the provided credentials were not correct${bankError(text)}`,
    );
  }
  if (!location || res.status < 300 || res.status >= 400) {
    throw new PlaidError(
      'INSTITUTION_NOT_RESPONDING',
      `the institution answered the sign-in with ${res.status}`,
    );
  }
  const back = new URL(location);
  const code = back.searchParams.get('code');
  if (!code) {
    const error = back.searchParams.get('error_description') ?? back.searchParams.get('error') ?? 'no code';
    throw new PlaidError('INVALID_CREDENTIALS', `the institution refused the link: ${error}`);
  }
  return code;
}

/** The bank's error line on its consent page (the scripted users' validation message), for the error message. */
function bankError(html: string): string {
  const m = /id="error">([^<]*)</.exec(html);
  return m
    ? `: ${m[1]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&amp;/g, '&')
        .trim()}`
    : '';
}
