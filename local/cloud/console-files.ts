/**
 * Serves the web console on the API's origin, as CloudFront does on AWS: the files of the template's
 * `BucketDeployment` (the console built by `cdk synth`, straight from the cloud assembly), a `config.json` made
 * here, index.html for the console's own routes, and the same security headers as the distribution.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { extname, join, normalize, sep } from 'node:path';
import {
  CONSOLE_CONFIG_FILE,
  type ConsoleRuntimeConfig,
  consoleContentSecurityPolicy,
} from '../../console/runtime-config';
import type { RequestHandler } from './http-util';
import type { BucketDeploymentSpec, LocalTemplate, UserPoolClientSpec } from './template';

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/** Paths that belong to the API and the local Cognito, never to the console. */
export const NOT_CONSOLE_PATHS = [
  /^\/v1(\/|$)/,
  /^\/oauth2\//,
  /\/\.well-known\//,
  /^\/logout(\/|$)/,
  /^\/login/,
];

export const securityHeaders = (): Record<string, string> => ({
  'content-security-policy': consoleContentSecurityPolicy(),
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
});

export interface ConsoleFilesOptions {
  /** Folders holding the console's files, searched in order. */
  directories: string[];
  config: ConsoleRuntimeConfig;
  /** API stage names: `/<stage>/...` is the API too. */
  stageNames?: string[];
  /** The `Cache-Control` of a file by its key in the bucket (`assets/main-X.js`); `no-cache` when not given. */
  cacheControlOf?: (key: string) => string | undefined;
}

/** The console's public app client: authorization code flow, no secret (the staff pool's console client). */
export function consoleClientOf(clients: UserPoolClientSpec[]): UserPoolClientSpec | undefined {
  return clients.find((client) => client.allowedOAuthFlows.includes('code') && !client.generateSecret);
}

const carriesConsole = (deployment: BucketDeploymentSpec) =>
  deployment.sourceDirectories.some((directory) => existsSync(join(directory, 'index.html')));

/** The folders of the bucket deployment that carries the console (the one with an index.html). */
export function consoleDirectories(template: LocalTemplate): string[] {
  return template.bucketDeployments.find(carriesConsole)?.sourceDirectories ?? [];
}

/** An `aws s3 sync` filter pattern: `*` is any run of characters, `/` included; `?` one character. */
const filterPattern = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );

/** Whether a deployment copies this key: every file unless filtered, the last matching filter deciding. */
export function deploymentCopies(deployment: BucketDeploymentSpec, key: string): boolean {
  const filters = [
    ...deployment.exclude.map((pattern) => ({ pattern, copies: false })),
    ...deployment.include.map((pattern) => ({ pattern, copies: true })),
  ];
  let copies = true;
  for (const filter of filters) if (filterPattern(filter.pattern).test(key)) copies = filter.copies;
  return copies;
}

/** Each console file's `Cache-Control` as the deployment that copies it sets it (the last one, as on AWS). */
export function consoleCacheControl(template: LocalTemplate): (key: string) => string | undefined {
  const deployments = template.bucketDeployments.filter(carriesConsole);
  return (key) => deployments.findLast((deployment) => deploymentCopies(deployment, key))?.cacheControl;
}

function fileIn(directories: string[], path: string): string | undefined {
  const relative = normalize(decodeURIComponent(path)).replace(/^([/\\])+/, '');
  if (relative.split(/[/\\]/).includes('..')) return undefined;
  for (const directory of directories) {
    const candidate = join(directory, relative);
    if (!candidate.startsWith(directory + sep)) continue;
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

export function createConsoleFiles(options: ConsoleFilesOptions): RequestHandler {
  const stagePrefixes = (options.stageNames ?? []).map((stage) => `/${stage}/`);
  const configBody = JSON.stringify(options.config);
  return async (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return false;
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (NOT_CONSOLE_PATHS.some((pattern) => pattern.test(path))) return false;
    if (stagePrefixes.some((prefix) => path.startsWith(prefix))) return false;
    if (path === `/${CONSOLE_CONFIG_FILE}`) {
      response.writeHead(200, {
        ...securityHeaders(),
        'content-type': 'application/json',
        'cache-control': 'no-cache',
      });
      response.end(request.method === 'HEAD' ? undefined : configBody);
      return true;
    }
    const last = path.split('/').pop() ?? '';
    // The console's own routes (no file extension) get index.html, as the distribution's rewrite does.
    const key = path === '/' || !last.includes('.') ? '/index.html' : path;
    const file = fileIn(options.directories, key);
    if (!file) return false;
    response.writeHead(200, {
      ...securityHeaders(),
      'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': options.cacheControlOf?.(key.slice(1)) ?? 'no-cache',
    });
    if (request.method === 'HEAD') response.end();
    else createReadStream(file).pipe(response);
    return true;
  };
}
