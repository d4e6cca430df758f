/**
 * The browser of the console tests: playwright-core driving Debian's `chromium` (never a downloaded browser).
 * Missing, it is installed with apt-get where we run as root (these machines, CI); elsewhere the tests stop with
 * the one command to run.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';
import { totpCode } from '../../local/cloud/totp';
import { cloud } from '../e2e/harness';

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

/** A seeded person of the e2e cloud, as `npm start` writes them to `.tenggat/local.json`. */
interface LocalUser {
  password: string;
  totpSecret: string;
  groups: string[];
}
const localUsers = () =>
  (JSON.parse(readFileSync(cloud().localJsonPath, 'utf8')) as { users: Record<string, LocalUser> }).users;

/**
 * Signs `username` in through the console's "Sign in" button and the local Cognito's pages (English): password,
 * then the TOTP code an authenticator app would show for the secret in local.json. Answers the signed-in page.
 */
export async function signIn(
  browser: Browser,
  username: string,
  options: { path?: string; width?: number } = {},
): Promise<Page> {
  const user = localUsers()[username];
  if (!user) throw new Error(`no local user ${username}`);
  const context = await browser.newContext({
    locale: 'en-GB',
    viewport: { width: options.width ?? 1280, height: 800 },
  });
  await context.addInitScript("localStorage.setItem('tenggat.language', 'en');");
  const page = await context.newPage();
  await page.goto(new URL(options.path ?? '/', cloud().consoleUrl).href);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByLabel('Code').fill(totpCode(user.totpSecret));
  await page.getByRole('button', { name: 'Verify' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  return page;
}
