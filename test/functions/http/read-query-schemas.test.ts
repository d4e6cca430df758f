import { describe, expect, it } from 'vitest';
import { executionQuerySchema } from '../../../functions/src/http/execution-schemas';
import { listOrdersQuerySchema } from '../../../functions/src/http/schemas';

describe('GET /v1/takedown-requests query', () => {
  it('takes stage, reference and locator, trimming the reference as submit does', () => {
    const parsed = listOrdersQuerySchema.parse({
      stage: 'st2',
      reference: '  AIS/2026/11/0042 ',
      locator: 'https://michat.example/p/1',
    });
    expect(parsed).toMatchObject({ stage: 'st2', reference: 'AIS/2026/11/0042', limit: 25 });
  });

  it.each([
    ['an unknown stage', { stage: 'st9' }, 'stage'],
    ['a blank reference', { reference: '   ' }, 'reference'],
    ['an empty locator', { locator: '' }, 'locator'],
    [
      'a locator longer than any item may have',
      { locator: `https://x.example/${'a'.repeat(2_100)}` },
      'locator',
    ],
    ['an unknown parameter', { q: 'x' }, ''],
  ])('refuses %s', (_name, query, field) => {
    const result = listOrdersQuerySchema.safeParse(query);
    expect(result.success).toBe(false);
    if (field !== '') expect(result.error?.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });
});

describe('GET /v1/takedown-requests/{id}/execution query', () => {
  it('pages 200 events by default and at most 1,000', () => {
    expect(executionQuerySchema.parse({})).toEqual({ limit: 200 });
    expect(executionQuerySchema.parse({ limit: '1000', nextToken: 'abc' })).toEqual({
      limit: 1_000,
      nextToken: 'abc',
    });
    expect(executionQuerySchema.safeParse({ limit: '1001' }).success).toBe(false);
    expect(executionQuerySchema.safeParse({ limit: '0' }).success).toBe(false);
  });
});
