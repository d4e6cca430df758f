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
    expect(Object.keys(document.paths ?? {})).toHaveLength(11);
    expect(document.paths).toHaveProperty(['/v1/takedown-requests/{id}/personal-data-erasure']);
  });
});
