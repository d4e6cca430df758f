import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, openApiJson } from '../../functions/src/http/openapi';

describe('docs/openapi.json', () => {
  it('matches what the zod schemas generate (run `npm run openapi` when this fails)', () => {
    const committed = readFileSync(new URL('../../docs/openapi.json', import.meta.url), 'utf8');
    expect(committed).toBe(openApiJson());
  });

  it('documents every route of the contract with problem documents for errors', () => {
    const document = buildOpenApiDocument();
    const submit = document.paths?.['/v1/takedown-requests']?.post;
    expect(Object.keys(submit?.responses ?? {})).toEqual(
      expect.arrayContaining(['201', '400', '409', '413', '422']),
    );
    expect(Object.keys(document.paths ?? {})).toHaveLength(28);
    expect(document.paths?.['/v1/platforms/{platformId}/users']?.post?.security).toEqual([
      { cognito: ['takedown/admin'] },
    ]);
    for (const path of ['/v1/statistics', '/v1/exports/orders.csv', '/v1/exports/dsa-statements'])
      expect(document.paths?.[path]?.get?.security, path).toEqual([{ cognito: ['takedown/read'] }]);
    const letter = document.paths?.['/v1/takedown-requests/{id}/letters/{stage}']?.get;
    expect(Object.keys(letter?.responses ?? {})).toEqual(expect.arrayContaining(['200', '303', '404']));
    // The verification route is public.
    expect(document.paths?.['/v1/verify/{sha256}']?.get?.security).toBeUndefined();
    expect(document.paths).toHaveProperty(['/v1/takedown-requests/{id}/personal-data-erasure']);
    const execution = document.paths?.['/v1/takedown-requests/{id}/execution']?.get;
    expect(execution?.security).toEqual([{ cognito: ['takedown/admin'] }]);
    expect(Object.keys(execution?.responses ?? {})).toEqual(expect.arrayContaining(['200', '403', '404']));
    const subscriptions = document.paths?.['/v1/subscriptions'];
    expect(subscriptions?.post?.security).toEqual([{ cognito: ['takedown/write'] }]);
    expect(Object.keys(subscriptions?.post?.responses ?? {})).toEqual(expect.arrayContaining(['201', '422']));
    expect(subscriptions?.get?.security).toEqual([{ cognito: ['takedown/read'] }]);
    const one = document.paths?.['/v1/subscriptions/{id}'];
    expect(Object.keys(one?.delete?.responses ?? {})).toEqual(expect.arrayContaining(['204', '404']));
    expect(Object.keys(one?.get?.responses ?? {})).toEqual(expect.arrayContaining(['200', '404']));
  });
});
