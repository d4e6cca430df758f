import { StatesError } from '../../errors';
import type { Template } from '../asl';
import {
  applyResultPath,
  evaluateChoiceRule,
  evaluatePath,
  invalidPathCause,
  PathNotFoundError,
  resolvePayloadTemplate,
  UndefinedVariableError,
} from '../jsonpath-bridge';
import type { QueryLanguage } from './query-language';
import { asRecord, type StateRun, visibleVariables } from './state-run';

/**
 * What a JSONPath (`$$`, `$var`) sees besides `input`. Built on first use: most paths read neither, and the
 * context object and the merged variables were a tenth of a Pass state's time (profiled).
 */
export function pathScope(input: unknown, run: StateRun, contextObject?: Record<string, unknown>) {
  let variables: Record<string, unknown> | undefined;
  return {
    input,
    get context() {
      return contextObject ?? run.contextObject;
    },
    get variables() {
      variables ??= visibleVariables(run.strand);
      return variables;
    },
  };
}

/** InputPath / OutputPath / ItemsPath: `null` gives `{}`, a missing path is a States.Runtime failure. */
export function selectPath(
  path: string | null | undefined,
  data: unknown,
  run: StateRun,
  contextObject?: Record<string, unknown>,
): unknown {
  if (path === null) return {};
  if (path === undefined || path === '$') return data;
  try {
    return evaluatePath(path, data, pathScope(data, run, contextObject));
  } catch (error) {
    if (error instanceof PathNotFoundError || error instanceof UndefinedVariableError) {
      throw new StatesError('States.Runtime', invalidPathCause(path, error));
    }
    throw error;
  }
}

function template(
  template: Template,
  input: unknown,
  run: StateRun,
  contextObject?: Record<string, unknown>,
) {
  return resolvePayloadTemplate(template, pathScope(input, run, contextObject));
}

/** Assign: every expression sees the variables as they were before this state assigned any. */
function assign(run: StateRun, assignment: Template, input: unknown): void {
  if (!assignment || typeof assignment !== 'object') return;
  run.pendingAssignments = { ...run.pendingAssignments, ...asRecord(template(assignment, input, run)) };
}

function stateInput(run: StateRun): unknown {
  return selectPath(run.state.inputPath, run.input, run);
}

export const JSONPATH: QueryLanguage = {
  name: 'JSONPath',
  stateInput,

  async evaluate(run, value, _field, where) {
    return template(value, where.input, run, where.contextObject);
  },

  async taskArguments(run, contextObject) {
    const effective = selectPath(run.state.inputPath, run.input, run, contextObject);
    if (run.state.parameters === undefined) return effective;
    return template(run.state.parameters, effective, run, contextObject);
  },

  passResult(run) {
    const { state } = run;
    const effective = stateInput(run);
    // Parameters are evaluated (and can fail) even when Result then replaces them.
    const parameters =
      state.parameters === undefined ? effective : template(state.parameters, effective, run);
    return { value: state.hasResult ? state.result : parameters };
  },

  outputOfResult(run, result) {
    const { state } = run;
    const selector = 'resultSelector' in state ? state.resultSelector : undefined;
    const selected = selector === undefined ? result : template(selector, result, run);
    assign(run, state.assign, selected);
    const resultPath = 'resultPath' in state ? state.resultPath : undefined;
    const combined = applyResultPath(run.input, selected, resultPath);
    return selectPath(state.outputPath, combined, run);
  },

  outputOfInput(run, effective, fields) {
    assign(run, fields.assign, effective);
    return selectPath(run.state.outputPath, effective, run);
  },

  async outputOfCatch(run, catcher, errorOutput) {
    assign(run, catcher.assign, errorOutput);
    return applyResultPath(run.input, errorOutput, catcher.resultPath);
  },

  choiceMatches(run, rule, _index, effective) {
    return evaluateChoiceRule(rule.rule, pathScope(effective, run));
  },

  async mapItems(run, effective) {
    const items = selectPath(run.state.itemsPath, effective, run);
    if (!Array.isArray(items)) {
      throw new StatesError(
        'States.Runtime',
        `Invalid path '${String(run.state.itemsPath ?? '$')}': the value is not an array: ${JSON.stringify(items)}`,
      );
    }
    return items;
  },
};
