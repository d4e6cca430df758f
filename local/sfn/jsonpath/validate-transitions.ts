import { DefinitionProblem } from './definition-problem';
import { isJsonObject, type JsonObject } from './json-value';

/**
 * The transitions of one `{StartAt, States}` scope: every `Next`, `Default`, Choice and Catch target exists, some
 * state ends the workflow, and every state is reachable from `StartAt`.
 */
export function transitionProblems(startAt: string, states: JsonObject, base: string): DefinitionProblem[] {
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
  const problems = [...missing];
  if (!hasTerminal) {
    problems.push(new DefinitionProblem('MISSING_END_STATE', 'Workflow has no terminal state'));
    return problems;
  }
  if (!names.has(startAt)) return problems;
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
      problems.push(
        new DefinitionProblem(
          'MISSING_TRANSITION_TARGET',
          `State "${name}" is not reachable.`,
          `${base}/States/${name}`,
        ),
      );
    }
  }
  return problems;
}
