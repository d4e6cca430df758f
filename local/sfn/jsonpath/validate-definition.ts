import jsonata from 'jsonata';
import { CHOICE_OPERATORS } from './choice-rule';
import { IntrinsicSyntaxError, looksLikeIntrinsic, parseIntrinsic } from './intrinsics';
import { isJsonObject, type JsonObject } from './json-value';
import {
  InvalidPathSyntaxError,
  isDefiniteSegment,
  isValidPath,
  type ParsedPath,
  parsePath,
} from './path-syntax';
import { isValidTimestamp } from './timestamp';

export type QueryLanguage = 'JSONPath' | 'JSONata';

export type DefinitionProblemCode =
  | 'SCHEMA_VALIDATION_FAILED'
  | 'MISSING_TRANSITION_TARGET'
  | 'MISSING_END_STATE'
  | 'INVALID_JSONATA_EXPRESSION'
  | 'INVALID_JSON_DESCRIPTION';

/** One diagnostic; `String(problem)` renders it as AWS does: `CODE: message at /location`. */
export class DefinitionProblem {
  constructor(
    readonly code: DefinitionProblemCode,
    readonly message: string,
    /** JSON-pointer-like location (`/States/A/Next`); absent for whole-workflow problems. */
    readonly location?: string,
  ) {}

  toString(): string {
    return this.location === undefined
      ? `${this.code}: ${this.message}`
      : `${this.code}: ${this.message} at ${this.location}`;
  }
}

export interface ValidateOptions {
  /** The language of states that name none and whose machine names none (AWS: JSONPath). */
  queryLanguageDefault?: QueryLanguage;
}

/** AWS's InvalidDefinition message: `Invalid State Machine Definition: 'CODE: msg at /loc, CODE: ...'`. */
export function formatInvalidDefinitionMessage(problems: DefinitionProblem[]): string {
  return `Invalid State Machine Definition: '${problems.map(String).join(', ')}'`;
}

const STATE_TYPES = ['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map'] as const;
type StateType = (typeof STATE_TYPES)[number];

const TOP_LEVEL_FIELDS = new Set([
  'Comment',
  'StartAt',
  'States',
  'TimeoutSeconds',
  'Version',
  'QueryLanguage',
]);
const BRANCH_FIELDS = new Set(['Comment', 'StartAt', 'States', 'ProcessorConfig']);

const JSONPATH_ONLY = ['InputPath', 'OutputPath', 'Parameters', 'ResultPath', 'ResultSelector', 'ItemsPath'];
const JSONATA_ONLY = ['Output', 'Arguments', 'Items'];

/** Fields each state type accepts, in either language (language-only fields are checked separately). */
const FIELDS_BY_TYPE: Record<StateType, string[]> = {
  Pass: ['Next', 'End', 'InputPath', 'OutputPath', 'Parameters', 'ResultPath', 'Result', 'Output', 'Assign'],
  Task: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
    'Resource',
    'TimeoutSeconds',
    'TimeoutSecondsPath',
    'HeartbeatSeconds',
    'HeartbeatSecondsPath',
    'Retry',
    'Catch',
    'Credentials',
  ],
  Choice: ['InputPath', 'OutputPath', 'Output', 'Assign', 'Choices', 'Default'],
  Wait: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Output',
    'Assign',
    'Seconds',
    'SecondsPath',
    'Timestamp',
    'TimestampPath',
  ],
  Succeed: ['InputPath', 'OutputPath', 'Output'],
  Fail: ['Error', 'ErrorPath', 'Cause', 'CausePath'],
  Parallel: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
    'Branches',
    'Retry',
    'Catch',
  ],
  Map: [
    'Next',
    'End',
    'InputPath',
    'OutputPath',
    'Parameters',
    'ResultPath',
    'ResultSelector',
    'Output',
    'Arguments',
    'Assign',
    'Items',
    'ItemsPath',
    'ItemSelector',
    'ItemProcessor',
    'Iterator',
    'ItemReader',
    'ItemBatcher',
    'ResultWriter',
    'MaxConcurrency',
    'MaxConcurrencyPath',
    'ToleratedFailurePercentage',
    'ToleratedFailurePercentagePath',
    'ToleratedFailureCount',
    'ToleratedFailureCountPath',
    'Label',
    'Retry',
    'Catch',
  ],
};

const COMMON_FIELDS = ['Type', 'Comment', 'QueryLanguage'];

/** `arn:partition:service:region:account:resource`; region and account may be empty (`arn:aws:states:::lambda:invoke`). */
const RESOURCE_ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;

/**
 * Static checks `CreateStateMachine` runs before it accepts a definition. Returns every problem found
 * (empty when valid), in the shape AWS reports them.
 */
export function validateDefinition(definition: unknown, options: ValidateOptions = {}): DefinitionProblem[] {
  const problems: DefinitionProblem[] = [];
  if (!isJsonObject(definition)) {
    problems.push(new DefinitionProblem('INVALID_JSON_DESCRIPTION', 'The definition must be a JSON object'));
    return problems;
  }
  let topLanguage: QueryLanguage = options.queryLanguageDefault ?? 'JSONPath';
  if (definition.QueryLanguage !== undefined) {
    if (definition.QueryLanguage === 'JSONPath' || definition.QueryLanguage === 'JSONata') {
      topLanguage = definition.QueryLanguage;
    } else {
      problems.push(schema(`Field 'QueryLanguage' must be one of [JSONPath, JSONata]`, '/QueryLanguage'));
    }
  }
  for (const key of Object.keys(definition)) {
    if (!TOP_LEVEL_FIELDS.has(key)) problems.push(schema(`Field '${key}' is not supported`, ''));
  }
  if (definition.TimeoutSeconds !== undefined && !isNonNegativeInteger(definition.TimeoutSeconds)) {
    problems.push(schema('Field must be a non-negative integer', '/TimeoutSeconds'));
  }
  const validator = new DefinitionValidator(problems, topLanguage);
  validator.validateMachine(definition, '');
  return problems;
}

function schema(message: string, location: string): DefinitionProblem {
  return new DefinitionProblem('SCHEMA_VALIDATION_FAILED', message, location === '' ? '/' : location);
}

function isNonNegativeInteger(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0;
}

function isJsonataExpression(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith('{%') && value.endsWith('%}');
}

class DefinitionValidator {
  /** State names are unique across the whole machine, nested branches and processors included. */
  private readonly seenStateNames = new Set<string>();

  constructor(
    private readonly problems: DefinitionProblem[],
    private readonly topLanguage: QueryLanguage,
  ) {}

  private add(problem: DefinitionProblem): void {
    this.problems.push(problem);
  }

  /** Checks one `{StartAt, States}` scope: the machine, a Parallel branch or a Map processor. */
  validateMachine(machine: JsonObject, base: string): void {
    this.checkComment(machine, base);
    const required = ['StartAt', 'States'].filter((field) => machine[field] === undefined);
    if (required.length > 0) {
      this.add(schema(`These fields are required: [${required.join(', ')}]`, base));
      return;
    }
    if (typeof machine.StartAt !== 'string') {
      this.add(schema("Field 'StartAt' must be a string", `${base}/StartAt`));
      return;
    }
    const states = machine.States;
    if (!isJsonObject(states) || Object.keys(states).length === 0) {
      this.add(schema("Field 'States' must be a non-empty object", `${base}/States`));
      return;
    }
    for (const [name, state] of Object.entries(states)) {
      const location = `${base}/States/${name}`;
      if (name.length > 80) this.add(schema('State names must be at most 80 characters', location));
      if (this.seenStateNames.has(name)) this.add(schema(`Duplicate State name: ${name}`, location));
      this.seenStateNames.add(name);
      if (!isJsonObject(state)) {
        this.add(schema('A state must be an object', location));
        continue;
      }
      this.validateState(state, location);
    }
    this.validateTransitions(machine.StartAt, states, base);
  }

  private validateTransitions(startAt: string, states: JsonObject, base: string): void {
    const names = new Set(Object.keys(states));
    const edges = new Map<string, string[]>();
    const missing: DefinitionProblem[] = [];
    const target = (name: unknown, location: string, from: string | undefined) => {
      if (typeof name !== 'string') return;
      if (!names.has(name)) {
        missing.push(
          new DefinitionProblem('MISSING_TRANSITION_TARGET', `Missing 'Next' target: ${name}`, location),
        );
        return;
      }
      if (from !== undefined) edges.get(from)?.push(name);
    };
    target(startAt, `${base}/StartAt`, undefined);
    let hasTerminal = false;
    for (const [name, state] of Object.entries(states)) {
      edges.set(name, []);
      if (!isJsonObject(state)) continue;
      const location = `${base}/States/${name}`;
      if (state.End === true || state.Type === 'Succeed' || state.Type === 'Fail') hasTerminal = true;
      target(state.Next, `${location}/Next`, name);
      target(state.Default, `${location}/Default`, name);
      if (Array.isArray(state.Choices)) {
        state.Choices.forEach((rule, index) => {
          if (isJsonObject(rule)) target(rule.Next, `${location}/Choices[${index}]/Next`, name);
        });
      }
      if (Array.isArray(state.Catch)) {
        state.Catch.forEach((catcher, index) => {
          if (isJsonObject(catcher)) target(catcher.Next, `${location}/Catch[${index}]/Next`, name);
        });
      }
    }
    this.problems.push(...missing);
    if (!hasTerminal) {
      this.add(new DefinitionProblem('MISSING_END_STATE', 'Workflow has no terminal state'));
      return;
    }
    if (!names.has(startAt)) return;
    const reachable = new Set<string>([startAt]);
    const queue = [startAt];
    for (let current = queue.shift(); current !== undefined; current = queue.shift()) {
      for (const next of edges.get(current) ?? []) {
        if (!reachable.has(next)) {
          reachable.add(next);
          queue.push(next);
        }
      }
    }
    for (const name of names) {
      if (!reachable.has(name)) {
        this.add(
          new DefinitionProblem(
            'MISSING_TRANSITION_TARGET',
            `State "${name}" is not reachable.`,
            `${base}/States/${name}`,
          ),
        );
      }
    }
  }

  private validateState(state: JsonObject, location: string): void {
    const type = state.Type;
    if (type === undefined) {
      this.add(schema('These fields are required: [Type]', location));
      return;
    }
    if (typeof type !== 'string' || !(STATE_TYPES as readonly string[]).includes(type)) {
      this.add(schema(`Field 'Type' must be one of [${STATE_TYPES.join(', ')}]`, `${location}/Type`));
      return;
    }
    const stateType = type as StateType;
    this.checkComment(state, location);
    const language = this.stateLanguage(state, location);
    const allowed = new Set([...COMMON_FIELDS, ...FIELDS_BY_TYPE[stateType]]);
    for (const key of Object.keys(state)) {
      if (!allowed.has(key)) {
        this.add(schema(`Field '${key}' is not supported`, location));
        continue;
      }
      if (language === 'JSONPath' && JSONATA_ONLY.includes(key)) {
        this.add(
          schema(
            `The QueryLanguage is set to 'JSONPath', but field '${key}' is only supported for the 'JSONata' QueryLanguage`,
            location,
          ),
        );
      }
      if (language === 'JSONata' && JSONPATH_ONLY.includes(key)) {
        this.add(
          schema(
            `The QueryLanguage is set to 'JSONata', but field '${key}' is only supported for the 'JSONPath' QueryLanguage`,
            location,
          ),
        );
      }
    }
    this.validateTransitionFields(state, stateType, location);
    if (language === 'JSONPath') this.validateJsonPathFields(state, location);
    else this.validateJsonataStrings(state, location);
    this.validateTypeSpecific(state, stateType, language, location);
  }

  private stateLanguage(state: JsonObject, location: string): QueryLanguage {
    const declared = state.QueryLanguage;
    if (declared === undefined) return this.topLanguage;
    if (declared !== 'JSONPath' && declared !== 'JSONata') {
      this.add(
        schema(`Field 'QueryLanguage' must be one of [JSONPath, JSONata]`, `${location}/QueryLanguage`),
      );
      return this.topLanguage;
    }
    if (declared === 'JSONPath' && this.topLanguage === 'JSONata') {
      this.add(
        schema(`'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine`, location),
      );
    }
    return declared;
  }

  private validateTransitionFields(state: JsonObject, type: StateType, location: string): void {
    if (type === 'Choice' || type === 'Succeed' || type === 'Fail') return;
    const hasNext = state.Next !== undefined;
    const hasEnd = state.End !== undefined;
    if (hasNext && hasEnd) {
      this.add(schema('Exactly one of these fields must be provided: [Next, End]', location));
    } else if (!hasNext && !hasEnd) {
      this.add(schema('These fields are required: [Next | End]', location));
    }
    if (hasNext && typeof state.Next !== 'string')
      this.add(schema("Field 'Next' must be a string", `${location}/Next`));
    if (hasEnd && state.End !== true) this.add(schema("Field 'End' must be true", `${location}/End`));
  }

  /**
   * `path`: any JSONPath (InputPath, OutputPath, ItemsPath, ...); `reference`: a definite path into the
   * input (ResultPath); `readReference`: a definite path from any root (Choice Variable, `...Path`
   * operators); `pathOrIntrinsic`: a payload template `.$` value, ErrorPath or CausePath.
   */
  private checkPath(
    value: unknown,
    location: string,
    field: string,
    kind: 'path' | 'reference' | 'readReference' | 'pathOrIntrinsic',
  ) {
    if (value === null && (kind === 'path' || kind === 'reference')) return;
    if (typeof value !== 'string') {
      this.add(schema(`The value for the field '${field}' must be a string`, location));
      return;
    }
    if (kind === 'pathOrIntrinsic') {
      const valid = looksLikeIntrinsic(value) ? this.intrinsicValid(value) : isValidPath(value);
      if (!valid) {
        this.add(
          schema(
            `The value for the field '${field}' must be a valid JSONPath or a valid intrinsic function call`,
            location,
          ),
        );
      }
      return;
    }
    let parsed: ParsedPath;
    try {
      parsed = parsePath(value);
    } catch (error) {
      const detail = error instanceof InvalidPathSyntaxError ? error.detail : String(error);
      const what = kind === 'path' ? 'a valid JSONPath' : 'a Reference Path';
      this.add(schema(`Value is not ${what}: ${detail}`, location));
      return;
    }
    if (kind === 'path') return;
    if (
      !parsed.segments.every(isDefiniteSegment) ||
      parsed.segments.some((segment) => segment.kind === 'function')
    ) {
      this.add(schema('Value is not a Reference Path: Reference paths must select a single node', location));
    } else if (kind === 'reference' && parsed.root.kind !== 'input') {
      this.add(schema("Value is not a Reference Path: Reference path didn't start with '$'", location));
    }
  }

  private intrinsicValid(expression: string): boolean {
    try {
      parseIntrinsic(expression.trim());
      return true;
    } catch (error) {
      if (error instanceof IntrinsicSyntaxError) return false;
      throw error;
    }
  }

  private validateJsonPathFields(state: JsonObject, location: string): void {
    for (const field of ['InputPath', 'OutputPath', 'ItemsPath']) {
      if (state[field] !== undefined) this.checkPath(state[field], `${location}/${field}`, field, 'path');
    }
    for (const field of [
      'SecondsPath',
      'TimestampPath',
      'TimeoutSecondsPath',
      'HeartbeatSecondsPath',
      'MaxConcurrencyPath',
    ]) {
      if (state[field] !== undefined) this.checkPath(state[field], `${location}/${field}`, field, 'path');
    }
    for (const field of ['ErrorPath', 'CausePath']) {
      if (state[field] !== undefined)
        this.checkPath(state[field], `${location}/${field}`, field, 'pathOrIntrinsic');
    }
    if (state.ResultPath !== undefined)
      this.checkPath(state.ResultPath, `${location}/ResultPath`, 'ResultPath', 'reference');
    for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) {
      if (state[field] !== undefined) this.validatePayloadTemplate(state[field], `${location}/${field}`);
    }
  }

  /** Every `x.$` value of a payload template must be a path or an intrinsic function call. */
  private validatePayloadTemplate(template: unknown, location: string): void {
    if (Array.isArray(template)) {
      template.forEach((item, index) => {
        this.validatePayloadTemplate(item, `${location}[${index}]`);
      });
      return;
    }
    if (!isJsonObject(template)) return;
    for (const [key, value] of Object.entries(template)) {
      if (key.endsWith('.$') && Object.hasOwn(template, key.slice(0, -2))) {
        this.add(
          schema(`The field '${key.slice(0, -2)}' is duplicated after evaluation of '${key}'`, location),
        );
      }
      if (key.endsWith('.$')) {
        this.checkPath(value, location, key, 'pathOrIntrinsic');
      } else {
        this.validatePayloadTemplate(value, `${location}/${key}`);
      }
    }
  }

  /** Every `{% ... %}` string of a JSONata state (outside nested scopes) must parse. */
  private validateJsonataStrings(value: unknown, location: string, depth = 0): void {
    if (isJsonataExpression(value)) {
      const body = value.slice(2, -2);
      try {
        jsonata(body);
      } catch (error) {
        const message =
          isJsonObject(error) && typeof error.message === 'string' ? error.message : String(error);
        this.add(new DefinitionProblem('INVALID_JSONATA_EXPRESSION', message, location));
      }
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        this.validateJsonataStrings(item, `${location}[${index}]`, depth + 1);
      });
      return;
    }
    if (!isJsonObject(value)) return;
    for (const [key, item] of Object.entries(value)) {
      if (depth === 0 && (key === 'Branches' || key === 'ItemProcessor' || key === 'Iterator')) continue;
      this.validateJsonataStrings(item, `${location}/${key}`, depth + 1);
    }
  }

  private validateTypeSpecific(
    state: JsonObject,
    type: StateType,
    language: QueryLanguage,
    location: string,
  ): void {
    switch (type) {
      case 'Task':
        if (state.Resource === undefined) this.add(schema('These fields are required: [Resource]', location));
        else if (typeof state.Resource !== 'string' || !RESOURCE_ARN.test(state.Resource)) {
          this.add(schema('Value is not a valid resource ARN', `${location}/Resource`));
        }
        this.validateExclusive(state, ['TimeoutSeconds', 'TimeoutSecondsPath'], location);
        this.validateExclusive(state, ['HeartbeatSeconds', 'HeartbeatSecondsPath'], location);
        this.validateRetryAndCatch(state, language, location);
        break;
      case 'Parallel':
        if (!Array.isArray(state.Branches) || state.Branches.length === 0) {
          this.add(schema('These fields are required: [Branches]', location));
        } else {
          state.Branches.forEach((branch, index) => {
            const branchLocation = `${location}/Branches[${index}]`;
            if (!isJsonObject(branch)) this.add(schema('A branch must be an object', branchLocation));
            else this.validateNested(branch, branchLocation);
          });
        }
        this.validateRetryAndCatch(state, language, location);
        break;
      case 'Map': {
        const processorField = state.ItemProcessor !== undefined ? 'ItemProcessor' : 'Iterator';
        const processor = state[processorField];
        if (processor === undefined) this.add(schema('These fields are required: [ItemProcessor]', location));
        else if (!isJsonObject(processor))
          this.add(schema('Field must be an object', `${location}/${processorField}`));
        else this.validateNested(processor, `${location}/${processorField}`);
        if (state.ItemProcessor !== undefined && state.Iterator !== undefined) {
          this.add(
            schema('Exactly one of these fields must be provided: [ItemProcessor, Iterator]', location),
          );
        }
        this.validateExclusive(state, ['MaxConcurrency', 'MaxConcurrencyPath'], location);
        this.validateExclusive(state, ['ItemSelector', 'Parameters'], location);
        if (state.MaxConcurrency !== undefined && !isJsonataExpression(state.MaxConcurrency)) {
          if (!isNonNegativeInteger(state.MaxConcurrency)) {
            this.add(schema('Field must be a non-negative integer', `${location}/MaxConcurrency`));
          }
        }
        this.validateRetryAndCatch(state, language, location);
        break;
      }
      case 'Wait': {
        const present = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter(
          (f) => state[f] !== undefined,
        );
        if (present.length !== 1) {
          this.add(
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
          this.add(schema('Field must be a non-negative integer', `${location}/Seconds`));
        }
        if (
          state.Timestamp !== undefined &&
          !isJsonataExpression(state.Timestamp) &&
          !isValidTimestamp(state.Timestamp)
        ) {
          this.add(schema('Field must be an ISO-8601 extended offset date-time', `${location}/Timestamp`));
        }
        break;
      }
      case 'Fail':
        this.validateExclusive(state, ['Error', 'ErrorPath'], location);
        this.validateExclusive(state, ['Cause', 'CausePath'], location);
        break;
      case 'Choice':
        this.validateChoices(state, language, location);
        break;
      default:
        break;
    }
  }

  private checkComment(holder: JsonObject, location: string): void {
    if (holder.Comment !== undefined && typeof holder.Comment !== 'string') {
      this.add(schema("Field 'Comment' must be a string", `${location}/Comment`));
    }
  }

  private validateNested(scope: JsonObject, location: string): void {
    for (const key of Object.keys(scope)) {
      if (!BRANCH_FIELDS.has(key)) this.add(schema(`Field '${key}' is not supported`, location));
    }
    this.validateMachine(scope, location);
  }

  private validateExclusive(state: JsonObject, fields: string[], location: string): void {
    if (fields.filter((field) => state[field] !== undefined).length > 1) {
      this.add(schema(`At most one of these fields may be provided: [${fields.join(', ')}]`, location));
    }
  }

  private validateChoices(state: JsonObject, language: QueryLanguage, location: string): void {
    if (!Array.isArray(state.Choices) || state.Choices.length === 0) {
      this.add(schema('These fields are required: [Choices]', location));
      return;
    }
    state.Choices.forEach((rule, index) => {
      const ruleLocation = `${location}/Choices[${index}]`;
      if (!isJsonObject(rule)) {
        this.add(schema('A Choice rule must be an object', ruleLocation));
        return;
      }
      if (typeof rule.Next !== 'string') this.add(schema('These fields are required: [Next]', ruleLocation));
      if (language === 'JSONata') {
        if (rule.Condition === undefined)
          this.add(schema('These fields are required: [Condition]', ruleLocation));
        for (const key of Object.keys(rule)) {
          if (!['Condition', 'Next', 'Comment', 'Assign', 'Output'].includes(key)) {
            this.add(schema(`Field '${key}' is not supported`, ruleLocation));
          }
        }
        return;
      }
      this.validateChoiceRule(rule, ruleLocation, true);
    });
  }

  private validateChoiceRule(rule: JsonObject, location: string, topLevel: boolean): void {
    const extra = topLevel ? ['Next', 'Comment', 'Assign'] : ['Comment'];
    if (rule.And !== undefined || rule.Or !== undefined) {
      const key = rule.And !== undefined ? 'And' : 'Or';
      const inner = rule[key];
      if (!Array.isArray(inner) || inner.length === 0) {
        this.add(schema(`Field '${key}' must be a non-empty array`, `${location}/${key}`));
        return;
      }
      inner.forEach((item, index) => {
        if (isJsonObject(item)) this.validateChoiceRule(item, `${location}/${key}[${index}]`, false);
        else this.add(schema('A Choice rule must be an object', `${location}/${key}[${index}]`));
      });
      this.rejectUnknownRuleFields(rule, [key, ...extra], location);
      return;
    }
    if (rule.Not !== undefined) {
      if (isJsonObject(rule.Not)) this.validateChoiceRule(rule.Not, `${location}/Not`, false);
      else this.add(schema("Field 'Not' must be an object", `${location}/Not`));
      this.rejectUnknownRuleFields(rule, ['Not', ...extra], location);
      return;
    }
    if (rule.Variable === undefined) {
      this.add(schema('These fields are required: [Variable]', location));
      return;
    }
    this.checkPath(rule.Variable, `${location}/Variable`, 'Variable', 'readReference');
    const operators = Object.keys(rule).filter((key) => CHOICE_OPERATORS.includes(key));
    if (operators.length !== 1) {
      this.add(schema('A Choice rule must have exactly one comparison operator', location));
      return;
    }
    const [operator = ''] = operators;
    const operand = rule[operator];
    const operandLocation = `${location}/${operator}`;
    if (operator.endsWith('Path')) this.checkPath(operand, operandLocation, operator, 'readReference');
    else if (operator.startsWith('Is') || operator.startsWith('Boolean')) {
      if (typeof operand !== 'boolean')
        this.add(schema(`Field '${operator}' must be a boolean`, operandLocation));
    } else if (operator.startsWith('Numeric')) {
      if (typeof operand !== 'number')
        this.add(schema(`Field '${operator}' must be a number`, operandLocation));
    } else if (operator.startsWith('Timestamp')) {
      if (!isValidTimestamp(operand)) {
        this.add(
          schema(`Field '${operator}' must be an ISO-8601 extended offset date-time`, operandLocation),
        );
      }
    } else if (typeof operand !== 'string') {
      this.add(schema(`Field '${operator}' must be a string`, operandLocation));
    }
    this.rejectUnknownRuleFields(rule, ['Variable', operator, ...extra], location);
  }

  private rejectUnknownRuleFields(rule: JsonObject, allowed: string[], location: string): void {
    for (const key of Object.keys(rule)) {
      if (!allowed.includes(key)) this.add(schema(`Field '${key}' is not supported`, location));
    }
  }

  private validateRetryAndCatch(state: JsonObject, language: QueryLanguage, location: string): void {
    for (const field of ['Retry', 'Catch'] as const) {
      const list = state[field];
      if (list === undefined) continue;
      if (!Array.isArray(list)) {
        this.add(schema(`Field '${field}' must be an array`, `${location}/${field}`));
        continue;
      }
      list.forEach((entry, index) => {
        const entryLocation = `${location}/${field}[${index}]`;
        if (!isJsonObject(entry)) {
          this.add(schema(`A ${field === 'Retry' ? 'Retrier' : 'Catcher'} must be an object`, entryLocation));
          return;
        }
        this.validateErrorEquals(entry.ErrorEquals, entryLocation, index === list.length - 1);
        if (field === 'Retry') this.validateRetrier(entry, entryLocation);
        else this.validateCatcher(entry, language, entryLocation);
      });
    }
  }

  private validateErrorEquals(errorEquals: unknown, location: string, isLast: boolean): void {
    if (errorEquals === undefined) {
      this.add(schema('These fields are required: [ErrorEquals]', location));
      return;
    }
    if (
      !Array.isArray(errorEquals) ||
      errorEquals.length === 0 ||
      !errorEquals.every((name) => typeof name === 'string')
    ) {
      this.add(schema("Field 'ErrorEquals' must be a non-empty array of strings", `${location}/ErrorEquals`));
      return;
    }
    if (errorEquals.includes('States.ALL') && (errorEquals.length > 1 || !isLast)) {
      this.add(
        schema(
          "'States.ALL' must appear alone in its 'ErrorEquals' array and in the last Retrier or Catcher",
          `${location}/ErrorEquals`,
        ),
      );
    }
  }

  private validateRetrier(retrier: JsonObject, location: string): void {
    const allowed = [
      'ErrorEquals',
      'IntervalSeconds',
      'MaxAttempts',
      'BackoffRate',
      'MaxDelaySeconds',
      'JitterStrategy',
      'Comment',
    ];
    this.rejectUnknownRuleFields(retrier, allowed, location);
    const positiveInteger = (field: string, minimum: number) => {
      const value = retrier[field];
      if (value === undefined) return;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
        this.add(
          schema(`Field '${field}' must be an integer of at least ${minimum}`, `${location}/${field}`),
        );
      }
    };
    positiveInteger('IntervalSeconds', 1);
    positiveInteger('MaxAttempts', 0);
    positiveInteger('MaxDelaySeconds', 1);
    const backoff = retrier.BackoffRate;
    if (backoff !== undefined && (typeof backoff !== 'number' || backoff < 1)) {
      this.add(schema("Field 'BackoffRate' must be a number of at least 1.0", `${location}/BackoffRate`));
    }
    const jitter = retrier.JitterStrategy;
    if (jitter !== undefined && jitter !== 'FULL' && jitter !== 'NONE') {
      this.add(schema("Field 'JitterStrategy' must be one of [FULL, NONE]", `${location}/JitterStrategy`));
    }
  }

  private validateCatcher(catcher: JsonObject, language: QueryLanguage, location: string): void {
    const allowed =
      language === 'JSONPath'
        ? ['ErrorEquals', 'Next', 'ResultPath', 'Assign', 'Comment']
        : ['ErrorEquals', 'Next', 'Output', 'Assign', 'Comment'];
    this.rejectUnknownRuleFields(catcher, allowed, location);
    if (typeof catcher.Next !== 'string') this.add(schema('These fields are required: [Next]', location));
    if (language === 'JSONPath' && catcher.ResultPath !== undefined) {
      this.checkPath(catcher.ResultPath, `${location}/ResultPath`, 'ResultPath', 'reference');
    }
  }
}
