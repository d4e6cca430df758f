/** The JSONPath side of the engine (paths, templates, intrinsics, Choice rules, validation), from A1's module. */
export {
  applyResultPath,
  evaluateChoiceRule,
  evaluateIntrinsic,
  evaluatePath,
  fieldPathNotFoundCause,
  invalidPathCause,
  looksLikeIntrinsic,
  PathNotFoundError,
  resolvePayloadTemplate,
  UndefinedVariableError,
  validateDefinition,
} from '../jsonpath';
