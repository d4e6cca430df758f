/**
 * What operators and platform staff see beyond the scenario, in Debian's Chromium against the e2e local
 * cloud: a failing platform's delivery health on the Platforms page, and a staff user created at run time who signs
 * in for the first time (new password, authenticator enrolment) and answers an order of more than 100 items.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCode } from '../../local/cloud/totp';
import {
  AGENCY,
  api,
  cloud,
  type ItemView,
  OPERATOR,
  orderBody,
  registerPlatform,
  startRegisteredPlatform,
  submitOrder,
  waitFor,
  waitForOrder,
} from '../e2e/harness';
import { launchBrowser, signIn } from './browser';
import { signInAs } from './launch-browser';

let browser: Browser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

/** A loopback URL nothing listens on: every webhook to it is refused at connect. */
async function refusingUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/webhook`;
}

interface PlatformHealth {
  state: string;
  consecutiveWebhookFailures: number;
  lastWebhookError: string | null;
  lastEmail: { orderId: string; sent: boolean } | null;
}

describe("the Platforms page shows each platform's delivery health", () => {
  it('says in words that a platform whose webhook refuses connections is failing and fell back to email', async () => {
    const platform = await registerPlatform(await refusingUrl());
    const submitted = await submitOrder(orderBody({ platformId: platform.id }));
    expect(submitted.status).toBe(201);
    const health = await waitFor(
      async () => {
        const read = await api<{ deliveryHealth: PlatformHealth }>('GET', `/v1/platforms/${platform.id}`, {
          as: OPERATOR,
        });
        const found = read.body.deliveryHealth;
        return found?.lastEmail ? found : undefined;
      },
      { timeoutMs: 30_000, what: 'the fallback email in the platform health' },
    );
    expect(health).toMatchObject({
      state: 'failing',
      lastEmail: { orderId: submitted.body.id, sent: true },
    });
    expect(health.consecutiveWebhookFailures).toBeGreaterThanOrEqual(1);
    expect(health.lastWebhookError).toEqual(expect.any(String));

    const page = await signIn(browser, 'operator', { path: '/platforms' });
    const row = page
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: platform.id, exact: true }) });
    await row.getByText('Webhook failing').waitFor();
    await row.getByText(/^\d+ failed attempts in a row$/).waitFor();
    await row.getByText(`Last failure (${health.lastWebhookError}):`).waitFor();
    await row.getByText('Last order fell back to email (sent):').waitFor();
    expect(await row.getByRole('link', { name: submitted.body.id }).getAttribute('href')).toBe(
      `/orders/${submitted.body.id}`,
    );
    await page.context().close();
  });
});

/** The first sign-in of a user made by AdminCreateUser: a new password, then the authenticator setup page. */
async function firstSignIn(page: Page, username: string, temporaryPassword: string, newPassword: string) {
  await page.goto(cloud().consoleUrl);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(temporaryPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('New password').fill(newPassword);
  await page.getByRole('button', { name: 'Set password' }).click();
  await page.getByRole('heading', { name: 'Set up your authenticator app' }).waitFor();
  const secret = (await page.locator('#totp-secret').textContent()) ?? '';
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);
  expect(await page.locator('#totp-uri').textContent()).toBe(
    `otpauth://totp/Tenggat:${username}?issuer=Tenggat&secret=${secret}&algorithm=SHA1&digits=6&period=30`,
  );
  await page.getByLabel('Code').fill(totpCode(secret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return secret;
}

describe('a staff user created at run time', () => {
  it('enrols at first sign-in, pages through 150 pending items, answers one on page 2, then all', async () => {
    const { platformId, receiver } = await startRegisteredPlatform();
    try {
      const body = orderBody({ platformId }, 150);
      const locators = (body.items as { locator: string }[]).map((item) => item.locator);
      const submitted = await submitOrder(body);
      expect(submitted.status).toBe(201);
      const orderId = submitted.body.id;
      const username = `staff-${Date.now()}`;
      const created = await api<{ temporaryPassword: string }>('POST', `/v1/platforms/${platformId}/users`, {
        as: OPERATOR,
        body: { username, email: `${username}@platform.example` },
      });
      expect(created.status).toBe(201);

      const context = await browser.newContext({ locale: 'en-GB', viewport: { width: 1280, height: 860 } });
      await context.addInitScript("localStorage.setItem('tenggat.language', 'en');");
      const page = await context.newPage();
      const newPassword = `Staff-${Date.now()}-Pass!`;
      const secret = await firstSignIn(page, username, created.body.temporaryPassword, newPassword);

      await page.goto(new URL(`/orders/${orderId}`, cloud().consoleUrl).href);
      await page.getByText('Page 1: 100 of the 150 pending items').waitFor();
      await page.getByRole('button', { name: 'Next page' }).click();
      await page.getByText('Page 2: 50 of the 150 pending items').waitFor();
      await page.getByLabel(`Outcome for ${locators[119]}`).selectOption('removed');
      await page.getByRole('button', { name: 'Send answers (1)' }).click();
      await page.getByText('Page 1: 100 of the 149 pending items').waitFor();
      const items = await api<{ items: ItemView[] }>(
        'GET',
        `/v1/takedown-requests/${orderId}/items?limit=1000`,
        {
          as: AGENCY,
        },
      );
      expect(items.body.items.find((item) => item.locator === locators[119])).toMatchObject({
        status: 'resolved',
        outcome: 'removed',
      });

      await page.getByLabel('Outcome for every pending item').selectOption('restricted');
      await page.getByRole('button', { name: 'Answer all 149 pending items' }).click();
      const done = await waitForOrder(orderId, (order) => order.itemCounts.pending === 0, {
        timeoutMs: 20_000,
        what: 'every item answered from the console',
      });
      expect(done.itemCounts).toMatchObject({ total: 150, pending: 0 });
      const outcomes = await api<{ items: ItemView[] }>(
        'GET',
        `/v1/takedown-requests/${orderId}/items?limit=1000`,
        {
          as: AGENCY,
        },
      );
      expect(outcomes.body.items.filter((item) => item.outcome === 'restricted')).toHaveLength(149);
      await page.getByRole('heading', { name: 'Answer items' }).waitFor({ state: 'detached' });
      await context.close();

      // Enrolled: the next sign-in asks for the code of the secret shown at the first.
      const again = await signInAs(browser, cloud().consoleUrl, username, {
        password: newPassword,
        totpSecret: secret,
      });
      await again.context().close();
    } finally {
      await receiver.close();
    }
  });
});
