/**
 * The cause texts AWS puts after "An error occurred while executing the state 'X' (entered at the event
 * id #N). " in a States.Runtime failure. The runtime adds that prefix (it knows the state and event id).
 */

/** InputPath, OutputPath, ItemsPath, ResultPath reads: `Invalid path '$.x' : No results for path: $['x']`. */
export function invalidPathCause(path: string, pathError: Error): string {
  return `Invalid path '${path}' : ${pathError.message}`;
}

/**
 * A `.$` field of Parameters / ResultSelector / ItemSelector, or ErrorPath / CausePath of a Fail state:
 * `The JSONPath '$.x' specified for the field 'value.$' could not be found in the input '{"a":1}'`.
 */
export function fieldPathNotFoundCause(path: string, fieldName: string, input: unknown): string {
  return `The JSONPath '${path}' specified for the field '${fieldName}' could not be found in the input '${JSON.stringify(input)}'`;
}
