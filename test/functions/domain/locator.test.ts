import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  duplicateEntries,
  locatorKey,
  locatorKeyDigest,
  normalizeAccount,
  normalizeUrl,
} from '../../../functions/src/domain/locator';

describe('URL normalization', () => {
  it.each([
    ['HTTPS://Example.COM/p/1', 'https://example.com/p/1'],
    ['https://example.com:443/p', 'https://example.com/p'],
    ['http://example.com:80/p', 'http://example.com/p'],
    ['https://example.com:8443/p', 'https://example.com:8443/p'],
    ['https://example.com/p#comments', 'https://example.com/p'],
    ['https://example.com/p?b=2&a=1', 'https://example.com/p?a=1&b=2'],
    ['https://example.com/p?a=1&&b=2&', 'https://example.com/p?a=1&b=2'],
    ['https://example.com/p?', 'https://example.com/p'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com./p', 'https://example.com/p'],
    ['https://example.com/a/./b/../c', 'https://example.com/a/c'],
    ['https://example.com/%7euser/%2f', 'https://example.com/~user/%2F'],
    ['https://bücher.example/x', 'https://xn--bcher-kva.example/x'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeUrl(input)).toBe(expected);
  });

  it('keeps what can name a different resource: path case, trailing slash, + against %20 in the query', () => {
    expect(normalizeUrl('https://example.com/P')).not.toBe(normalizeUrl('https://example.com/p'));
    expect(normalizeUrl('https://example.com/p/')).not.toBe(normalizeUrl('https://example.com/p'));
    expect(normalizeUrl('https://example.com/?q=a+b')).not.toBe(normalizeUrl('https://example.com/?q=a%20b'));
    expect(normalizeUrl('https://example.com/?a=1&a=2')).toBe('https://example.com/?a=1&a=2');
  });

  it('is not fooled by hostile spellings of the same URL', () => {
    const canonical = 'https://judi.example/slot?id=7';
    for (const variant of [
      '  HTTPS://JUDI.EXAMPLE/slot?id=7  ',
      'https://judi.example:443/slot?id=7#x',
      'https://ju\u200Bdi.example/slot?id=7',
      'https://ju\ndi.example/slot?id=7',
      'https://judi.example/%73lot?id=7',
      'https://judi.example/a/../slot?id=7',
    ]) {
      expect(locatorKey('url', variant)).toBe(`url:${canonical}`);
    }
  });

  it('refuses what is not an absolute http(s) URL', () => {
    for (const text of ['javascript:alert(1)', 'data:text/html,x', 'example.com/p', '', '//example.com/p']) {
      expect(normalizeUrl(text)).toBeNull();
    }
  });

  it('is idempotent and total on any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        const once = normalizeUrl(text);
        if (once !== null) expect(normalizeUrl(once)).toBe(once);
        expect(typeof locatorKey('url', text)).toBe('string');
        expect(typeof locatorKey('account', text)).toBe('string');
      }),
    );
    fc.assert(
      fc.property(fc.webUrl({ withFragments: true, withQueryParameters: true }), (url) => {
        const once = normalizeUrl(url);
        expect(once).not.toBeNull();
        expect(normalizeUrl(once as string)).toBe(once);
      }),
    );
  });

  it('handles a 2,048-character locator and a long query without trouble', () => {
    const long = `https://example.com/${'a'.repeat(1_000)}?${Array.from({ length: 200 }, (_, i) => `k${200 - i}=v`).join('&')}`;
    const key = normalizeUrl(long) as string;
    expect(key.startsWith('https://example.com/aaaa')).toBe(true);
    expect(key.indexOf('k1=v')).toBeLessThan(key.indexOf('k2=v'));
  });
});

describe('account normalization', () => {
  it('trims, drops one leading @, lower-cases, removes invisible characters and folds compatibility forms', () => {
    expect(normalizeAccount('  @Slot_Gacor_88 ')).toBe('slot_gacor_88');
    expect(normalizeAccount('slot\u200B_gacor_88')).toBe('slot_gacor_88');
    expect(normalizeAccount('ｓｌｏｔ_ｇａｃｏｒ')).toBe('slot_gacor');
    expect(normalizeAccount('michat:Judi_Online_88')).toBe('michat:judi_online_88');
    expect(normalizeAccount('@@twice')).toBe('@twice');
  });

  it('meets the same profile given by URL whatever kind was declared', () => {
    expect(locatorKey('account', 'https://X.example/SlotGacor')).toBe(
      locatorKey('url', 'https://x.example/SlotGacor#top'),
    );
  });

  it('keeps content ids case-sensitive', () => {
    expect(locatorKey('content', ' dQw4w9WgXcQ ')).toBe('content:dQw4w9WgXcQ');
    expect(locatorKey('content', 'dqw4w9wgxcq')).not.toBe(locatorKey('content', 'dQw4w9WgXcQ'));
  });
});

describe('duplicates in a submit response', () => {
  const items = [
    { kind: 'url' as const, locator: 'https://judi.example/a' },
    { kind: 'url' as const, locator: 'HTTPS://judi.example/b#x' },
    { kind: 'account' as const, locator: '@Bandar88' },
    { kind: 'url' as const, locator: 'https://judi.example/new' },
  ];
  const matches = [
    {
      key: locatorKey('url', 'https://judi.example/a'),
      agencyId: 'polri-siber',
      orderId: 'o-2',
      itemId: 'i-2',
    },
    {
      key: locatorKey('url', 'https://judi.example/b'),
      agencyId: 'komdigi-ais',
      orderId: 'o-1',
      itemId: 'i-1',
    },
    { key: locatorKey('account', 'bandar88'), agencyId: 'polri-siber', orderId: 'o-3', itemId: 'i-3' },
    { key: locatorKey('account', 'bandar88'), agencyId: 'komdigi-ais', orderId: 'o-4', itemId: 'i-4' },
  ];

  it("gives ids for the agency's own orders only and shows another agency's order only as existing", () => {
    expect(duplicateEntries(items, matches, 'komdigi-ais')).toEqual([
      { index: 0, sameAgency: false },
      { index: 1, sameAgency: true, orderId: 'o-1', itemId: 'i-1' },
      { index: 2, sameAgency: true, orderId: 'o-4', itemId: 'i-4' },
    ]);
  });

  it('the lookup digest separates platforms and hides the locator', () => {
    const key = locatorKey('url', 'https://judi.example/a');
    expect(locatorKeyDigest('michat', key)).toMatch(/^[0-9a-f]{64}$/);
    expect(locatorKeyDigest('michat', key)).not.toBe(locatorKeyDigest('tiktok', key));
  });
});
