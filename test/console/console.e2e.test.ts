/**
 * The web console in Debian's Chromium against the e2e local cloud: served on the API's origin with its CSP,
 * both languages, 360 px, and an operator's pages against the real API (the scenario is scenario.e2e.test.ts).
 */
import { randomBytes } from 'node:crypto';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloud } from '../e2e/harness';
import { launchBrowser, signIn } from './browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

const consoleUrl = () => cloud().consoleUrl;

/** Every script error and CSP violation the page reports. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // The browser's own line for an HTTP error answer (the API's 404 is the page's to show) is not a script error.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource'))
      errors.push(message.text());
  });
  return errors;
}

// Runs in the page (a string: this file is typechecked without the DOM library).
const horizontalOverflow = (page: Page) =>
  page.evaluate<number>('document.documentElement.scrollWidth - document.documentElement.clientWidth');

async function newContext(options: {
  locale: string;
  width?: number;
  init?: string[];
}): Promise<BrowserContext> {
  const context = await browser.newContext({
    locale: options.locale,
    viewport: { width: options.width ?? 1280, height: 800 },
  });
  for (const script of options.init ?? []) await context.addInitScript(script);
  return context;
}

describe('the console is served on the API origin', () => {
  it('speaks Indonesian by default, English once chosen (kept after reload), and fits 360 px', async () => {
    const context = await newContext({ locale: 'id-ID', width: 360 });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const response = await page.goto(consoleUrl());
    expect(response?.headers()['content-security-policy']).toMatch(/^default-src 'self'; script-src 'self'/);
    await page.getByText('Masuk untuk melihat perintah takedown.').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('id');
    await page.getByLabel('Bahasa').selectOption('en');
    await page.getByText('Sign in to see takedown orders.').waitFor();
    await page.reload();
    await page.getByText('Sign in to see takedown orders.').waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await context.close();
  });

  it("follows the browser's language when none was chosen, and opens deep links", async () => {
    const context = await newContext({ locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(new URL('/orders/01J00000000000000000000000', consoleUrl()).href);
    await page.getByText('Sign in to see takedown orders.').waitFor();
    expect(await page.getByLabel('Language').inputValue()).toBe('en');
    await context.close();
  });
});

describe('an operator, signed in, against the real API', () => {
  it('says so plainly when nothing matches, and shows a missing order as not found, at 360 px', async () => {
    const page = await signIn(browser, 'operator', { width: 360 });
    const errors = watchErrors(page);
    await page.getByRole('searchbox').fill('https://nowhere.example/x');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No order has the id, reference or locator "https://nowhere.example/x".').waitFor();
    await page.goto(new URL('/orders/01JMISSING', consoleUrl()).href);
    await page.getByRole('alert').getByText('Not found').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('registers a platform and shows its secrets once; registering it again shows the problem document', async () => {
    const page = await signIn(browser, 'operator', { path: '/platforms' });
    await page.getByRole('cell', { name: 'michat-sandbox' }).first().waitFor();
    const id = `console-${randomBytes(4).toString('hex')}`;
    const register = async () => {
      await page.getByLabel('Platform id').fill(id);
      await page.getByLabel('Name', { exact: true }).fill('Contoh');
      await page.getByLabel('Webhook URL').fill('https://contoh.example/hook');
      await page.getByLabel('Contact email').fill('tns@contoh.example');
      await page.getByRole('button', { name: 'Register' }).click();
    };
    await register();
    await page.getByText('Keep these secrets now: they will not be shown again.').waitFor();
    expect(await page.getByLabel('Response secret').inputValue()).toMatch(/^whsec_/);
    await page.reload();
    await page.getByRole('cell', { name: id }).waitFor();
    await register();
    await page
      .getByRole('alert')
      .getByText(/already exists/)
      .waitFor();
    await page.context().close();
  });
});
