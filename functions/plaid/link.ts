import * as z from 'zod';
import { PlaidError } from '../../shared/domain/plaid/errors';
import { html, httpRoute } from '../../shared/http/handler';
import { HttpProblem } from '../../shared/http/problem';
import { plaidRoute } from '../../shared/http/plaid';
import { CountryCodes, HttpUrl, Products, Webhook } from '../../shared/http/plaid-schemas';
import { router } from '../../shared/http/router';
import { plaidDeps } from '../../shared/services/plaid/deps';
import {
  completeHostedLink,
  createLinkToken,
  getLinkToken,
  hostedInstitutions,
  hostedLinkToken,
  hostedStartPath,
  startHostedLink,
} from '../../shared/services/plaid/link';
import {
  hostedErrorPage,
  hostedLinkPage,
  hostedSuccessPage,
  redirectWithPublicToken,
} from '../../shared/services/plaid/link-pages';

const LinkToken = z.string().min(1).max(200);

const redirect = (location: string) => ({ statusCode: 302, headers: { location }, body: '' });

/** A page for a failure the user can read (a problem of ours, or the bank's), else the error goes on. */
function failurePage(err: unknown, title: string) {
  if (err instanceof HttpProblem) {
    return html(err.status, hostedErrorPage({ title, detail: err.message, error: 'LINK_FAILED' }));
  }
  if (err instanceof PlaidError) {
    return html(400, hostedErrorPage({ title, detail: err.message, error: 'LINK_FAILED' }));
  }
  throw err;
}

export const handler = router({
  'POST /plaid/link/token/create': plaidRoute(
    {
      summary: "Plaid: a link token, and the URL of finagg's hosted link page for it.",
      body: z.object({
        client_name: z.string().min(1).max(30),
        language: z.string().min(2).max(10),
        country_codes: CountryCodes.min(1),
        user: z.object({ client_user_id: z.string().min(1).max(128) }).loose(),
        products: Products.nullable().optional(),
        webhook: Webhook.optional(),
        redirect_uri: HttpUrl.optional(),
      }),
      example: {
        summary: 'A link token for one of your users',
        value: {
          client_name: 'My Budget App',
          language: 'en',
          country_codes: ['US'],
          user: { client_user_id: 'user-1234' },
          products: ['transactions'],
          webhook: 'https://app.example.com/plaid/webhook',
          redirect_uri: 'https://app.example.com/plaid/return',
        },
      },
      maxBodyBytes: 64 * 1024,
    },
    async ({ body, app }) => createLinkToken(plaidDeps(), app, body),
  ),
  'POST /plaid/link/token/get': plaidRoute(
    {
      summary: 'Plaid: a link token, and the public token its hosted link produced (link_sessions).',
      body: z.object({ link_token: LinkToken }),
      example: {
        summary: 'Read a link token',
        value: { link_token: 'link-sandbox-2f0b4a8e-6f7c-4d1e-9a3b-5c6d7e8f9a0b' },
      },
    },
    async ({ body, app }) => getLinkToken(plaidDeps(), app, body.link_token),
  ),
  /** The hosted link page: pick a bank. */
  'GET /plaid/link/hosted': httpRoute(
    {
      produces: 'text/html',
      summary: "finagg's hosted link page of a link token: pick a bank, consent at the bank (HTML).",
      auth: false,
      query: z.object({ token: LinkToken }),
    },
    async ({ query }) => {
      const deps = plaidDeps();
      try {
        const token = await hostedLinkToken(deps, query.token);
        return html(
          200,
          hostedLinkPage({
            token,
            institutions: hostedInstitutions(deps, token),
            startUrl: `${deps.publicBaseUrl.replace(/\/$/, '')}${hostedStartPath}`,
          }),
        );
      } catch (err) {
        return failurePage(err, 'This link cannot be used');
      }
    },
  ),
  /** The bank picked: on to the bank's consent page. */
  'GET /plaid/link/hosted/start': httpRoute(
    {
      produces: 'text/html',
      summary: "The hosted link page's bank choice: redirects (302) to the bank's consent page.",
      auth: false,
      query: z.object({ token: LinkToken, institution_id: z.string().min(1).max(100) }),
    },
    async ({ query }) => {
      try {
        return redirect(await startHostedLink(plaidDeps(), query.token, query.institution_id));
      } catch (err) {
        return failurePage(err, 'This link cannot be used');
      }
    },
  ),
  /** The bank's redirect back: the item is made, and its public token handed to the app. */
  'GET /plaid/link/hosted/callback': httpRoute(
    {
      produces: 'text/html',
      summary:
        "The bank's redirect back to the hosted link: hands the public token to the app (redirect or postMessage).",
      auth: false,
      query: z.object({
        state: z.string().min(1).max(512).optional(),
        code: z.string().min(1).max(2048).optional(),
        error: z.string().max(200).optional(),
        error_description: z.string().max(1000).optional(),
      }),
    },
    async ({ query }) => {
      if (query.error) {
        return html(
          400,
          hostedErrorPage({
            title: 'Linking was cancelled',
            detail: query.error_description ?? query.error,
            error: query.error === 'access_denied' ? 'USER_CANCELLED' : 'LINK_FAILED',
          }),
        );
      }
      if (!query.state || !query.code) {
        return html(
          400,
          hostedErrorPage({
            title: 'Linking failed',
            detail: 'The bank did not return a code and a state.',
            error: 'LINK_FAILED',
          }),
        );
      }
      try {
        const result = await completeHostedLink(plaidDeps(), { state: query.state, code: query.code });
        if (result.token.redirectUri) {
          return redirect(redirectWithPublicToken(result.token.redirectUri, result.publicToken));
        }
        return html(200, hostedSuccessPage(result));
      } catch (err) {
        return failurePage(err, 'Linking failed');
      }
    },
  ),
});
