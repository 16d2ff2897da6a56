import { html, httpRoute, json } from '../../shared/http/handler';
import document from '../../shared/http/openapi.json' with { type: 'json' };
import { renderDocsHtml, type OpenApiDocument } from '../../shared/http/openapi';
import { router } from '../../shared/http/router';

/**
 * The API's contract, public: `GET /openapi.json` (generated from the handlers' zod schemas by `npm run openapi`,
 * checked for drift by the tests) and `GET /docs`, the same document as a self-contained HTML page.
 */
const doc = document as unknown as OpenApiDocument;
const page = renderDocsHtml(doc);
const cache = { 'cache-control': 'public, max-age=300' };

export const handler = router({
  'GET /openapi.json': httpRoute({ auth: false, summary: 'This document (OpenAPI 3.1).' }, async () =>
    json(200, doc, cache),
  ),
  'GET /docs': httpRoute(
    { auth: false, produces: 'text/html', summary: 'This document as an HTML page.' },
    async () => html(200, page, cache),
  ),
});
