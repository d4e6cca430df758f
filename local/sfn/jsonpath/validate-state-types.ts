import { RESOURCE_ARN, type StateType } from './definition-fields';
import {
  type DefinitionChecks,
  isJsonataExpression,
  isNonNegativeInteger,
  type QueryLanguage,
  schemaProblem as schema,
} from './definition-problem';
import { isJsonObject, type JsonObject } from './json-value';
import { isValidTimestamp } from './timestamp';
import { validateChoices, validateRetryAndCatch } from './validate-state-rules';

/** What the checks of one state type need of the validator: problems, paths, and nested state machines. */
export interface TypeChecks extends DefinitionChecks {
  validateNested(scope: JsonObject, location: string): void;
}

type TypeRule = (checks: TypeChecks, state: JsonObject, language: QueryLanguage, location: string) => void;

function exclusive(checks: DefinitionChecks, state: JsonObject, fields: string[], location: string): void {
  if (fields.filter((field) => state[field] !== undefined).length > 1) {
    checks.add(schema(`At most one of these fields may be provided: [${fields.join(', ')}]`, location));
  }
}

/** The checks of each state type beyond its fields (Pass and Succeed have none). */
const TYPE_RULES: Partial<Record<StateType, TypeRule>> = {
  Task(checks, state, language, location) {
    if (state.Resource === undefined) checks.add(schema('These fields are required: [Resource]', location));
    else if (typeof state.Resource !== 'string' || !RESOURCE_ARN.test(state.Resource)) {
      checks.add(schema('Value is not a valid resource ARN', `${location}/Resource`));
    }
    exclusive(checks, state, ['TimeoutSeconds', 'TimeoutSecondsPath'], location);
    exclusive(checks, state, ['HeartbeatSeconds', 'HeartbeatSecondsPath'], location);
    validateRetryAndCatch(checks, state, language, location);
  },
  Parallel(checks, state, language, location) {
    if (!Array.isArray(state.Branches) || state.Branches.length === 0) {
      checks.add(schema('These fields are required: [Branches]', location));
    } else {
      state.Branches.forEach((branch, index) => {
        const branchLocation = `${location}/Branches[${index}]`;
        if (!isJsonObject(branch)) checks.add(schema('A branch must be an object', branchLocation));
        else checks.validateNested(branch, branchLocation);
      });
    }
    validateRetryAndCatch(checks, state, language, location);
  },
  Map(checks, state, language, location) {
    const processorField = state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
    const processor = state[processorField];
    if (processor === undefined) checks.add(schema('These fields are required: [ItemProcessor]', location));
    else if (!isJsonObject(processor))
      checks.add(schema('Field must be an object', `${location}/${processorField}`));
    else checks.validateNested(processor, `${location}/${processorField}`);
    if (state.ItemProcessor !== undefined && state.Iterator !== undefined) {
      checks.add(schema('Exactly one of these fields must be provided: [ItemProcessor, Iterator]', location));
    }
    exclusive(checks, state, ['MaxConcurrency', 'MaxConcurrencyPath'], location);
    exclusive(checks, state, ['ItemSelector', 'Parameters'], location);
    if (state.MaxConcurrency !== undefined && !isJsonataExpression(state.MaxConcurrency)) {
      if (!isNonNegativeInteger(state.MaxConcurrency)) {
        checks.add(schema('Field must be a non-negative integer', `${location}/MaxConcurrency`));
      }
    }
    validateRetryAndCatch(checks, state, language, location);
  },
  Wait(checks, state, _language, location) {
    const present = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter(
      (f) => state[f] !== undefined,
    );
    if (present.length !== 1) {
      checks.add(
        schema(
          'Exactly one of these fields must be provided: [Seconds, SecondsPath, Timestamp, TimestampPath]',
          location,
        ),
      );
    }
    if (
      state.Seconds !== undefined &&
      !isJsonataExpression(state.Seconds) &&
      !isNonNegativeInteger(state.Seconds)
    ) {
      checks.add(schema('Field must be a non-negative integer', `${location}/Seconds`));
    }
    if (
      state.Timestamp !== undefined &&
      !isJsonataExpression(state.Timestamp) &&
      !isValidTimestamp(state.Timestamp)
    ) {
      checks.add(schema('Field must be an ISO-8601 extended offset date-time', `${location}/Timestamp`));
    }
  },
  Fail(checks, state, _language, location) {
    exclusive(checks, state, ['Error', 'ErrorPath'], location);
    exclusive(checks, state, ['Cause', 'CausePath'], location);
  },
  Choice(checks, state, language, location) {
    validateChoices(checks, state, language, location);
  },
};

/** The checks of `state`'s type (its fields were checked before). */
export function validateTypeSpecific(
  checks: TypeChecks,
  state: JsonObject,
  type: StateType,
  language: QueryLanguage,
  location: string,
): void {
  TYPE_RULES[type]?.(checks, state, language, location);
}
