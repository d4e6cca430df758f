/** The JSONPath side of the engine, provided by `local/sfn/jsonpath/`. */
import * as jsonpath from '../jsonpath';

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
} from '../jsonpath';

type DefinitionValidator = (definition: unknown, options: { queryLanguageDefault: string }) => unknown;

/** A1's `validateDefinition` once it is exported; until then definitions are only checked structurally. */
export function findDefinitionValidator(): DefinitionValidator | undefined {
  const exported = (jsonpath as unknown as Record<string, unknown>).validateDefinition;
  return typeof exported === 'function' ? (exported as DefinitionValidator) : undefined;
}
