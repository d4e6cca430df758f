/**
 * npm run console:screenshots: a screenshot of each console page for docs/console.md, taken from the running local
 * cloud (`npm start`, read from `.tenggat/local.json`) by Debian's Chromium, signed in as the seeded people.
 * It submits two small orders to the sandbox platform so the pages have something to show.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, signInAs } from '../test/console/launch-browser';

interface LocalJson {
  apiUrl: string;
  consoleUrl: string;
  tokenUrl: string;
  clients: Record<string, { clientId: string; clientSecret: string }>;
  users: Record<string, { password: string; totpSecret: string }>;
}

const local = JSON.parse(readFileSync(join(process.cwd(), '.tenggat', 'local.json'), 'utf8')) as LocalJson;
const outDir = join(process.cwd(), 'docs', 'images');

async function agencyToken(agency: string): Promise<string> {
  const client = local.clients[agency];
  if (!client) throw new Error(`no client ${agency} in .tenggat/local.json`);
  const response = await fetch(local.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
    },
    body: 'grant_type=client_credentials',
  });
  return ((await response.json()) as { access_token: string }).access_token;
}

async function submitSample(reference: string): Promise<string> {
  const response = await fetch(`${local.apiUrl}/v1/takedown-requests`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${await agencyToken('komdigi-ais')}`,
      'content-type': 'application/json',
      'idempotency-key': reference,
    },
    body: JSON.stringify({
      platformId: 'michat-sandbox',
      category: 'prostitution',
      legalBasis: ['UU ITE Pasal 27 ayat (1)', 'PM Kominfo 5/2020 Pasal 15'],
      reason: 'Akun menawarkan prostitusi daring (laporan masyarakat).',
      reference,
      officer: 'Siti Rahmawati',
      items: [
        { kind: 'account', locator: `michat:${reference}-a` },
        { kind: 'account', locator: `michat:${reference}-b` },
      ],
    }),
  });
  if (response.status !== 201)
    throw new Error(`submit answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as { id: string }).id;
}

async function signIn(browser: Browser, username: string): Promise<Page> {
  const person = local.users[username];
  if (!person) throw new Error(`no local user ${username} in .tenggat/local.json`);
  return signInAs(browser, local.consoleUrl, username, person);
}

async function shoot(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle');
  await page.screenshot({ path: join(outDir, `console-${name}.png`), fullPage: false });
  console.log(`wrote docs/images/console-${name}.png`);
}

async function main(): Promise<void> {
  mkdirSync(outDir, { recursive: true });
  const run = randomBytes(3).toString('hex');
  const orderId = await submitSample(`KOMDIGI/2026/${run}`);
  await submitSample(`KOMDIGI/2026/${run}-2`);
  const browser = await launchBrowser();
  try {
    const signInPage = await (await browser.newContext({ locale: 'en-GB' })).newPage();
    await signInPage.goto(local.consoleUrl);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await signInPage.getByLabel('Username').waitFor();
    await shoot(signInPage, 'sign-in');

    const operator = await signIn(browser, 'operator');
    await operator.getByRole('link', { name: `KOMDIGI/2026/${run}`, exact: true }).waitFor();
    await shoot(operator, 'orders');
    await operator.goto(new URL(`/orders/${orderId}`, local.consoleUrl).href);
    await operator.getByRole('heading', { name: `Order KOMDIGI/2026/${run}` }).waitFor();
    await shoot(operator, 'order');
    await operator.goto(new URL(`/orders/${orderId}/execution`, local.consoleUrl).href);
    await operator.locator('svg.state-graph').waitFor();
    await shoot(operator, 'execution');
    await operator.goto(new URL('/platforms', local.consoleUrl).href);
    await operator.getByRole('cell', { name: 'michat-sandbox' }).first().waitFor();
    await shoot(operator, 'platforms');

    const officer = await signIn(browser, 'officer-komdigi');
    await officer.goto(new URL('/submit', local.consoleUrl).href);
    await officer.getByLabel('Reference').waitFor();
    await shoot(officer, 'submit');
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
