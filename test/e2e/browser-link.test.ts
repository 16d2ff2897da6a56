import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium';
import { startTwinProcess, type TwinProcess } from '../support/twin-process';

let twin: TwinProcess;
let browser: Browser;

beforeAll(async () => {
  // The system Chromium (the e2e globalSetup installs it when missing; CHROMIUM_PATH overrides).
  browser = await launchChromium();
  twin = await startTwinProcess();
});

afterAll(async () => {
  await browser?.close();
  await twin?.stop();
});

describe('a person links a bank in a real browser', () => {
  it('goes from /link through the bank consent page to the linked accounts', async () => {
    const page = await browser.newPage();
    await page.goto(`${twin.url}/link`);
    await page.fill('#user', 'browser-user');
    await page.selectOption('#provider', 'bank_c');
    await page.click('#go');

    // The bank's consent page: a wrong password first.
    await page.waitForSelector('input[name="password"]');
    expect(page.url()).toContain('/mock-banks/bank_c/authorize');
    await page.fill('input[name="username"]', 'user_good');
    await page.fill('input[name="password"]', 'wrong');
    await page.click('button[value="allow"]');
    await page.waitForSelector('.error');
    expect(await page.textContent('.error')).toBeTruthy();

    await page.fill('input[name="username"]', 'user_good');
    await page.fill('input[name="password"]', 'pass_good');
    await Promise.all([page.waitForURL(/\/link\/callback\?/), page.click('button[value="allow"]')]);
    await page.waitForSelector('#result');
    expect(await page.textContent('#result')).toBe('Bank linked');
    expect(await page.textContent('#status')).toBe('active');
    expect(await page.locator('#accounts tr').count()).toBeGreaterThan(0);
    await page.screenshot({ path: 'test/e2e/.artifacts/browser-link.png', fullPage: true });
    await page.close();
  });
});
