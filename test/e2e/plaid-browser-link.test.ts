import { createServer, type Server } from 'node:http';
import { CountryCode, Products } from 'plaid';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { startPlaidTwin, type PlaidTwin } from '../support/plaid';

/**
 * The Plaid surface's hosted link in a real browser: an app's backend makes a link token with the official client,
 * the user opens its hosted_link_url, picks a bank, consents at the mock bank, and the page hands the public token
 * to the app (a redirect to the link token's redirect_uri, or postMessage to the window that opened it); the app
 * exchanges it and reads the accounts.
 */

let plaid: PlaidTwin;
let browser: Browser;
/** The app's own web server: a redirect target and a page that opens the link in a popup. */
let app: Server;
let appUrl = '';

const APP_PAGE = `<!doctype html><html><body><h1>My Budget App</h1><script>
window.received = [];
window.addEventListener('message', (e) => { if (e.data && e.data.source === 'finagg-link') window.received.push(e.data); });
</script></body></html>`;

beforeAll(async () => {
  browser = await launchChromium();
  plaid = await startPlaidTwin();
  app = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(req.url?.startsWith('/return') ? '<h1 id="back">Back in the app</h1>' : APP_PAGE);
  });
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', () => resolve()));
  const addr = app.address();
  appUrl = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
});

afterAll(async () => {
  await browser?.close();
  await plaid?.stop();
  await new Promise((r) => app?.close(r));
});

/** A page with waits sized for a loaded 2-core machine (a first request loads a function's modules). */
async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.setDefaultTimeout(120_000);
  return page;
}

/** The bank's consent page: sign in as the sandbox user and allow. */
async function consent(page: Page, bank: string): Promise<void> {
  await page.waitForSelector('input[name="password"]');
  expect(page.url()).toContain(`/mock-banks/${bank}/authorize`);
  await page.fill('input[name="username"]', 'user_good');
  await page.fill('input[name="password"]', 'pass_good');
  await page.click('button[value="allow"]');
}

async function exchangeAndReadAccounts(publicToken: string) {
  const { access_token } = (await plaid.client.itemPublicTokenExchange({ public_token: publicToken })).data;
  const accounts = (await plaid.client.accountsGet({ access_token })).data;
  return accounts;
}

describe('the hosted link page in a real browser', () => {
  it("redirects to the link token's redirect_uri with the public token, which the app exchanges", async () => {
    const { data } = await plaid.client.linkTokenCreate({
      client_name: 'My Budget App',
      language: 'en',
      country_codes: [CountryCode.Us],
      user: { client_user_id: 'browser-user-1' },
      products: [Products.Transactions],
      redirect_uri: `${appUrl}/return`,
    });
    const page = await newPage();
    await page.goto(data.hosted_link_url!);
    expect(await page.textContent('#client-name')).toBe('My Budget App');
    await page.check('#ins_bank_a');
    await page.click('#continue');
    await consent(page, 'bank_a');
    await page.waitForURL(/\/return\?public_token=/);
    await page.waitForSelector('#back');
    const publicToken = new URL(page.url()).searchParams.get('public_token')!;
    expect(publicToken).toMatch(/^public-sandbox-/);
    await page.close();

    // /link/token/get reports the same public token, as Plaid's does for Hosted Link.
    const got = await plaid.client.linkTokenGet({ link_token: data.link_token });
    expect(got.data.link_sessions?.[0]?.on_success?.public_token).toBe(publicToken);

    const accounts = await exchangeAndReadAccounts(publicToken);
    expect(accounts.item.institution_id).toBe('ins_bank_a');
    expect(accounts.accounts.length).toBeGreaterThan(0);
  });

  it(
    'posts the public token to the window that opened the link (no redirect_uri)',
    { timeout: 400_000 },
    async () => {
      const { data } = await plaid.client.linkTokenCreate({
        client_name: 'My Budget App',
        language: 'en',
        country_codes: [CountryCode.Gb],
        user: { client_user_id: 'browser-user-2' },
        products: [Products.Transactions],
      });
      const page = await newPage();
      await page.goto(`${appUrl}/`);
      const [popup] = await Promise.all([
        page.waitForEvent('popup'),
        page.evaluate(`void window.open(${JSON.stringify(data.hosted_link_url!)}, 'finagg-link')`),
      ]);
      popup.setDefaultTimeout(120_000);
      console.info('[plaid-browser] popup opened', popup.url());
      await popup.waitForSelector('#continue');
      // A GB link token offers the bank in GB.
      expect(await popup.locator('input[name="institution_id"]').count()).toBe(1);
      await popup.click('#continue');
      console.info('[plaid-browser] bank chosen');
      await consent(popup, 'bank_b');
      console.info('[plaid-browser] consented', popup.url());
      await popup.waitForSelector('#public-token');
      console.info('[plaid-browser] public token shown');
      const shown = await popup.textContent('#public-token');
      await page.waitForFunction('window.received.length > 0');
      const received = (await page.evaluate('window.received')) as {
        event: string;
        public_token: string;
        metadata: { institution: { institution_id: string } };
      }[];
      expect(received[0]).toMatchObject({ event: 'success', public_token: shown });
      expect(received[0]!.metadata.institution.institution_id).toBe('ins_bank_b');
      await page.screenshot({ path: 'test/e2e/.artifacts/plaid-browser-link.png', fullPage: true });
      await page.close();

      const accounts = await exchangeAndReadAccounts(received[0]!.public_token);
      expect(accounts.item.institution_id).toBe('ins_bank_b');
    },
  );
});
