import type { HistoryEvent } from '../ports';

/**
 * What an operator sees of an execution's history: each event with the state it belongs to, and which states were
 * entered (visited) and are still open (current), as the AWS console marks them on the graph.
 */
export interface ExecutionEventView {
  id: number;
  timestamp: string;
  type: string;
  stateName: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  cause: string | null;
}

const TERMINAL_EXECUTION_EVENTS = new Set([
  'ExecutionSucceeded',
  'ExecutionFailed',
  'ExecutionAborted',
  'ExecutionTimedOut',
]);

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const isEntered = (type: string) => type.endsWith('StateEntered');
const isExited = (type: string) => type.endsWith('StateExited');

/**
 * Events with their state: `stateEnteredEventDetails.name` / `stateExitedEventDetails.name` (or a Map iteration's
 * `name`), else the state of the event it follows (`previousEventId`: a Task's Scheduled/Started/Succeeded follow its
 * Entered). Events after an exit and the execution's own events belong to no state.
 */
export function eventViews(events: readonly HistoryEvent[]): ExecutionEventView[] {
  const stateOf = new Map<number, string | null>();
  const exits = new Set<number>();
  return events.map((event): ExecutionEventView => {
    const details = event.details ?? {};
    let stateName = text(details.name);
    if (stateName === null && !event.type.startsWith('Execution') && event.previousEventId !== null) {
      if (!exits.has(event.previousEventId)) stateName = stateOf.get(event.previousEventId) ?? null;
    }
    stateOf.set(event.id, stateName);
    if (isExited(event.type)) exits.add(event.id);
    return {
      id: event.id,
      timestamp: event.timestamp.toISOString(),
      type: event.type,
      stateName,
      input: text(details.input),
      output: text(details.output),
      error: text(details.error),
      cause: text(details.cause),
    };
  });
}

type Definition = { States?: Record<string, unknown> };

/** Inner state names of each Map (ItemProcessor/Iterator) and Parallel (Branches) state, at any depth. */
export function innerStates(definition: unknown): Map<string, Set<string>> {
  const inner = new Map<string, Set<string>>();
  const namesUnder = (machine: unknown): string[] => {
    const states = (machine as Definition | null)?.States;
    if (states === undefined || states === null || typeof states !== 'object') return [];
    const names: string[] = [];
    for (const [name, state] of Object.entries(states)) {
      names.push(name);
      const record = (state ?? {}) as Record<string, unknown>;
      const children = [
        record.ItemProcessor,
        record.Iterator,
        ...(Array.isArray(record.Branches) ? record.Branches : []),
      ].flatMap((child) => (child === undefined ? [] : namesUnder(child)));
      if (children.length > 0) inner.set(name, new Set(children));
      names.push(...children);
    }
    return names;
  };
  namesUnder(definition);
  return inner;
}

/**
 * Visited: every state entered, in order of first entry. Current: entered more often than exited (a Map's
 * iterations enter the same states many times), none once the execution ended, and a Map's or Parallel's inner
 * states closed when it exits (an aborted iteration never exits its states).
 */
export function executionStates(events: readonly ExecutionEventView[], definition: unknown) {
  const inner = innerStates(definition);
  const visited: string[] = [];
  const open = new Map<string, number>();
  let ended = false;
  for (const event of events) {
    if (TERMINAL_EXECUTION_EVENTS.has(event.type)) ended = true;
    const name = event.stateName;
    if (name === null) continue;
    if (isEntered(event.type)) {
      if (!visited.includes(name)) visited.push(name);
      open.set(name, (open.get(name) ?? 0) + 1);
    } else if (isExited(event.type)) {
      open.set(name, Math.max(0, (open.get(name) ?? 0) - 1));
      if ((open.get(name) ?? 0) === 0) for (const child of inner.get(name) ?? []) open.delete(child);
    }
  }
  const currentStates = ended ? [] : visited.filter((name) => (open.get(name) ?? 0) > 0);
  return { visitedStates: visited, currentStates };
}
