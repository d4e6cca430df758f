/**
 * Issue 9's scenario across its parts, in Debian's Chromium against the e2e local cloud: people sign in through the
 * console and the local Cognito's pages (password, then the TOTP code from local.json's secret), and every page
 * reads the real API on the same origin.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../local/cloud/totp';
import { AGENCY, cloud, orderBody, submitOrder, waitFor } from '../e2e/harness';
import { launchBrowser } from './browser';

interface LocalUser {
  password: string;
  totpSecret: string;
  groups: string[];
}
/** The seeded people of the e2e cloud, as `npm start` writes them to `.tenggat/local.json`. */
const users = () =>
  (JSON.parse(readFileSync(cloud().localJsonPath, 'utf8')) as { users: Record<string, LocalUser> }).users;

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** Signs in through the console's "Sign in" button and Cognito's pages (English). */
async function signIn(username: string, path = '/'): Promise<Page> {
  const user = users()[username];
  if (!user) throw new Error(`no local user ${username}`);
  const context = await browser.newContext({ locale: 'en-GB' });
  await context.addInitScript("localStorage.setItem('tenggat.language', 'en');");
  const page = await context.newPage();
  await page.goto(new URL(path, cloud().consoleUrl).href);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Code').fill(totpCode(user.totpSecret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}

describe('issue 9: the console for operators, officers and platform staff', () => {
  let order: { id: string; reference: string; items: { locator: string }[] };

  beforeAll(async () => {
    const body = orderBody({}, 2);
    const submitted = await submitOrder(body, { as: AGENCY });
    expect(submitted.status).toBe(201);
    order = {
      id: submitted.body.id,
      reference: String(body.reference),
      items: body.items as { locator: string }[],
    };
  });

  it('an operator signs in, finds the order by its reference, opens it, sees the graph and the history', async () => {
    const page = await signIn('operator');
    await page.getByRole('searchbox').fill(order.reference);
    await page.getByRole('searchbox').press('Enter');
    await page.getByRole('heading', { name: `Order ${order.reference}` }).waitFor();
    await page.getByRole('link', { name: 'Execution' }).click();
    const current = page.locator('svg.state-graph [aria-current="step"]');
    await current.waitFor();
    expect(await current.getAttribute('data-state')).toBeTruthy();
    expect(await page.locator('svg.state-graph .visited').count()).toBeGreaterThan(0);
    expect(await page.locator('table.events tbody tr').count()).toBeGreaterThan(2);
    await page.context().close();
  });

  it('an officer uploads a 2,000-line CSV and watches the order appear', async () => {
    const page = await signIn('officer-komdigi', '/submit');
    const run = Date.now().toString(36);
    const csv = `locator,kind\n${Array.from({ length: 2_000 }, (_, index) => `https://judi.example/${run}/${index},url`).join('\n')}\n`;
    await page.getByLabel('Platform').fill('michat-sandbox');
    await page.getByLabel('Category').selectOption('gambling');
    await page.getByLabel('Reference').fill(`CSV/${run}`);
    await page.getByLabel('Legal basis').fill('UU ITE Pasal 27 ayat (2)');
    await page.getByLabel('Reason').fill('Promosi judi daring');
    await page
      .getByLabel('Items CSV file')
      .setInputFiles({ name: 'items.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByText('Preview: 2000 items in 1 orders').waitFor();
    await page.getByRole('button', { name: 'Submit' }).click();
    await page.getByRole('link', { name: `CSV/${run}` }).click();
    await page.getByRole('heading', { name: `Order CSV/${run}` }).waitFor();
    await waitFor(async () => (await page.getByText('of 2000 items').count()) > 0, { timeoutMs: 30_000 });
    await page.context().close();
  });

  it('platform staff answer two items (one removed, one rejected with a reason) and the order page shows it', async () => {
    const page = await signIn('staff-michat', `/orders/${order.id}`);
    await page.getByRole('heading', { name: `Order ${order.reference}` }).waitFor();
    const [first, second] = order.items;
    await page.getByLabel(`Outcome for ${first?.locator}`).selectOption('removed');
    await page.getByLabel(`Outcome for ${second?.locator}`).selectOption('rejected');
    await page.getByLabel('Rejection code').selectOption('not_our_service');
    await page.getByLabel('Explanation').fill('This account is not on our service.');
    await page.getByRole('button', { name: 'Send' }).first().click();
    await page.getByText('Done.').waitFor();
    await page.reload();
    await page.getByRole('cell', { name: /removed/ }).waitFor();
    await page.getByText('not_our_service: This account is not on our service.').waitFor();
    await page.context().close();
  });

  it('an officer of another agency cannot see the order: the page says not found', async () => {
    const page = await signIn('officer-polri', `/orders/${order.id}`);
    await page.getByRole('alert').getByText('Not found').waitFor();
    await page.context().close();
  });
});
