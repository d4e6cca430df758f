/**
 * npm run totp -- <username>: the current sign-in code of a local person (`.tenggat/local.json` `users`), as an
 * authenticator app holding their TOTP secret would show it. For the local cloud only: on AWS each person enrols
 * their own authenticator at first sign-in.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { totpCode } from '../local/cloud/totp';

const path = join(process.cwd(), '.tenggat', 'local.json');
const username = process.argv[2];
if (!existsSync(path)) {
  console.error(`${path} does not exist: start the local cloud first (npm start)`);
  process.exit(1);
}
const users =
  (JSON.parse(readFileSync(path, 'utf8')) as { users?: Record<string, { totpSecret: string | null }> })
    .users ?? {};
const user = username === undefined ? undefined : users[username];
if (!user) {
  console.error(`usage: npm run totp -- <username>; the local people are: ${Object.keys(users).join(', ')}`);
  process.exit(2);
}
if (user.totpSecret === null) {
  console.error(`${username} has no authenticator yet: their first sign-in shows the key to add to an app`);
  process.exit(3);
}
console.log(totpCode(user.totpSecret));
