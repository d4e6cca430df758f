/** The console tests' browser (`launch-browser.ts`) and a person's sign-in through the console and Cognito's pages. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { totpCode } from '../../local/cloud/totp';
import { cloud } from '../e2e/harness';

export { launchBrowser } from './launch-browser';

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
