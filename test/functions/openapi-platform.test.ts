import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../functions/src/http/openapi';
import { ROUTES } from '../../lib/api';

describe('the OpenAPI document and the route table', () => {
  const document = buildOpenApiDocument();
  it('lists every route of ROUTES with its method, and nothing else', () => {
    const documented = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      ['get', 'post', 'delete']
        .filter((method) => method in (item ?? {}))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    expect(documented.sort()).toEqual(ROUTES.map((route) => `${route.method} ${route.path}`).sort());
  });

  it('documents the platform-side routes with the takedown/platform scope, and the machine client of a registration', () => {
    for (const route of ROUTES.filter((candidate) => candidate.access === 'platform')) {
      const operation = document.paths?.[route.path]?.[route.method.toLowerCase() as 'get' | 'post'];
      expect(operation?.security, route.path).toEqual([{ cognito: ['takedown/platform'] }]);
      expect(Object.keys(operation?.responses ?? {}), route.path).toEqual(
        expect.arrayContaining(['200', '404']),
      );
    }
    const registration = JSON.stringify(document.paths?.['/v1/platforms']?.post?.responses?.['201']);
    expect(registration).toContain('machineClient');
  });
});
