import { applyResultPath, evaluatePath, resolvePayloadTemplate } from '../jsonpath-bridge';
import type { WireOutput } from './wire';

type Event = Record<string, unknown> & { type: string };

function detailOf(events: Event[], suffix: string, key: 'output' | 'parameters' | 'input'): unknown {
  for (const event of events) {
    if (!event.type.endsWith(suffix)) continue;
    for (const value of Object.values(event)) {
      if (value && typeof value === 'object' && typeof (value as Record<string, unknown>)[key] === 'string') {
        return JSON.parse((value as Record<string, string>)[key] ?? 'null');
      }
    }
  }
  return undefined;
}

/** The state's processing steps in JSONPath: the value after each of InputPath, Parameters, the work, ... */
function jsonPathSteps(state: Record<string, unknown>, input: unknown, events: Event[]): WireOutput {
  const afterInputPath =
    state.InputPath === null
      ? {}
      : typeof state.InputPath === 'string'
        ? evaluatePath(state.InputPath, input)
        : input;
  let afterParameters: unknown = afterInputPath;
  if (state.Type === 'Task') afterParameters = detailOf(events, 'Scheduled', 'parameters') ?? afterInputPath;
  else if (state.Parameters !== undefined) {
    afterParameters = resolvePayloadTemplate(state.Parameters, { input: afterInputPath });
  }
  const result =
    state.Type === 'Task'
      ? detailOf(events, 'Succeeded', 'output')
      : state.Type === 'Pass' && state.Result !== undefined
        ? state.Result
        : afterParameters;
  const afterResultSelector =
    state.ResultSelector === undefined
      ? result
      : resolvePayloadTemplate(state.ResultSelector, { input: result });
  const resultPath = state.ResultPath as string | null | undefined;
  const steps: Record<string, unknown> = { afterInputPath, afterParameters };
  if (state.Type === 'Task' || state.Type === 'Pass') {
    steps.result = result;
    steps.afterResultSelector = afterResultSelector;
    steps.afterResultPath = applyResultPath(input, afterResultSelector, resultPath);
  }
  return Object.fromEntries(
    Object.entries(steps)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, JSON.stringify(value)]),
  );
}

/** DEBUG's `inspectionData`: the input and, when the state ran to its end, each processing step's value. */
export function inspectionOf(
  state: Record<string, unknown>,
  inputText: string,
  events: Event[],
  outcome: WireOutput,
): WireOutput {
  const data: WireOutput = { input: inputText };
  if (outcome.status !== 'SUCCEEDED') return data;
  try {
    if (state.QueryLanguage === 'JSONata') {
      const args = detailOf(events, 'Scheduled', 'parameters');
      if (args !== undefined) data.afterArguments = JSON.stringify(args);
      const result = detailOf(events, 'Succeeded', 'output');
      if (result !== undefined) data.result = JSON.stringify(result);
      return data;
    }
    return { ...data, ...jsonPathSteps(state, JSON.parse(inputText), events) };
  } catch {
    // A step that cannot be replayed here (e.g. a context path) leaves the later steps out.
    return data;
  }
}
