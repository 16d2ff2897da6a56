import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { startTarget, type Target } from '../support/e2e-target';

/**
 * `GET /docs`: Swagger UI over the deployment's own OpenAPI document, its files served by the Docs function (no
 * CDN), with request examples and "Try it out" against the API itself. Runs against the twin, or any deployment
 * (`npm run test:deployed`).
 */
let target: Target;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  target = await startTarget();
});
afterAll(async () => {
  await browser?.close();
  await target?.stop();
});

describe('the /docs page', () => {
  it('serves the page and its files, without a token, with their content types', async () => {
    const page = await fetch(`${target.url}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const html = await page.text();
    const refs = [...html.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map((m) => m[1]!);
    expect(refs.sort()).toEqual(['docs/docs.js', 'docs/swagger-ui-bundle.js', 'docs/swagger-ui.css']);
    const types: Record<string, string> = {
      'docs/docs.js': 'text/javascript; charset=utf-8',
      'docs/swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
      'docs/swagger-ui.css': 'text/css; charset=utf-8',
    };
    for (const ref of refs) {
      const res = await fetch(new URL(ref, `${target.url}/docs`));
      expect(res.status, ref).toBe(200);
      expect(res.headers.get('content-type'), ref).toBe(types[ref]);
      const text = await res.text();
      expect(text.length, ref).toBeGreaterThan(100);
      expect(text, ref).not.toMatch(/sourceMappingURL/);
    }
    const bundle = await (await fetch(`${target.url}/docs/swagger-ui-bundle.js`)).text();
    expect(bundle).toContain('SwaggerUIBundle');
    expect((await fetch(`${target.url}/docs/nothing.js`)).status).toBe(404);
  });

  it('documents request examples the body schemas accept', async () => {
    const doc = (await (await fetch(`${target.url}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: Record<string, { examples?: object }> } }>
      >;
    };
    const bodies = Object.values(doc.paths).flatMap((methods) =>
      Object.values(methods).flatMap((op) => (op.requestBody ? [op.requestBody] : [])),
    );
    expect(bodies.length).toBeGreaterThan(0);
    for (const body of bodies) expect(body.content['application/json']!.examples).toBeDefined();
  });

  it('renders in a browser, and "Try it out" calls the API itself', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const failed: string[] = [];
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.status()} ${r.url()}`);
    });
    page.on('pageerror', (e) => failed.push(`page error: ${e.message}`));
    await page.goto(`${target.url}/docs`);
    await page.waitForSelector('.opblock', { timeout: 30_000 });
    expect(await page.locator('.opblock').count()).toBeGreaterThan(20);
    // The server is the API's own base URL; the bearer scheme has its Authorize dialog.
    expect(await page.locator('.servers select option').first().getAttribute('value')).toBe(target.url);
    await expect.poll(() => page.locator('button.authorize').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test/e2e/.artifacts/docs.png' });

    // GET /health, tried out from the page (tryItOutEnabled: the Execute button is there once it is open).
    await page.click('#operations-health-getHealth .opblock-summary');
    await page.click('#operations-health-getHealth button.execute');
    const status = page.locator(
      '#operations-health-getHealth .live-responses-table tbody .response-col_status',
    );
    await status.first().waitFor({ timeout: 30_000 });
    expect((await status.first().textContent())?.trim()).toBe('200');
    await page.screenshot({ path: 'test/e2e/.artifacts/docs-try.png', fullPage: false });
    expect(failed).toEqual([]);
    await page.close();
  });
});
