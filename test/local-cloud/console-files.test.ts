import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCacheControl, createConsoleFiles, deploymentCopies } from '../../local/cloud/console-files';
import { listen, type RunningServer } from '../../local/cloud/http-util';
import { type BucketDeploymentSpec, type LocalTemplate, parseTemplate } from '../../local/cloud/template';

const root = mkdtempSync(join(tmpdir(), 'console-files-'));
const built = join(root, 'asset.built');
const configAsset = join(root, 'asset.config');
mkdirSync(join(built, 'assets'), { recursive: true });
mkdirSync(configAsset, { recursive: true });
writeFileSync(join(built, 'index.html'), '<!doctype html><title>Tenggat</title>');
writeFileSync(join(built, 'assets', 'main-ABC.js'), 'console.log(1)');
writeFileSync(join(configAsset, 'config.json'), '{"marker":"<<marker:0xbaba:0>>"}');
writeFileSync(join(root, 'secret.txt'), 'not served');

let server: RunningServer;
beforeAll(async () => {
  const console = createConsoleFiles({
    directories: [built, configAsset],
    stageNames: ['prod'],
    config: { apiBaseUrl: '', signIn: { clientId: 'abc', authBaseUrl: 'http://127.0.0.1:1' } },
  });
  server = await listen(0, [console]);
});
afterAll(() => server.close());

const get = (path: string) => fetch(`${server.url}${path}`);

describe('the local cloud serves the console on the API origin', () => {
  it('answers the console routes with index.html and the distribution security headers', async () => {
    for (const path of ['/', '/orders/01JABC', '/orders/01JABC/execution', '/platforms']) {
      const response = await get(path);
      expect(response.status, path).toBe(200);
      expect(await response.text()).toContain('<title>Tenggat</title>');
      expect(response.headers.get('content-security-policy')).toMatch(
        /^default-src 'self'; script-src 'self'/,
      );
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    }
    const script = await get('/assets/main-ABC.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('generates config.json instead of the deploy-time one with its markers', async () => {
    const response = await get('/config.json');
    expect(await response.json()).toEqual({
      apiBaseUrl: '',
      signIn: { clientId: 'abc', authBaseUrl: 'http://127.0.0.1:1' },
    });
  });

  it('leaves the API, Cognito and missing files to the next handler (a 404 here)', async () => {
    for (const path of [
      '/v1/takedown-requests',
      '/prod/v1/platforms',
      '/oauth2/authorize',
      '/logout',
      '/assets/none.js',
    ])
      expect((await get(path)).status, path).toBe(404);
    expect((await get('/assets/..%2F..%2Fsecret.txt')).status).toBe(404);
    expect((await fetch(`${server.url}/`, { method: 'POST' })).status).toBe(404);
  });
});

describe('cache headers as the deployments set them', () => {
  const deployment = (filters: Partial<BucketDeploymentSpec>): BucketDeploymentSpec => ({
    logicalId: 'D',
    destinationBucketLogicalId: 'Files',
    sourceDirectories: [built],
    exclude: [],
    include: [],
    cacheControl: undefined,
    ...filters,
  });
  const assets = deployment({
    exclude: ['*'],
    include: ['assets/*'],
    cacheControl: 'public, max-age=31536000, immutable',
  });
  const files = deployment({ exclude: ['assets/*'], cacheControl: 'no-cache' });

  it('copies a key as aws s3 sync filters it, the last matching filter deciding', () => {
    expect(deploymentCopies(assets, 'assets/main-ABC.js')).toBe(true);
    expect(deploymentCopies(assets, 'index.html')).toBe(false);
    expect(deploymentCopies(files, 'assets/main-ABC.js')).toBe(false);
    expect(deploymentCopies(files, 'config.json')).toBe(true);
  });

  it('keeps hashed assets a year in the browser and has index.html checked every time', async () => {
    const cached = createConsoleFiles({
      directories: [built],
      config: { apiBaseUrl: '', signIn: { clientId: 'abc', authBaseUrl: 'http://127.0.0.1:1' } },
      cacheControlOf: consoleCacheControl({ bucketDeployments: [assets, files] } as unknown as LocalTemplate),
    });
    const running = await listen(0, [cached]);
    try {
      const script = await fetch(`${running.url}/assets/main-ABC.js`);
      expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      for (const path of ['/', '/orders/01JABC'])
        expect((await fetch(`${running.url}${path}`)).headers.get('cache-control'), path).toBe('no-cache');
    } finally {
      await running.close();
    }
  });
});

describe('template reader: bucket deployments', () => {
  it('maps each source object key to its folder in the cloud assembly', () => {
    const template = parseTemplate(
      {
        Resources: {
          Files: { Type: 'AWS::S3::Bucket', Properties: {} },
          Deploy: {
            Type: 'Custom::CDKBucketDeployment',
            Properties: {
              ServiceToken: 'arn:aws:lambda:x',
              SourceObjectKeys: ['aaa.zip', 'bbb.zip'],
              DestinationBucketName: { Ref: 'Files' },
            },
          },
        },
      },
      {
        stackName: 'T',
        cdkOutDir: root,
        assetManifest: {
          files: {
            aaa: { source: { path: 'asset.built', packaging: 'zip' } },
            bbb: { source: { path: 'asset.config', packaging: 'zip' } },
          },
        },
      },
    );
    expect(template.bucketDeployments).toEqual([
      {
        logicalId: 'Deploy',
        destinationBucketLogicalId: 'Files',
        sourceDirectories: [built, configAsset],
        exclude: [],
        include: [],
        cacheControl: undefined,
      },
    ]);
  });
});
