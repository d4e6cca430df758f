import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import {
  dsaPrefillDocumentSchema,
  dsaStatementSchema,
  dsaStatementsBatchSchema,
  PLATFORM_FIELDS,
} from '../../../functions/src/domain/dsa-statement-schema';
import {
  CATEGORY_MAPPING,
  dsaPrefill,
  type PrefilledStatement,
} from '../../../functions/src/domain/dsa-statements';
import { CATEGORIES } from '../../../functions/src/domain/policy';
import { itemRecord, orderRecord } from '../report-fixtures';

// strictRequired off: the conditional requirements (if/then) name properties defined one level up.
const ajv = new Ajv({ allErrors: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv, { keywords: true });
const validatePrefill = ajv.compile(dsaPrefillDocumentSchema());
const validateBatch = ajv.compile(dsaStatementsBatchSchema());
const validateStatement = ajv.compile(dsaStatementSchema());

const errorsOf = (validate: { errors?: unknown }) => JSON.stringify(validate.errors, null, 1);

const acted = (
  outcome: 'removed' | 'restricted' | 'account_suspended' | 'not_found' | 'rejected',
  day = '2026-11-28',
) => ({
  status: outcome === 'rejected' ? ('disputed' as const) : ('resolved' as const),
  outcome,
  answeredAt: `${day}T03:00:00.000Z`,
  actedAt: `${day}T02:59:00.000Z`,
  onTime: true,
});

function euOrders() {
  const eu = orderRecord({ orderId: 'eu', territorialScope: ['ID', 'DE', 'FR', 'NO'], category: 'gambling' });
  const euItems = [
    itemRecord('eu', 1, acted('removed')),
    itemRecord('eu', 2, acted('restricted')),
    itemRecord('eu', 3, { ...acted('account_suspended'), kind: 'account', locator: '@bandar88' }),
    itemRecord('eu', 4, acted('not_found')),
    itemRecord('eu', 5, acted('rejected')),
    itemRecord('eu', 6),
    itemRecord('eu', 7, acted('removed', '2026-12-15')),
  ];
  const indonesiaOnly = orderRecord({ orderId: 'id', territorialScope: ['ID'] });
  return [
    { order: eu, items: euItems },
    { order: indonesiaOnly, items: [itemRecord('id', 1, acted('removed'))] },
  ];
}

const complete = (entry: PrefilledStatement) => ({
  ...entry.statement,
  puid: entry.tenggatItemId.replace(/[^a-zA-Z0-9\-_]/g, '_'),
  content_type: ['CONTENT_TYPE_TEXT'],
  content_date: '2026-11-20',
  automated_detection: 'No',
  automated_decision: 'AUTOMATED_DECISION_NOT_AUTOMATED',
});

const input = {
  from: '2026-11-27',
  to: '2026-11-30',
  now: new Date('2026-12-01T00:00:00Z'),
  agencyNames: { 'komdigi-ais': 'Komdigi AIS' },
};

describe('DSA Transparency Database prefill', () => {
  const document = dsaPrefill({ orders: euOrders(), ...input });
  const statements = document.batches.flatMap((batch) => batch.statements);

  it('gives one statement per acted-on item of an EU/EEA order, none for not_found, rejected or open items', () => {
    expect(statements.map((entry) => entry.tenggatItemId)).toEqual(['eu-000001', 'eu-000002', 'eu-000003']);
    expect(document.skipped).toEqual({ ordersOutsideEuEea: 1, itemsNotActedOn: 2 });
  });

  it('maps the outcome, the legal basis, the scope, the date and the source', () => {
    const [removed, restricted, suspended] = statements.map((entry) => entry.statement);
    expect(removed).toMatchObject({
      decision_visibility: ['DECISION_VISIBILITY_CONTENT_REMOVED'],
      decision_account: null,
      decision_ground: 'DECISION_GROUND_ILLEGAL_CONTENT',
      illegal_content_legal_ground: 'UU ITE Pasal 27 ayat (2)',
      illegal_content_explanation: 'Promotes online gambling.',
      territorial_scope: ['DE', 'FR', 'NO'],
      application_date: '2026-11-28',
      source_type: 'SOURCE_TYPE_OTHER_NOTIFICATION',
      source_identity: 'Komdigi AIS',
      category: 'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
      puid: null,
    });
    expect(restricted?.decision_visibility).toEqual(['DECISION_VISIBILITY_CONTENT_DISABLED']);
    expect(suspended).toMatchObject({
      decision_visibility: null,
      decision_account: 'DECISION_ACCOUNT_SUSPENDED',
    });
    expect(statements[2]?.locator).toBe('@bandar88');
    expect(statements[0]?.toComplete).toEqual([...PLATFORM_FIELDS]);
  });

  it('validates against the prefill schema, and once completed by the platform against the API schema', () => {
    expect(validatePrefill(document), errorsOf(validatePrefill)).toBe(true);
    for (const batch of document.batches) {
      const body = { statements: batch.statements.map(complete) };
      expect(validateBatch(body), errorsOf(validateBatch)).toBe(true);
    }
  });

  it('cuts into batches of 100 as the multiple-statements endpoint takes them', () => {
    const order = orderRecord({ orderId: 'big', territorialScope: ['NL'] });
    const items = Array.from({ length: 250 }, (_, index) => itemRecord('big', index + 1, acted('removed')));
    const big = dsaPrefill({ orders: [{ order, items }], ...input });
    expect(big.batches.map((batch) => [batch.batch, batch.statements.length])).toEqual([
      [1, 100],
      [2, 100],
      [3, 50],
    ]);
    expect(validatePrefill(big), errorsOf(validatePrefill)).toBe(true);
  });

  it("shortens a legal basis over the database's 500 characters and says so", () => {
    const order = orderRecord({
      orderId: 'long',
      territorialScope: ['DE'],
      legalBasis: Array.from({ length: 20 }, (_, i) => `Pasal ${i} ${'x'.repeat(40)}`),
    });
    const [entry] =
      dsaPrefill({ orders: [{ order, items: [itemRecord('long', 1, acted('removed'))] }], ...input })
        .batches[0]?.statements ?? [];
    expect(String(entry?.statement.illegal_content_legal_ground).length).toBe(500);
    expect(entry?.warnings[0]).toMatch(/^illegal_content_legal_ground shortened from \d+ to 500/);
    expect(validateStatement(complete(entry as PrefilledStatement)), errorsOf(validateStatement)).toBe(true);
  });

  it('has a valid category for every Tenggat category', () => {
    for (const category of CATEGORIES) {
      const order = orderRecord({ orderId: `c-${category}`, category, territorialScope: ['AT'] });
      const document = dsaPrefill({
        orders: [{ order, items: [itemRecord(order.orderId, 1, acted('removed'))] }],
        ...input,
      });
      const [entry] = document.batches[0]?.statements ?? [];
      expect(entry?.statement.category).toBe(CATEGORY_MAPPING[category].category);
      expect(validateStatement(complete(entry as PrefilledStatement)), errorsOf(validateStatement)).toBe(
        true,
      );
    }
  });
});

describe('the API schema has teeth', () => {
  const [entry] = dsaPrefill({ orders: euOrders(), ...input }).batches[0]?.statements ?? [];
  const good = complete(entry as PrefilledStatement);

  it.each([
    ['a missing puid', { puid: undefined }],
    ['a puid with a slash', { puid: 'a/b' }],
    ['a non-EU/EEA country', { territorial_scope: ['ID'] }],
    ['no restriction at all', { decision_visibility: null, decision_account: null }],
    ['an unknown visibility', { decision_visibility: ['DECISION_VISIBILITY_HIDDEN'] }],
    ['an application date before 2020', { application_date: '2019-12-31' }],
    ['a content date in the wrong format', { content_date: '28/11/2026' }],
    ['an illegal-content statement without its legal ground', { illegal_content_legal_ground: undefined }],
    ['a legal ground over 500 characters', { illegal_content_legal_ground: 'x'.repeat(501) }],
    ['CONTENT_TYPE_OTHER without its text', { content_type: ['CONTENT_TYPE_OTHER'] }],
    ['a platform field left null', { automated_decision: null }],
    ['a field the database does not know', { tenggat_item_id: 'x' }],
  ])('refuses %s', (_name, change) => {
    const statement = JSON.parse(JSON.stringify({ ...good, ...change }));
    expect(validateStatement(statement)).toBe(false);
  });

  it('refuses more than 100 statements in one call', () => {
    expect(validateBatch({ statements: Array.from({ length: 101 }, () => good) })).toBe(false);
    expect(validateBatch({ statements: Array.from({ length: 100 }, () => good) })).toBe(true);
  });
});
