import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { html, httpRoute, json } from '../../shared/http/handler';
import document from '../../shared/http/openapi.json' with { type: 'json' };
import { DOCS_ASSETS, DOCS_SCRIPT, renderDocsHtml, type OpenApiDocument } from '../../shared/http/openapi';
import { router } from '../../shared/http/router';

/**
 * The API's contract, public: `GET /openapi.json` (generated from the handlers' zod schemas by `npm run openapi`,
 * checked for drift by the tests) and `GET /docs`, the same document in Swagger UI, whose files this function serves
 * too (`GET /docs/<file>`; no CDN). In the Lambda they are copied next to the bundle (`docs-assets/`, the catalogue's
 * `bundleFiles`); run from source (the twin) they are read from the npm package `swagger-ui-dist`.
 */
const doc = document as unknown as OpenApiDocument;
const page = renderDocsHtml(doc);
const cache = { 'cache-control': 'public, max-age=300' };

/** Where swagger-ui-dist's files are: beside the bundle in the Lambda, else the installed package. */
function assetDir(): string {
  const bundled = path.join(path.dirname(fileURLToPath(import.meta.url)), 'docs-assets');
  if (existsSync(path.join(bundled, DOCS_ASSETS['swagger-ui-bundle.js'].file))) return bundled;
  return path.dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

const loaded = new Map<string, string>();
function asset(name: 'swagger-ui-bundle.js' | 'swagger-ui.css'): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(path.join(assetDir(), DOCS_ASSETS[name].file), 'utf8')
      // The source map is not deployed: no request for it.
      .replace(/\n\/[/*]# sourceMappingURL=\S+(?: \*\/)?\s*$/, '\n');
    loaded.set(name, text);
  }
  return text;
}

const file = (name: keyof typeof DOCS_ASSETS, body: () => string) =>
  httpRoute(
    { auth: false, produces: DOCS_ASSETS[name].type, summary: `A file of the /docs page (${name}).` },
    async () => ({
      statusCode: 200,
      headers: { 'content-type': `${DOCS_ASSETS[name].type}; charset=utf-8`, ...cache },
      body: body(),
    }),
  );

export const handler = router({
  'GET /openapi.json': httpRoute({ auth: false, summary: 'This document (OpenAPI 3.1).' }, async () =>
    json(200, doc, cache),
  ),
  'GET /docs': httpRoute(
    {
      auth: false,
      produces: 'text/html',
      summary: 'This document as a page (Swagger UI), with "Try it out".',
    },
    async () => html(200, page, cache),
  ),
  'GET /docs/swagger-ui-bundle.js': file('swagger-ui-bundle.js', () => asset('swagger-ui-bundle.js')),
  'GET /docs/swagger-ui.css': file('swagger-ui.css', () => asset('swagger-ui.css')),
  'GET /docs/docs.js': file('docs.js', () => DOCS_SCRIPT),
});
