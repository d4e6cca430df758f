/**
 * The browser of the console tests and screenshots: playwright-core driving Debian's `chromium` (never a downloaded
 * browser). Missing, it is installed with apt-get where we run as root (these machines, CI); elsewhere it stops with
 * the one command to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { totpCode } from '../../local/cloud/totp';

export const CHROMIUM = process.env.TENGGAT_CHROMIUM ?? '/usr/bin/chromium';
const INSTALL = 'apt-get install -y chromium';

export function ensureChromium(): string {
  if (existsSync(CHROMIUM)) return CHROMIUM;
  if (process.getuid?.() !== 0)
    throw new Error(`Chromium is missing at ${CHROMIUM}; install it with: sudo ${INSTALL}`);
  try {
    execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'ignore', timeout: 600_000 });
  } catch {
    execFileSync('apt-get', ['update'], { stdio: 'ignore', timeout: 600_000 });
    execFileSync('apt-get', ['install', '-y', 'chromium'], { stdio: 'ignore', timeout: 600_000 });
  }
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is still missing; run: ${INSTALL}`);
  return CHROMIUM;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: ensureChromium(),
    headless: true,
    // As root (CI, these machines) Chromium refuses its sandbox.
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
}

/** A person of the local cloud's staff pool, as `.tenggat/local.json` lists them. */
export interface LocalPerson {
  password: string;
  totpSecret: string;
}

/**
 * Signs `username` in through the console's "Sign in" button and the local Cognito's pages (English): password,
 * then the TOTP code an authenticator app would show for the secret. Answers the signed-in page.
 */
export async function signInAs(
  browser: Browser,
  consoleUrl: string,
  username: string,
  person: LocalPerson,
  options: { path?: string; width?: number } = {},
): Promise<Page> {
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: options.width ?? 1280, height: 860 },
  });
  await context.addInitScript("localStorage.setItem('tenggat.language', 'en');");
  const page = await context.newPage();
  await page.goto(new URL(options.path ?? '/', consoleUrl).href);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Code').fill(totpCode(person.totpSecret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}
