/**
 * The Choice rules and the Retry/Catch lists of a state, checked as `validateDefinition` does (split from it to keep
 * each file readable); the checks they share with the rest of the definition come through `DefinitionChecks`.
 */
import { CHOICE_OPERATORS } from './choice-rule';
import type { DefinitionChecks, QueryLanguage } from './definition-problem';
import { schemaProblem as schema } from './definition-problem';
import { isJsonObject, type JsonObject } from './json-value';
import { isValidTimestamp } from './timestamp';

export function validateChoices(
  checks: DefinitionChecks,
  state: JsonObject,
  language: QueryLanguage,
  location: string,
): void {
  if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
    checks.add(schema('These fields are required: [Choices]', location));
    return;
  }
  state.Choices.forEach((rule, index) => {
    const ruleLocation = `${location}/Choices[${index}]`;
    if (!isJsonObject(rule)) {
      checks.add(schema('A Choice rule must be an object', ruleLocation));
      return;
    }
    if (typeof rule.Next !== 'string') checks.add(schema('These fields are required: [Next]', ruleLocation));
    if (language === 'JSONata') {
      if (rule.Condition === undefined)
        checks.add(schema('These fields are required: [Condition]', ruleLocation));
      for (const key of Object.keys(rule)) {
        if (!['Condition', 'Next', 'Comment', 'Assign', 'Output'].includes(key)) {
          checks.add(schema(`Field '${key}' is not supported`, ruleLocation));
        }
      }
      return;
    }
    validateChoiceRule(checks, rule, ruleLocation, true);
  });
}

function validateChoiceRule(
  checks: DefinitionChecks,
  rule: JsonObject,
  location: string,
  topLevel: boolean,
): void {
  const extra = topLevel ? ['Next', 'Comment', 'Assign'] : ['Comment'];
  if (rule.And !== undefined || rule.Or !== undefined) {
    const key = rule.And !== undefined ? 'And' : 'Or';
    const inner = rule[key];
    if (!Array.isArray(inner) || inner.length === 0) {
      checks.add(schema(`Field '${key}' must be a non-empty array`, `${location}/${key}`));
      return;
    }
    inner.forEach((item, index) => {
      if (isJsonObject(item)) validateChoiceRule(checks, item, `${location}/${key}[${index}]`, false);
      else checks.add(schema('A Choice rule must be an object', `${location}/${key}[${index}]`));
    });
    rejectUnknownRuleFields(checks, rule, [key, ...extra], location);
    return;
  }
  if (rule.Not !== undefined) {
    if (isJsonObject(rule.Not)) validateChoiceRule(checks, rule.Not, `${location}/Not`, false);
    else checks.add(schema("Field 'Not' must be an object", `${location}/Not`));
    rejectUnknownRuleFields(checks, rule, ['Not', ...extra], location);
    return;
  }
  if (rule.Variable === undefined) {
    checks.add(schema('These fields are required: [Variable]', location));
    return;
  }
  checks.checkPath(rule.Variable, `${location}/Variable`, 'Variable', 'readReference');
  const operators = Object.keys(rule).filter((key) => CHOICE_OPERATORS.includes(key));
  if (operators.length !== 1) {
    checks.add(schema('A Choice rule must have exactly one comparison operator', location));
    return;
  }
  const [operator = ''] = operators;
  const operand = rule[operator];
  const operandLocation = `${location}/${operator}`;
  if (operator.endsWith('Path')) checks.checkPath(operand, operandLocation, operator, 'readReference');
  else if (operator.startsWith('Is') || operator.startsWith('Boolean')) {
    if (typeof operand !== 'boolean')
      checks.add(schema(`Field '${operator}' must be a boolean`, operandLocation));
  } else if (operator.startsWith('Numeric')) {
    if (typeof operand !== 'number')
      checks.add(schema(`Field '${operator}' must be a number`, operandLocation));
  } else if (operator.startsWith('Timestamp')) {
    if (!isValidTimestamp(operand)) {
      checks.add(
        schema(`Field '${operator}' must be an ISO-8601 extended offset date-time`, operandLocation),
      );
    }
  } else if (typeof operand !== 'string') {
    checks.add(schema(`Field '${operator}' must be a string`, operandLocation));
  }
  rejectUnknownRuleFields(checks, rule, ['Variable', operator, ...extra], location);
}

function rejectUnknownRuleFields(
  checks: DefinitionChecks,
  rule: JsonObject,
  allowed: string[],
  location: string,
): void {
  for (const key of Object.keys(rule)) {
    if (!allowed.includes(key)) checks.add(schema(`Field '${key}' is not supported`, location));
  }
}

export function validateRetryAndCatch(
  checks: DefinitionChecks,
  state: JsonObject,
  language: QueryLanguage,
  location: string,
): void {
  for (const field of ['Retry', 'Catch'] as const) {
    const list = state[field];
    if (list === undefined) continue;
    if (!Array.isArray(list)) {
      checks.add(schema(`Field '${field}' must be an array`, `${location}/${field}`));
      continue;
    }
    list.forEach((entry, index) => {
      const entryLocation = `${location}/${field}[${index}]`;
      if (!isJsonObject(entry)) {
        checks.add(schema(`A ${field === 'Retry' ? 'Retrier' : 'Catcher'} must be an object`, entryLocation));
        return;
      }
      validateErrorEquals(checks, entry.ErrorEquals, entryLocation, index === list.length - 1);
      if (field === 'Retry') validateRetrier(checks, entry, entryLocation);
      else validateCatcher(checks, entry, language, entryLocation);
    });
  }
}

function validateErrorEquals(
  checks: DefinitionChecks,
  errorEquals: unknown,
  location: string,
  isLast: boolean,
): void {
  if (errorEquals === undefined) {
    checks.add(schema('These fields are required: [ErrorEquals]', location));
    return;
  }
  if (
    !Array.isArray(errorEquals) ||
    errorEquals.length === 0 ||
    !errorEquals.every((name) => typeof name === 'string')
  ) {
    checks.add(schema("Field 'ErrorEquals' must be a non-empty array of strings", `${location}/ErrorEquals`));
    return;
  }
  if (errorEquals.includes('States.ALL') && (errorEquals.length > 1 || !isLast)) {
    checks.add(
      schema(
        "'States.ALL' must appear alone in its 'ErrorEquals' array and in the last Retrier or Catcher",
        `${location}/ErrorEquals`,
      ),
    );
  }
}

function validateRetrier(checks: DefinitionChecks, retrier: JsonObject, location: string): void {
  const allowed = [
    'ErrorEquals',
    'IntervalSeconds',
    'MaxAttempts',
    'BackoffRate',
    'MaxDelaySeconds',
    'JitterStrategy',
    'Comment',
  ];
  rejectUnknownRuleFields(checks, retrier, allowed, location);
  const positiveInteger = (field: string, minimum: number) => {
    const value = retrier[field];
    if (value === undefined) return;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      checks.add(
        schema(`Field '${field}' must be an integer of at least ${minimum}`, `${location}/${field}`),
      );
    }
  };
  positiveInteger('IntervalSeconds', 1);
  positiveInteger('MaxAttempts', 0);
  positiveInteger('MaxDelaySeconds', 1);
  const backoff = retrier.BackoffRate;
  if (backoff !== undefined && (typeof backoff !== 'number' || backoff < 1)) {
    checks.add(schema("Field 'BackoffRate' must be a number of at least 1.0", `${location}/BackoffRate`));
  }
  const jitter = retrier.JitterStrategy;
  if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') {
    checks.add(schema("Field 'JitterStrategy' must be one of [FULL, NONE]", `${location}/JitterStrategy`));
  }
}

function validateCatcher(
  checks: DefinitionChecks,
  catcher: JsonObject,
  language: QueryLanguage,
  location: string,
): void {
  const allowed =
    language === 'JSONPath'
      ? ['ErrorEquals', 'Next', 'ResultPath', 'Assign', 'Comment']
      : ['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment'];
  rejectUnknownRuleFields(checks, catcher, allowed, location);
  if (typeof catcher.Next !== 'string') checks.add(schema('These fields are required: [Next]', location));
  if (language === 'JSONPath' && catcher.ResultPath !== undefined) {
    checks.checkPath(catcher.ResultPath, `${location}/ResultPath`, 'ResultPath', 'reference');
  }
}
