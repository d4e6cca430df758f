/**
 * The web console in Debian's Chromium against the e2e local cloud: served on the API's origin with its CSP,
 * both languages, 360 px, and its pages against the API (routed fixtures for what needs a person's sign-in,
 * the real API for an order page).
 */
import type { Browser, BrowserContext, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloud, getToken, orderBody, submitOrder } from '../e2e/harness';
import { launchBrowser, sessionScript, unsignedAccessToken } from './browser';
import {
  audit,
  CURRENT_STATE,
  execution,
  notFound,
  ORDER_ID,
  platform,
  REFERENCE,
  summary,
  view,
} from './fixtures';

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
    if (message.type() === 'error') errors.push(message.text());
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

/** Answers the console's API calls from the fixtures, as the read API would. */
async function routeApi(page: Page): Promise<string[]> {
  const calls: string[] = [];
  await page.route('**/v1/**', async (route: Route) => {
    const url = new URL(route.request().url());
    calls.push(`${url.pathname}${url.search}`);
    const json = (status: number, body: unknown) =>
      route.fulfill({ status, contentType: 'application/json', body: JSON.stringify(body) });
    const path = url.pathname;
    if (path === '/v1/takedown-requests') {
      const reference = url.searchParams.get('reference');
      const locator = url.searchParams.get('locator');
      const match = (reference === null && locator === null) || reference === REFERENCE;
      return json(200, { items: match ? [summary] : [], nextCursor: null });
    }
    if (path === `/v1/takedown-requests/${ORDER_ID}`) return json(200, view);
    if (path === `/v1/takedown-requests/${ORDER_ID}/audit`) return json(200, audit);
    if (path === `/v1/takedown-requests/${ORDER_ID}/execution`) return json(200, execution);
    if (path === '/v1/platforms' && route.request().method() === 'GET')
      return json(200, { items: [platform] });
    if (path === '/v1/platforms') {
      const body = route.request().postDataJSON() as { id: string };
      if (body.id === platform.id)
        return json(409, { title: 'Conflict', status: 409, detail: 'already registered' });
      return json(201, {
        platform: { ...platform, ...body },
        notificationSecret: 'whsec_n',
        responseSecret: 'whsec_r',
      });
    }
    return json(404, notFound);
  });
  return calls;
}

describe('an operator (routed API: sign-in and the read API are other parts of issue 9)', () => {
  const operatorSession = () => [
    sessionScript(unsignedAccessToken({ 'cognito:groups': ['operator'], username: 'operator' })),
    "localStorage.setItem('tenggat.language', 'en');",
  ];

  it('finds an order by its reference, opens it, and sees the graph with the current state marked', async () => {
    const context = await newContext({ locale: 'en-GB', init: operatorSession() });
    const page = await context.newPage();
    const errors = watchErrors(page);
    const calls = await routeApi(page);
    await page.goto(consoleUrl());
    await page.getByRole('link', { name: REFERENCE }).waitFor();
    expect(await page.locator('table.orders .countdown').first().textContent()).toMatch(
      /^\d+ h \d\d m left · /,
    );
    const deadline = page.locator('table.orders time').first();
    expect(await deadline.getAttribute('title')).toMatch(/Z \(UTC\)$/);

    await page.getByRole('searchbox').fill(REFERENCE);
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('heading', { name: `Order ${REFERENCE}` }).waitFor();
    expect(calls).toContain(`/v1/takedown-requests?reference=${encodeURIComponent(REFERENCE)}&limit=25`);
    await page.getByText('Audit trail intact: 3 events checked.').waitFor();
    expect(await page.locator('table.items tbody tr').count()).toBe(2);

    await page.getByRole('link', { name: 'Execution' }).click();
    const current = page.locator('svg.state-graph [aria-current="step"]');
    await current.waitFor();
    expect(await current.getAttribute('data-state')).toBe(CURRENT_STATE);
    expect(await page.locator('svg.state-graph .visited').count()).toBe(2);
    expect(await page.locator('table.events tbody tr').count()).toBe(4);
    await current.click();
    await page.getByRole('heading', { name: `Events of state ${CURRENT_STATE}` }).waitFor();
    expect(await page.locator('table.events tbody tr').count()).toBe(1);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('says so plainly when nothing matches, and shows a missing order as not found', async () => {
    const context = await newContext({ locale: 'en-GB', width: 360, init: operatorSession() });
    const page = await context.newPage();
    await routeApi(page);
    await page.goto(consoleUrl());
    await page.getByRole('searchbox').fill('https://nowhere.example/x');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No order has the id, reference or locator "https://nowhere.example/x".').waitFor();
    await page.goto(new URL('/orders/01JMISSING', consoleUrl()).href);
    await page.getByRole('alert').getByText('Not found').waitFor();
    expect(await horizontalOverflow(page)).toBeLessThanOrEqual(0);
    await context.close();
  });

  it('registers a platform and shows its secrets once; a refused registration shows the problem document', async () => {
    const context = await newContext({ locale: 'en-GB', init: operatorSession() });
    const page = await context.newPage();
    const calls = await routeApi(page);
    await page.goto(new URL('/platforms', consoleUrl()).href);
    await page.getByRole('cell', { name: platform.name }).waitFor();
    const register = async (id: string) => {
      await page.getByLabel('Platform id').fill(id);
      await page.getByLabel('Name', { exact: true }).fill('Contoh');
      await page.getByLabel('Webhook URL').fill('https://contoh.example/hook');
      await page.getByLabel('Contact email').fill('tns@contoh.example');
      await page.getByRole('button', { name: 'Register' }).click();
    };
    await register(platform.id);
    await page.getByText('already registered').waitFor();
    await register('contoh');
    await page.getByText('Keep these secrets now: they will not be shown again.').waitFor();
    expect(await page.getByLabel('Response secret').inputValue()).toBe('whsec_r');
    await page.getByRole('link', { name: '1' }).click();
    await page.getByRole('heading', { name: 'Takedown orders' }).waitFor();
    await page.getByRole('link', { name: REFERENCE }).waitFor();
    expect(calls).toContain(
      '/v1/takedown-requests?status=awaiting_platform&platformId=michat-sandbox&limit=25',
    );
    await context.close();
  });
});

describe('the console against the real local API', () => {
  it("shows an agency's order, read through the API on the same origin", async () => {
    const body = orderBody({}, 3);
    const submitted = await submitOrder(body);
    expect(submitted.status).toBe(201);
    const token = await getToken('komdigi-ais');
    const context = await newContext({
      locale: 'en-GB',
      init: [sessionScript(token), "localStorage.setItem('tenggat.language', 'en');"],
    });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await page.goto(new URL(`/orders/${submitted.body.id}`, consoleUrl()).href);
    await page.getByRole('heading', { name: `Order ${String(body.reference)}` }).waitFor();
    const firstLocator = (body.items as { locator: string }[])[0]?.locator ?? '';
    await page.getByRole('cell', { name: firstLocator }).waitFor();
    expect(errors).toEqual([]);
    await context.close();
  });
});
