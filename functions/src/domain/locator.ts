import { createHash } from 'node:crypto';

/**
 * Locator normalization for duplicate detection across open orders (PERCI's de-duplication, issue 10 §4).
 *
 * The key never replaces the locator the agency sent (the platform acts on that); it only decides whether two
 * items name the same thing. Two locators with the same key are reported as duplicates.
 *
 * - Anything that parses as an absolute http(s) URL, whatever `kind` says, is normalized as a URL (so an
 *   account given by its profile URL meets the same profile URL given as `url`): lower-case scheme and host
 *   (IDN hosts in punycode, trailing dot dropped), no default port, no fragment, `.`/`..` segments resolved,
 *   percent-escapes in upper-case hex with unreserved characters decoded (RFC 3986 §6.2.2), and the query's
 *   `&`-separated pairs sorted as written (not decoded: `+` and `%20` may differ on the platform), empty pairs
 *   dropped. The path keeps its case and its trailing slash: both can name different resources.
 * - Accounts: NFKC, zero-width and other invisible format characters removed, trimmed, one leading `@`
 *   dropped and lower-cased. The large platforms (Instagram, X, TikTok, Telegram, YouTube handles) treat handles
 *   case-insensitively, and with the default `duplicateLocators: warn` a false match costs a warning while a
 *   missed one makes a platform process the same account twice.
 * - Content ids: trimmed only; ids such as video ids are case-sensitive.
 */
export type LocatorKind = 'url' | 'account' | 'content';

const INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/g;
const SPECIAL_SCHEMES = new Set(['http:', 'https:']);
const UNRESERVED = /[A-Za-z0-9\-._~]/;

/** Upper-case hex in escapes, unreserved characters decoded; never decodes a reserved character. */
function normalizeEscapes(text: string): string {
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const character = String.fromCharCode(Number.parseInt(hex, 16));
    return UNRESERVED.test(character) ? character : `%${hex.toUpperCase()}`;
  });
}

function sortedQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs = search
    .slice(1)
    .split('&')
    .filter((pair) => pair.length > 0)
    .map(normalizeEscapes);
  pairs.sort((left, right) => (left < right ? -1 : left > right ? 1 : 0));
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

/** The normalized form of an absolute http(s) URL, or null when the text is not one. */
export function normalizeUrl(text: string): string | null {
  let url: URL;
  try {
    url = new URL(text.replace(INVISIBLE, '').trim());
  } catch {
    return null;
  }
  if (!SPECIAL_SCHEMES.has(url.protocol) || url.hostname === '') return null;
  const host = url.hostname.endsWith('.') ? url.hostname.slice(0, -1) : url.hostname;
  const userInfo =
    url.username || url.password ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${url.protocol}//${userInfo}${host}${port}${normalizeEscapes(url.pathname)}${sortedQuery(url.search)}`;
}

export function normalizeAccount(text: string): string {
  const cleaned = text.normalize('NFKC').replace(INVISIBLE, '').trim();
  const withoutAt = cleaned.startsWith('@') ? cleaned.slice(1) : cleaned;
  return withoutAt.toLowerCase();
}

/**
 * The duplicate-detection key of a locator: `url:<normalized URL>`, `account:<handle>` or `content:<id>`.
 * Total: every string has a key (an unparseable "URL" falls back to its trimmed text).
 */
export function locatorKey(kind: LocatorKind, locator: string): string {
  const url = normalizeUrl(locator);
  if (url !== null) return `url:${url}`;
  if (kind === 'account') return `account:${normalizeAccount(locator)}`;
  return `${kind}:${locator.replace(INVISIBLE, '').trim()}`;
}

/**
 * A fixed-size digest of (platform, key) for a lookup record of open locators, e.g.
 * `pk = LOCATOR#<digest>`: keys can be 2,000+ characters and may hold personal data, the digest neither.
 */
export function locatorKeyDigest(platformId: string, key: string): string {
  return createHash('sha256').update(`${platformId}\n${key}`).digest('hex');
}

/** An open item elsewhere that has the same key. */
export interface OpenLocatorMatch {
  key: string;
  agencyId: string;
  orderId: string;
  itemId: string;
}

/** One entry of the submit response's `duplicates`; ids only for the same agency's orders. */
export interface DuplicateEntry {
  index: number;
  sameAgency: boolean;
  orderId?: string;
  itemId?: string;
}

/** What an item keeps of its duplicate (its index is its position). */
export type DuplicateOf = Omit<DuplicateEntry, 'index'>;

/**
 * The `duplicates` of a submit response: for each new item (by index) whose key is open in another order to the
 * same platform, one entry. A match in the submitting agency's own order wins over another agency's, so that the
 * agency learns the ids it is allowed to see; another agency's order only shows that it exists.
 */
export function duplicateEntries(
  items: readonly { kind: LocatorKind; locator: string }[],
  openMatches: readonly OpenLocatorMatch[],
  agencyId: string,
): DuplicateEntry[] {
  const byKey = new Map<string, OpenLocatorMatch>();
  for (const match of openMatches) {
    const known = byKey.get(match.key);
    if (known === undefined || (known.agencyId !== agencyId && match.agencyId === agencyId))
      byKey.set(match.key, match);
  }
  const entries: DuplicateEntry[] = [];
  items.forEach((item, index) => {
    const match = byKey.get(locatorKey(item.kind, item.locator));
    if (match === undefined) return;
    entries.push(
      match.agencyId === agencyId
        ? { index, sameAgency: true, orderId: match.orderId, itemId: match.itemId }
        : { index, sameAgency: false },
    );
  });
  return entries;
}

/**
 * The digest an item is found by when searching orders by locator (`GET /v1/takedown-requests?locator=`): of the
 * key alone, so that one search finds the locator whatever platform the order went to.
 */
export function locatorSearchDigest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * The digests a searched locator may be stored under: the searcher gives no kind, so an absolute URL has its one
 * key and anything else the keys it would have as an account, a content id or an unparseable URL.
 */
export function locatorSearchDigests(locator: string): string[] {
  const kinds: LocatorKind[] = normalizeUrl(locator) === null ? ['account', 'content', 'url'] : ['url'];
  return [...new Set(kinds.map((kind) => locatorSearchDigest(locatorKey(kind, locator))))];
}
