/**
 * Issue 9's scenario across its parts, in Debian's Chromium against the e2e local cloud: people sign in through the
 * console and the local Cognito's pages (password, then the TOTP code from local.json's secret), and every page
 * reads the real API on the same origin.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENCY, cloud, orderBody, SANDBOX_PLATFORM, submitOrder, waitFor } from '../e2e/harness';
import { launchBrowser, signIn } from './browser';

/** The built-in sandbox platform's behaviour (`PUT /settings` on its server). */
async function sandboxBehaviour(behaviour: 'comply' | 'silent'): Promise<void> {
  const sandbox = cloud().platforms[SANDBOX_PLATFORM];
  if (!sandbox) throw new Error('the e2e cloud has no sandbox platform');
  const response = await fetch(new URL('/settings', sandbox.webhookUrl), {
    method: 'PUT',
    body: JSON.stringify({ behaviour }),
  });
  expect(response.status).toBe(200);
}

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

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
    // An order whose execution is still running (the sandbox leaves it unanswered), so it is in a state now; the
    // fast policy refers it within about twenty seconds, and the operator looks well before.
    await sandboxBehaviour('silent');
    try {
      const body = orderBody({}, 2);
      const submitted = await submitOrder(body, { as: AGENCY });
      expect(submitted.status).toBe(201);
      const reference = String(body.reference);
      const page = await signIn(browser, 'operator');
      // The list shows the order, newest first, with the fine it accrued (none yet).
      await page
        .getByRole('row', { name: new RegExp(reference) })
        .getByText('0 IDR')
        .waitFor();
      await page.getByRole('searchbox').fill(reference);
      await page.getByRole('searchbox').press('Enter');
      await page.getByRole('heading', { name: `Order ${reference}` }).waitFor();
      await page.getByRole('link', { name: 'Execution' }).click();
      const current = page.locator('svg.state-graph [aria-current="step"]');
      await current.waitFor();
      const state = String(await current.getAttribute('data-state'));
      expect(state).not.toBe('');
      expect(await page.locator('svg.state-graph .visited').count()).toBeGreaterThan(0);
      expect(await page.locator('table.events tbody tr').count()).toBeGreaterThan(2);
      // Choosing a state in the graph shows that state's events only.
      await current.click();
      await page.getByRole('heading', { name: `Events of state ${state}` }).waitFor();
      await page.context().close();
    } finally {
      await sandboxBehaviour('comply');
    }
  });

  it('an officer uploads a 2,000-line CSV and watches the order appear', async () => {
    const page = await signIn(browser, 'officer-komdigi', { path: '/submit' });
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
    // The sandbox platform answers every order by itself; silent, it leaves this one's items to its staff.
    await sandboxBehaviour('silent');
    try {
      const body = orderBody({}, 2);
      const submitted = await submitOrder(body, { as: AGENCY });
      expect(submitted.status).toBe(201);
      const reference = String(body.reference);
      const [first, second] = body.items as { locator: string }[];
      const page = await signIn(browser, 'staff-michat', { path: `/orders/${submitted.body.id}` });
      await page.getByRole('heading', { name: `Order ${reference}` }).waitFor();
      await page.getByLabel(`Outcome for ${first?.locator}`).selectOption('removed');
      await page.getByLabel(`Outcome for ${second?.locator}`).selectOption('rejected');
      await page.getByLabel('Rejection code').selectOption('not_our_service');
      await page.getByLabel('Explanation').fill('This account is not on our service.');
      // The form says "Done." until the order reloads (answered in full, it has no answer form any more).
      const answered = page.waitForResponse((response) => response.url().endsWith('/answers'));
      await page.getByRole('button', { name: 'Send' }).first().click();
      expect((await answered).status()).toBe(200);
      await page.reload();
      await page.getByRole('cell', { name: /removed/ }).waitFor();
      await page.getByText('not_our_service: This account is not on our service.').waitFor();
      await page.context().close();
    } finally {
      await sandboxBehaviour('comply');
    }
  });

  it('an officer of another agency cannot see the order: the page says not found', async () => {
    const page = await signIn(browser, 'officer-polri', { path: `/orders/${order.id}` });
    await page.getByRole('alert').getByText('Not found').waitFor();
    await page.context().close();
  });
});
