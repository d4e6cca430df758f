#!/usr/bin/env node
// The `tenggat` command: runs the TypeScript sources through tsx (already installed by `npm ci`), so there is
// no build step to remember.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('./main.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
