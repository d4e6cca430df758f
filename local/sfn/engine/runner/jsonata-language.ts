import { StatesError } from '../../errors';
import type { Template } from '../asl';
import { evaluateJsonata, type JsonataScope, jsonataExpressionOf } from '../jsonata-evaluator';
import { unexpectedResultType } from './failures';
import type { QueryLanguage } from './query-language';
import { asRecord, type StateRun, visibleVariables } from './state-run';

function scope(
  run: StateRun,
  states: Record<string, unknown> = {},
  contextObject = run.contextObject,
): JsonataScope {
  return {
    states: { input: run.input, context: contextObject, ...states },
    variables: visibleVariables(run.strand),
  };
}

/** Evaluates `{% %}` strings anywhere inside a JSONata-state field value. */
export async function evaluateTemplate(
  value: unknown,
  where: JsonataScope,
  fieldPath: string,
): Promise<unknown> {
  const expression = jsonataExpressionOf(value);
  if (expression !== undefined) return evaluateJsonata(expression, where, fieldPath);
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    for (const [index, item] of value.entries()) {
      items.push(await evaluateTemplate(item, where, `${fieldPath}[${index}]`));
    }
    return items;
  }
  if (value && typeof value === 'object') {
    const resolved: Record<string, unknown> = {};
    for (const [key, entry] of Object.entries(value)) {
      resolved[key] = await evaluateTemplate(entry, where, `${fieldPath}/${key}`);
    }
    return resolved;
  }
  return value;
}

/** Assign: every expression sees the variables as they were before this state assigned any. */
async function assign(run: StateRun, assignment: Template, states: Record<string, unknown>): Promise<void> {
  if (!assignment || typeof assignment !== 'object') return;
  const values = asRecord(await evaluateTemplate(assignment, scope(run, states), 'Assign'));
  run.pendingAssignments = { ...run.pendingAssignments, ...values };
}

/** Output (or `fallback` without one), then Assign: both see `states` (`$states.result`, ...). */
async function outputAndAssign(
  run: StateRun,
  fields: { output?: Template; assign?: Template },
  fallback: unknown,
  states: Record<string, unknown>,
): Promise<unknown> {
  const output =
    fields.output === undefined
      ? fallback
      : await evaluateTemplate(fields.output, scope(run, states), 'Output');
  await assign(run, fields.assign, states);
  return output;
}

export const JSONATA: QueryLanguage = {
  name: 'JSONata',
  stateInput: (run) => run.input,

  evaluate(run, value, field, where) {
    return evaluateTemplate(value, scope(run, where.states, where.contextObject), field);
  },

  async taskArguments(run, contextObject) {
    if (run.state.arguments === undefined) return run.input;
    return evaluateTemplate(run.state.arguments, scope(run, {}, contextObject), 'Arguments');
  },

  passResult: () => undefined,

  outputOfResult(run, result) {
    return outputAndAssign(run, run.state, result, { result });
  },

  outputOfInput(run, _stateInput, fields) {
    return outputAndAssign(run, fields, run.input, {});
  },

  outputOfCatch(run, catcher, errorOutput) {
    return outputAndAssign(run, catcher, errorOutput, { errorOutput });
  },

  async choiceMatches(run, rule, index) {
    const condition = await evaluateTemplate(rule.condition, scope(run), `Choices[${index}]/Condition`);
    if (typeof condition !== 'boolean') {
      throw unexpectedResultType('Condition', rule.condition, 'boolean', condition);
    }
    return condition;
  },

  async mapItems(run) {
    const { state } = run;
    if (state.items === undefined) {
      if (!Array.isArray(run.input)) {
        throw new StatesError(
          'States.QueryEvaluationError',
          `Map state input must be an array but was: ${JSON.stringify(run.input)}`,
        );
      }
      return run.input;
    }
    const items = await evaluateTemplate(state.items, scope(run), 'Items');
    if (!Array.isArray(items)) throw unexpectedResultType('Items', state.items, 'array', items);
    return items;
  },
};
