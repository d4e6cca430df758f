/** The console tests' browser (`launch-browser.ts`) and a person's sign-in through the console and Cognito's pages. */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { cloud } from '../e2e/harness';
import { signInAs } from './launch-browser';

export { launchBrowser } from './launch-browser';

/** A seeded person of the e2e cloud, as `npm start` writes them to `.tenggat/local.json`. */
interface LocalUser {
  password: string;
  totpSecret: string;
  groups: string[];
}
const localUsers = () =>
  (JSON.parse(readFileSync(cloud().localJsonPath, 'utf8')) as { users: Record<string, LocalUser> }).users;

/** Signs a seeded person of the e2e cloud in through the console and the local Cognito's pages. */
export async function signIn(
  browser: Browser,
  username: string,
  options: { path?: string; width?: number } = {},
): Promise<Page> {
  const person = localUsers()[username];
  if (!person) throw new Error(`no local user ${username}`);
  return signInAs(browser, cloud().consoleUrl, username, person, options);
}
