import * as z from 'zod';
import { html, httpRoute, json } from '../../shared/http/handler';
import { HttpProblem } from '../../shared/http/problem';
import { router } from '../../shared/http/router';
import { completeLink, startLink } from '../../shared/services/linking';
import { linkingDeps } from '../../shared/services/providers';
import { callbackPage, linkPage } from '../../shared/services/link-pages';

// Each check stops the chain when it fails (`abort`): the fragment check parses only a URL the first check accepted.
const RedirectUri = z
  .url({ protocol: /^https?$/, message: 'must be an absolute http(s) URL', abort: true })
  .max(2048, { message: 'must be at most 2,048 characters', abort: true })
  .refine((u) => !new URL(u).hash, 'must not contain a fragment');

const LinkBody = z
  .object({
    provider: z.string().min(1).max(64),
    redirect_uri: RedirectUri.optional(),
  })
  .strict();

const CallbackBody = z
  .object({ state: z.string().min(1).max(512), code: z.string().min(1).max(2048) })
  .strict();

const CallbackQuery = z.object({
  state: z.string().min(1).max(512).optional(),
  code: z.string().min(1).max(2048).optional(),
  error: z.string().max(200).optional(),
  error_description: z.string().max(1000).optional(),
});

export const handler = router({
  'POST /auth/link-bank': httpRoute(
    {
      summary: "Start linking a bank: returns the bank's authorize URL and the state.",
      status: 201,
      body: LinkBody,
      maxBodyBytes: 16 * 1024,
    },
    async ({ userId, body }) => json(201, await startLink(linkingDeps(), userId, body)),
  ),
  'POST /auth/callback': httpRoute(
    {
      summary: 'Finish linking with the code and state the bank redirected back with.',
      status: 201,
      body: CallbackBody,
      maxBodyBytes: 16 * 1024,
    },
    async ({ userId, body }) => json(201, await completeLink(linkingDeps(), userId, body)),
  ),
  /** A small page to link a bank from a browser against this API (the local twin issues its token). */
  'GET /link': httpRoute(
    {
      produces: 'text/html',
      summary: 'A small HTML page that starts linking a bank (for demos and the local twin).',
      auth: false,
    },
    async ({ event }) => html(200, linkPage(event)),
  ),
  /** The default redirect_uri: finishes the link server-side (the single-use state names the user). */
  'GET /link/callback': httpRoute(
    {
      produces: 'text/html',
      summary: "The default redirect target after the bank's consent page: finishes linking (HTML).",
      auth: false,
      query: CallbackQuery,
    },
    async ({ query }) => {
      if (query.error) {
        return html(
          400,
          callbackPage({
            ok: false,
            title: 'Linking was cancelled',
            detail: query.error_description ?? query.error,
          }),
        );
      }
      if (!query.state || !query.code) {
        return html(
          400,
          callbackPage({
            ok: false,
            title: 'Linking failed',
            detail: 'The bank did not return a code and a state.',
          }),
        );
      }
      try {
        const result = await completeLink(linkingDeps(), null, { state: query.state, code: query.code });
        return html(200, callbackPage({ ok: true, title: 'Bank linked', detail: '', result }));
      } catch (err) {
        if (err instanceof HttpProblem) {
          return html(err.status, callbackPage({ ok: false, title: 'Linking failed', detail: err.message }));
        }
        throw err;
      }
    },
  ),
});
