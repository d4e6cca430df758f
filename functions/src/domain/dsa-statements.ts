import {
  EU_EEA_COUNTRY_CODES,
  type KEYWORDS,
  PLATFORM_FIELDS,
  type STATEMENT_CATEGORIES,
} from './dsa-statement-schema';
import type { ItemOutcome } from './order-rules';
import type { Category } from './policy';
import type { ItemRecord, OrderRecord } from './records';

/**
 * The DSA Transparency Database prefill (issue 10 §2, `GET /v1/exports/dsa-statements`). Statements of reasons
 * are filed by the platform, not by the authority: this is a prefill the platform checks, completes (its `puid`,
 * the content type and date, whether detection and decision were automated) and submits, in batches of 100 as
 * `POST /api/v1/statements` takes them. One statement per item the platform acted on (removed, restricted,
 * account suspended); `not_found` and `rejected` items get none; only orders whose `territorialScope` holds
 * EU/EEA codes, and only those codes.
 */

export const DSA_BATCH_SIZE = 100;

export type StatementCategory = (typeof STATEMENT_CATEGORIES)[number];
export type Keyword = (typeof KEYWORDS)[number];

/** Tenggat's categories in the database's terms (a proposal the platform may correct before submitting). */
export const CATEGORY_MAPPING: Record<Category, { category: StatementCategory; keywords: Keyword[] }> = {
  csam: {
    category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
    keywords: ['KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL'],
  },
  terrorism: {
    category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
    keywords: ['KEYWORD_TERRORIST_CONTENT'],
  },
  public_order: { category: 'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY', keywords: [] },
  illegal_drugs_food_cosmetics: {
    category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
    keywords: ['KEYWORD_PROHIBITED_PRODUCTS', 'KEYWORD_RISK_PUBLIC_HEALTH'],
  },
  pornography: {
    category: 'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
    keywords: ['KEYWORD_ADULT_SEXUAL_MATERIAL'],
  },
  prostitution: { category: 'STATEMENT_CATEGORY_VIOLENCE', keywords: ['KEYWORD_HUMAN_EXPLOITATION'] },
  gambling: {
    category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
    keywords: ['KEYWORD_GOODS_SERVICES_NOT_PERMITTED'],
  },
  fraud: { category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD', keywords: [] },
  illegal_lending: { category: 'STATEMENT_CATEGORY_SCAMS_AND_FRAUD', keywords: [] },
  hoax: {
    category: 'STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS',
    keywords: ['KEYWORD_MISINFORMATION_DISINFORMATION'],
  },
  other: { category: 'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE', keywords: [] },
};

const ACTED_ON: readonly ItemOutcome[] = ['removed', 'restricted', 'account_suspended'];
const EU_EEA = new Set<string>(EU_EEA_COUNTRY_CODES);

export type DsaStatement = Record<string, unknown>;

export interface PrefilledStatement {
  tenggatOrderId: string;
  tenggatItemId: string;
  platformId: string;
  /** What the platform acted on, so that it can find its own id (null once erased). */
  locator: string | null;
  /** Fields left null for the platform to fill before submitting. */
  toComplete: string[];
  /** Where a value had to be shortened to the database's limits. */
  warnings: string[];
  statement: DsaStatement;
}

export interface DsaPrefillDocument {
  format: 'tenggat-dsa-prefill/v1';
  generatedAt: string;
  from: string;
  to: string;
  platformIds: string[];
  note: string;
  skipped: { ordersOutsideEuEea: number; itemsNotActedOn: number };
  batches: { batch: number; statements: PrefilledStatement[] }[];
}

/** The agency's name for `source_identity` (falls back to its id). */
export type AgencyNames = Readonly<Record<string, string>>;

function limited(value: string, max: number, field: string, warnings: string[]): string {
  if (value.length <= max) return value;
  warnings.push(`${field} shortened from ${value.length} to ${max} characters`);
  return `${value.slice(0, max - 1)}…`;
}

/** The territorial scope the database accepts: the order's EU/EEA codes, sorted; empty when it has none. */
export const euEeaScope = (order: OrderRecord): string[] =>
  [...new Set(order.territorialScope.filter((code) => EU_EEA.has(code)))].sort();

/** The decision's date: what the platform says it did (`actedAt`), else when Tenggat received the answer. */
export const applicationDate = (item: ItemRecord): string | null =>
  (item.actedAt ?? item.answeredAt)?.slice(0, 10) ?? null;

const isActedOn = (item: ItemRecord): boolean =>
  item.status === 'resolved' && item.outcome !== null && ACTED_ON.includes(item.outcome);

function restriction(outcome: ItemOutcome): Pick<DsaStatement, 'decision_visibility' | 'decision_account'> {
  if (outcome === 'account_suspended')
    return { decision_visibility: null, decision_account: 'DECISION_ACCOUNT_SUSPENDED' };
  return {
    decision_visibility: [
      outcome === 'removed' ? 'DECISION_VISIBILITY_CONTENT_REMOVED' : 'DECISION_VISIBILITY_CONTENT_DISABLED',
    ],
    decision_account: null,
  };
}

/** One prefilled statement for an item the platform acted on in an order with EU/EEA scope. */
export function prefillStatement(
  order: OrderRecord,
  item: ItemRecord,
  agencyNames: AgencyNames = {},
): PrefilledStatement {
  const warnings: string[] = [];
  const agency = agencyNames[order.agencyId] ?? order.agencyId;
  const mapping = CATEGORY_MAPPING[order.category];
  const facts = `Removal order ${order.reference} of ${agency}, sent to the platform through Tenggat (order ${order.orderId}, item ${item.itemId}); category ${order.category}; the platform answered ${item.outcome} on ${item.answeredAt ?? 'an unknown date'}.`;
  const statement: DsaStatement = {
    ...restriction(item.outcome as ItemOutcome),
    decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
    illegal_content_legal_ground: limited(
      order.legalBasis.join('; '),
      500,
      'illegal_content_legal_ground',
      warnings,
    ),
    illegal_content_explanation: limited(
      order.reason ??
        `Order ${order.reference} of ${agency} (statement of reasons erased on a lawful request).`,
      2000,
      'illegal_content_explanation',
      warnings,
    ),
    content_type: null,
    category: mapping.category,
    category_specification: mapping.keywords.length > 0 ? [...mapping.keywords] : null,
    territorial_scope: euEeaScope(order),
    content_date: null,
    application_date: applicationDate(item),
    decision_facts: limited(facts, 5000, 'decision_facts', warnings),
    source_type: 'SOURCE_TYPE_OTHER_NOTIFICATION',
    source_identity: limited(agency, 500, 'source_identity', warnings),
    automated_detection: null,
    automated_decision: null,
    puid: null,
  };
  return {
    tenggatOrderId: order.orderId,
    tenggatItemId: item.itemId,
    platformId: order.platformId,
    locator: item.locator,
    toComplete: [...PLATFORM_FIELDS],
    warnings,
    statement,
  };
}

/**
 * The prefill for orders (with all their items) in the period: items whose decision date (`applicationDate`,
 * UTC) lies in `from`..`to` inclusive. `skipped` counts the orders without EU/EEA scope and the items answered in
 * the period without being acted on (`not_found`, `rejected`). Orders are taken in the order given; batches hold 100 statements.
 */
export function dsaPrefill(input: {
  orders: Iterable<{ order: OrderRecord; items: Iterable<ItemRecord> }>;
  from: string;
  to: string;
  now: Date;
  agencyNames?: AgencyNames;
}): DsaPrefillDocument {
  const statements: PrefilledStatement[] = [];
  const platformIds = new Set<string>();
  let ordersOutsideEuEea = 0;
  let itemsNotActedOn = 0;
  for (const { order, items } of input.orders) {
    if (euEeaScope(order).length === 0) {
      ordersOutsideEuEea += 1;
      continue;
    }
    for (const item of items) {
      const date = applicationDate(item);
      if (date === null || date < input.from || date > input.to) continue;
      if (!isActedOn(item)) {
        itemsNotActedOn += 1;
        continue;
      }
      platformIds.add(order.platformId);
      statements.push(prefillStatement(order, item, input.agencyNames));
    }
  }
  const batches: DsaPrefillDocument['batches'] = [];
  for (let start = 0; start < statements.length; start += DSA_BATCH_SIZE)
    batches.push({ batch: batches.length + 1, statements: statements.slice(start, start + DSA_BATCH_SIZE) });
  return {
    format: 'tenggat-dsa-prefill/v1',
    generatedAt: input.now.toISOString(),
    from: input.from,
    to: input.to,
    platformIds: [...platformIds].sort(),
    note: 'A prefill for the platform: complete the fields in toComplete (puid is your own identifier; Tenggat gives its item id beside it), check the rest, then submit each batch as { "statements": [...] } to the DSA Transparency Database.',
    skipped: { ordersOutsideEuEea, itemsNotActedOn },
    batches,
  };
}
