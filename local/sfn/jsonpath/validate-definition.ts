import jsonata from 'jsonata';
import {
  BRANCH_FIELDS,
  COMMON_FIELDS,
  FIELDS_BY_TYPE,
  JSONATA_ONLY,
  JSONPATH_ONLY,
  STATE_TYPES,
  type StateType,
  TOP_LEVEL_FIELDS,
} from './definition-fields';
import {
  DefinitionProblem,
  isJsonataExpression,
  isNonNegativeInteger,
  type PathKind,
  type QueryLanguage,
  schemaProblem as schema,
  type ValidateOptions,
} from './definition-problem';
import { IntrinsicSyntaxError, looksLikeIntrinsic, parseIntrinsic } from './intrinsic-syntax';
import { isJsonObject, type JsonObject } from './json-value';
import {
  InvalidPathSyntaxError,
  isDefiniteSegment,
  isValidPath,
  type ParsedPath,
  parsePath,
} from './path-syntax';
import { type TypeChecks, validateTypeSpecific } from './validate-state-types';
import { transitionProblems } from './validate-transitions';

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

class DefinitionValidator implements TypeChecks {
  /** State names are unique across the whole machine, nested branches and processors included. */
  private readonly seenStateNames = new Set<string>();

  constructor(
    private readonly problems: DefinitionProblem[],
    private readonly topLanguage: QueryLanguage,
  ) {}

  add(problem: DefinitionProblem): void {
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
    this.problems.push(...transitionProblems(machine.StartAt, states, base));
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
    validateTypeSpecific(this, state, stateType, language, location);
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
  checkPath(value: unknown, location: string, field: string, kind: PathKind): void {
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

  private checkComment(holder: JsonObject, location: string): void {
    if (holder.Comment !== undefined && typeof holder.Comment !== 'string') {
      this.add(schema("Field 'Comment' must be a string", `${location}/Comment`));
    }
  }

  validateNested(scope: JsonObject, location: string): void {
    for (const key of Object.keys(scope)) {
      if (!BRANCH_FIELDS.has(key)) this.add(schema(`Field '${key}' is not supported`, location));
    }
    this.validateMachine(scope, location);
  }
}
