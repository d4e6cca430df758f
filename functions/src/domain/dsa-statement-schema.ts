/**
 * JSON Schema (draft-07) of a statement of reasons as the DSA Transparency Database API takes it
 * (`POST /api/v1/statement`, and `POST /api/v1/statements` with `{ statements: [...] }`, 1 to 100 per call),
 * written from the database's published field rules (its API documentation and the validation rules of
 * digital-services-act/transparency-database, `StatementStoreRequest`, `Statement` constants and
 * `EuropeanCountriesService`, as of mid-2026). Dates use ajv-formats' `formatMinimum` / `formatMaximum`.
 *
 * `prefill: true` gives the schema of Tenggat's prefill: the fields only the platform knows (`puid`,
 * `content_type`, `content_date`, `automated_detection`, `automated_decision`) may still be null there.
 */

export const EU_EEA_COUNTRY_CODES = [
  'AT',
  'BE',
  'BG',
  'CY',
  'CZ',
  'DE',
  'DK',
  'EE',
  'ES',
  'FI',
  'FR',
  'GR',
  'HR',
  'HU',
  'IE',
  'IS',
  'IT',
  'LI',
  'LT',
  'LU',
  'LV',
  'MT',
  'NL',
  'NO',
  'PL',
  'PT',
  'RO',
  'SE',
  'SI',
  'SK',
] as const;

export const DECISION_VISIBILITIES = [
  'DECISION_VISIBILITY_CONTENT_REMOVED',
  'DECISION_VISIBILITY_CONTENT_DISABLED',
  'DECISION_VISIBILITY_CONTENT_DEMOTED',
  'DECISION_VISIBILITY_CONTENT_AGE_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_INTERACTION_RESTRICTED',
  'DECISION_VISIBILITY_CONTENT_LABELLED',
  'DECISION_VISIBILITY_OTHER',
] as const;
export const DECISION_MONETARIES = [
  'DECISION_MONETARY_SUSPENSION',
  'DECISION_MONETARY_TERMINATION',
  'DECISION_MONETARY_OTHER',
] as const;
export const DECISION_PROVISIONS = [
  'DECISION_PROVISION_PARTIAL_SUSPENSION',
  'DECISION_PROVISION_TOTAL_SUSPENSION',
  'DECISION_PROVISION_PARTIAL_TERMINATION',
  'DECISION_PROVISION_TOTAL_TERMINATION',
] as const;
export const DECISION_ACCOUNTS = ['DECISION_ACCOUNT_SUSPENDED', 'DECISION_ACCOUNT_TERMINATED'] as const;
export const DECISION_GROUNDS = [
  'DECISION_GROUND_ILLEGAL_CONTENT',
  'DECISION_GROUND_INCOMPATIBLE_CONTENT',
] as const;
export const CONTENT_TYPES = [
  'CONTENT_TYPE_APP',
  'CONTENT_TYPE_AUDIO',
  'CONTENT_TYPE_IMAGE',
  'CONTENT_TYPE_PRODUCT',
  'CONTENT_TYPE_SYNTHETIC_MEDIA',
  'CONTENT_TYPE_TEXT',
  'CONTENT_TYPE_VIDEO',
  'CONTENT_TYPE_OTHER',
] as const;
export const SOURCE_TYPES = [
  'SOURCE_ARTICLE_16',
  'SOURCE_TRUSTED_FLAGGER',
  'SOURCE_TYPE_OTHER_NOTIFICATION',
  'SOURCE_VOLUNTARY',
] as const;
export const AUTOMATED_DETECTIONS = ['Yes', 'No'] as const;
export const AUTOMATED_DECISIONS = [
  'AUTOMATED_DECISION_FULLY',
  'AUTOMATED_DECISION_PARTIALLY',
  'AUTOMATED_DECISION_NOT_AUTOMATED',
] as const;
export const ACCOUNT_TYPES = ['ACCOUNT_TYPE_BUSINESS', 'ACCOUNT_TYPE_PRIVATE'] as const;
export const STATEMENT_CATEGORIES = [
  'STATEMENT_CATEGORY_ANIMAL_WELFARE',
  'STATEMENT_CATEGORY_CONSUMER_INFORMATION',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE',
  'STATEMENT_CATEGORY_CYBER_VIOLENCE_AGAINST_WOMEN',
  'STATEMENT_CATEGORY_DATA_PROTECTION_AND_PRIVACY_VIOLATIONS',
  'STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH',
  'STATEMENT_CATEGORY_INTELLECTUAL_PROPERTY_INFRINGEMENTS',
  'STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS',
  'STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE',
  'STATEMENT_CATEGORY_OTHER_VIOLATION_TC',
  'STATEMENT_CATEGORY_PROTECTION_OF_MINORS',
  'STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY',
  'STATEMENT_CATEGORY_SCAMS_AND_FRAUD',
  'STATEMENT_CATEGORY_SELF_HARM',
  'STATEMENT_CATEGORY_UNSAFE_AND_PROHIBITED_PRODUCTS',
  'STATEMENT_CATEGORY_VIOLENCE',
] as const;
export const KEYWORDS = [
  'KEYWORD_ADULT_SEXUAL_MATERIAL',
  'KEYWORD_AGE_SPECIFIC_RESTRICTIONS',
  'KEYWORD_AGE_SPECIFIC_RESTRICTIONS_MINORS',
  'KEYWORD_ANIMAL_HARM',
  'KEYWORD_BIOMETRIC_DATA_BREACH',
  'KEYWORD_BULLYING_AGAINST_GIRLS',
  'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL',
  'KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE',
  'KEYWORD_CONTENT_PROMOTING_EATING_DISORDERS',
  'KEYWORD_COORDINATED_HARM',
  'KEYWORD_COPYRIGHT_INFRINGEMENT',
  'KEYWORD_CYBER_BULLYING_INTIMIDATION',
  'KEYWORD_CYBER_HARASSMENT',
  'KEYWORD_CYBER_HARASSMENT_AGAINST_WOMEN',
  'KEYWORD_CYBER_INCITEMENT',
  'KEYWORD_CYBER_STALKING',
  'KEYWORD_CYBER_STALKING_AGAINST_WOMEN',
  'KEYWORD_DATA_FALSIFICATION',
  'KEYWORD_DEFAMATION',
  'KEYWORD_DESIGN_INFRINGEMENT',
  'KEYWORD_DISCRIMINATION',
  'KEYWORD_FEMALE_GENDERED_DISINFORMATION',
  'KEYWORD_GEOGRAPHIC_INDICATIONS_INFRINGEMENT',
  'KEYWORD_GEOGRAPHICAL_REQUIREMENTS',
  'KEYWORD_GOODS_SERVICES_NOT_PERMITTED',
  'KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS',
  'KEYWORD_HATE_SPEECH',
  'KEYWORD_HIDDEN_ADVERTISEMENT',
  'KEYWORD_HUMAN_EXPLOITATION',
  'KEYWORD_HUMAN_TRAFFICKING',
  'KEYWORD_ILLEGAL_ORGANIZATIONS',
  'KEYWORD_IMPERSONATION_ACCOUNT_HIJACKING',
  'KEYWORD_INAUTHENTIC_ACCOUNTS',
  'KEYWORD_INAUTHENTIC_LISTINGS',
  'KEYWORD_INAUTHENTIC_USER_REVIEWS',
  'KEYWORD_INCITEMENT_AGAINST_WOMEN',
  'KEYWORD_INCITEMENT_VIOLENCE_HATRED',
  'KEYWORD_INSUFFICIENT_INFORMATION_ON_TRADERS',
  'KEYWORD_LANGUAGE_REQUIREMENTS',
  'KEYWORD_MISINFORMATION_DISINFORMATION',
  'KEYWORD_MISLEADING_INFO_CONSUMER_RIGHTS',
  'KEYWORD_MISLEADING_INFO_GOODS_SERVICES',
  'KEYWORD_MISSING_PROCESSING_GROUND',
  'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING',
  'KEYWORD_NON_CONSENSUAL_IMAGE_SHARING_AGAINST_WOMEN',
  'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE',
  'KEYWORD_NON_CONSENSUAL_MATERIAL_DEEPFAKE_AGAINST_WOMEN',
  'KEYWORD_NONCOMPLIANCE_PRICING',
  'KEYWORD_NUDITY',
  'KEYWORD_PATENT_INFRINGEMENT',
  'KEYWORD_PHISHING',
  'KEYWORD_PROHIBITED_PRODUCTS',
  'KEYWORD_PYRAMID_SCHEMES',
  'KEYWORD_RIGHT_TO_BE_FORGOTTEN',
  'KEYWORD_RISK_ENVIRONMENTAL_DAMAGE',
  'KEYWORD_RISK_PUBLIC_HEALTH',
  'KEYWORD_SELF_MUTILATION',
  'KEYWORD_STALKING',
  'KEYWORD_SUICIDE',
  'KEYWORD_TERRORIST_CONTENT',
  'KEYWORD_TRADE_SECRET_INFRINGEMENT',
  'KEYWORD_TRADEMARK_INFRINGEMENT',
  'KEYWORD_TRAFFICKING_WOMEN_GIRLS',
  'KEYWORD_UNLAWFUL_SALE_ANIMALS',
  'KEYWORD_UNSAFE_CHALLENGES',
  'KEYWORD_UNSAFE_PRODUCTS',
  'KEYWORD_VIOLATION_EU_LAW',
  'KEYWORD_VIOLATION_NATIONAL_LAW',
  'KEYWORD_OTHER',
] as const;

/** The fields only the platform can fill in. */
export const PLATFORM_FIELDS = [
  'puid',
  'content_type',
  'content_date',
  'automated_detection',
  'automated_decision',
] as const;

type Schema = Record<string, unknown>;
const text = (max: number): Schema => ({ type: 'string', maxLength: max });
const nullable = (schema: Schema): Schema => ({ anyOf: [schema, { type: 'null' }] });
const enumOf = (values: readonly string[]): Schema => ({ type: 'string', enum: [...values] });
const arrayOf = (values: readonly string[], minItems = 0): Schema => ({
  type: 'array',
  items: enumOf(values),
  uniqueItems: true,
  minItems,
});
const date = (min: string): Schema => ({
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  format: 'date',
  formatMinimum: min,
  formatMaximum: '2038-01-01',
});
const endDate: Schema = nullable({
  type: 'string',
  pattern: '^\\d{4}-\\d{2}-\\d{2}$',
  format: 'date',
  formatMaximum: '2038-01-01',
});
const containsValue = (field: string, value: string): Schema => ({
  properties: { [field]: { type: 'array', contains: { const: value } } },
  required: [field],
});
const equals = (field: string, value: string): Schema => ({
  properties: { [field]: { const: value } },
  required: [field],
});
// JSON Schema's if/then, built so that the object is not mistaken for a promise ("thenable").
const when = (condition: Schema, consequence: Schema): Schema =>
  Object.fromEntries([
    ['if', condition],
    ['then', consequence],
  ]);
const present = (field: string): Schema => ({
  properties: { [field]: { not: { type: 'null' } } },
  required: [field],
});

export function dsaStatementSchema(options: { prefill?: boolean } = {}): Schema {
  const platform = (schema: Schema) => (options.prefill ? nullable(schema) : schema);
  return {
    type: 'object',
    additionalProperties: false,
    required: [
      'decision_ground',
      'content_type',
      'category',
      'territorial_scope',
      'content_date',
      'application_date',
      'decision_facts',
      'source_type',
      'automated_detection',
      'automated_decision',
      'puid',
    ],
    properties: {
      decision_visibility: nullable(arrayOf(DECISION_VISIBILITIES, 1)),
      decision_visibility_other: nullable(text(500)),
      decision_monetary: nullable(enumOf(DECISION_MONETARIES)),
      decision_monetary_other: nullable(text(500)),
      decision_provision: nullable(enumOf(DECISION_PROVISIONS)),
      decision_account: nullable(enumOf(DECISION_ACCOUNTS)),
      account_type: nullable(enumOf(ACCOUNT_TYPES)),
      decision_ground: enumOf(DECISION_GROUNDS),
      decision_ground_reference_url: nullable({ type: 'string', format: 'uri', maxLength: 500 }),
      illegal_content_legal_ground: text(500),
      illegal_content_explanation: text(2000),
      incompatible_content_ground: text(500),
      incompatible_content_explanation: text(2000),
      incompatible_content_illegal: enumOf(['Yes', 'No']),
      content_type: platform(arrayOf(CONTENT_TYPES, 1)),
      content_type_other: nullable(text(500)),
      category: enumOf(STATEMENT_CATEGORIES),
      category_addition: arrayOf(STATEMENT_CATEGORIES),
      category_specification: nullable(arrayOf(KEYWORDS)),
      category_specification_other: nullable(text(500)),
      territorial_scope: arrayOf(EU_EEA_COUNTRY_CODES, 1),
      content_language: nullable({ type: 'string', pattern: '^[A-Z]{2}$' }),
      content_date: platform(date('2000-01-01')),
      application_date: date('2020-01-01'),
      end_date_account_restriction: endDate,
      end_date_monetary_restriction: endDate,
      end_date_service_restriction: endDate,
      end_date_visibility_restriction: endDate,
      decision_facts: { type: 'string', minLength: 1, maxLength: 5000 },
      source_type: enumOf(SOURCE_TYPES),
      source_identity: nullable(text(500)),
      automated_detection: platform(enumOf(AUTOMATED_DETECTIONS)),
      automated_decision: platform(enumOf(AUTOMATED_DECISIONS)),
      puid: platform({ type: 'string', minLength: 1, maxLength: 500, pattern: '^[a-zA-Z0-9\\-_]+$' }),
    },
    allOf: [
      // At least one kind of restriction.
      {
        anyOf: [
          present('decision_visibility'),
          present('decision_monetary'),
          present('decision_provision'),
          present('decision_account'),
        ],
      },
      when(equals('decision_ground', 'DECISION_GROUND_ILLEGAL_CONTENT'), {
        required: ['illegal_content_legal_ground', 'illegal_content_explanation'],
      }),
      when(equals('decision_ground', 'DECISION_GROUND_INCOMPATIBLE_CONTENT'), {
        required: ['incompatible_content_ground', 'incompatible_content_explanation'],
      }),
      when(
        containsValue('decision_visibility', 'DECISION_VISIBILITY_OTHER'),
        present('decision_visibility_other'),
      ),
      when(containsValue('content_type', 'CONTENT_TYPE_OTHER'), present('content_type_other')),
      when(equals('decision_monetary', 'DECISION_MONETARY_OTHER'), present('decision_monetary_other')),
    ],
  };
}

/** The body of `POST /api/v1/statements`: 1 to 100 complete statements. */
export function dsaStatementsBatchSchema(): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['statements'],
    properties: { statements: { type: 'array', minItems: 1, maxItems: 100, items: dsaStatementSchema() } },
  };
}

/** Tenggat's export document: batches of prefilled statements with Tenggat's ids beside each. */
export function dsaPrefillDocumentSchema(): Schema {
  return {
    type: 'object',
    additionalProperties: false,
    required: ['format', 'generatedAt', 'from', 'to', 'platformIds', 'batches', 'skipped', 'note'],
    properties: {
      format: { const: 'tenggat-dsa-prefill/v1' },
      generatedAt: { type: 'string', format: 'date-time' },
      from: { type: 'string', format: 'date' },
      to: { type: 'string', format: 'date' },
      platformIds: { type: 'array', items: { type: 'string' } },
      note: { type: 'string' },
      skipped: {
        type: 'object',
        additionalProperties: false,
        required: ['ordersOutsideEuEea', 'itemsNotActedOn'],
        properties: {
          ordersOutsideEuEea: { type: 'integer', minimum: 0 },
          itemsNotActedOn: { type: 'integer', minimum: 0 },
        },
      },
      batches: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['batch', 'statements'],
          properties: {
            batch: { type: 'integer', minimum: 1 },
            statements: {
              type: 'array',
              minItems: 1,
              maxItems: 100,
              items: {
                type: 'object',
                additionalProperties: false,
                required: [
                  'tenggatOrderId',
                  'tenggatItemId',
                  'platformId',
                  'locator',
                  'toComplete',
                  'warnings',
                  'statement',
                ],
                properties: {
                  tenggatOrderId: { type: 'string' },
                  tenggatItemId: { type: 'string' },
                  platformId: { type: 'string' },
                  locator: { type: ['string', 'null'] },
                  toComplete: { type: 'array', items: enumOf(PLATFORM_FIELDS), uniqueItems: true },
                  warnings: { type: 'array', items: { type: 'string' } },
                  statement: dsaStatementSchema({ prefill: true }),
                },
              },
            },
          },
        },
      },
    },
  };
}
