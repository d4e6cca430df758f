export {
  CHOICE_OPERATORS,
  type ChoiceScope,
  evaluateChoiceRule,
  InvalidChoiceRuleError,
  stringMatches,
} from './choice-rule';
export {
  DefinitionProblem,
  type DefinitionProblemCode,
  formatInvalidDefinitionMessage,
  type QueryLanguage,
  type ValidateOptions,
} from './definition-problem';
export {
  evaluatePath,
  normalizedPath,
  PathNotFoundError,
  type PathScope,
  tryEvaluatePath,
  UndefinedVariableError,
} from './evaluate-path';
export {
  INTRINSIC_FUNCTION_NAMES,
  IntrinsicFailure,
  IntrinsicSyntaxError,
  looksLikeIntrinsic,
  parseIntrinsic,
} from './intrinsic-syntax';
export { evaluateIntrinsic, type IntrinsicScope } from './intrinsics';
export { isJsonObject, type JsonObject, type JsonValue, jsonEquals } from './json-value';
export { InvalidPathSyntaxError, isValidPath, parsePath } from './path-syntax';
export { type PayloadScope, resolvePayloadTemplate } from './payload-template';
export { applyResultPath, InvalidResultPathError, ResultPathMatchFailure } from './result-path';
export { fieldPathNotFoundCause, invalidPathCause } from './runtime-causes';
export { isValidTimestamp, parseTimestamp } from './timestamp';
export { validateDefinition } from './validate-definition';
