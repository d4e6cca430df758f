export {
  CHOICE_OPERATORS,
  type ChoiceScope,
  evaluateChoiceRule,
  InvalidChoiceRuleError,
  stringMatches,
} from './choice-rule';
export {
  evaluatePath,
  normalizedPath,
  PathNotFoundError,
  type PathScope,
  tryEvaluatePath,
  UndefinedVariableError,
} from './evaluate-path';
export {
  evaluateIntrinsic,
  INTRINSIC_FUNCTION_NAMES,
  IntrinsicFailure,
  type IntrinsicScope,
  IntrinsicSyntaxError,
  looksLikeIntrinsic,
  parseIntrinsic,
} from './intrinsics';
export { isJsonObject, type JsonObject, type JsonValue, jsonEquals } from './json-value';
export { InvalidPathSyntaxError, isValidPath, parsePath } from './path-syntax';
export { type PayloadScope, resolvePayloadTemplate } from './payload-template';
export { applyResultPath, InvalidResultPathError, ResultPathMatchFailure } from './result-path';
export { fieldPathNotFoundCause, invalidPathCause } from './runtime-causes';
export { isValidTimestamp, parseTimestamp } from './timestamp';
export {
  DefinitionProblem,
  type DefinitionProblemCode,
  formatInvalidDefinitionMessage,
  type QueryLanguage,
  type ValidateOptions,
  validateDefinition,
} from './validate-definition';
