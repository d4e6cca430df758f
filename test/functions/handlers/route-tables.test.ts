import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES } from '../../../lib/api';
import { FUNCTION_IDS, type FunctionId, handlerEntry } from '../../../lib/functions';
import { setFunctionEnv } from './api-event';

/** The route table an API function's handler module exports, if it has one. */
type HandlerModule = { routes?: readonly { method: string; resource: string }[] };

const tables = new Map<FunctionId, readonly { method: string; resource: string }[] | undefined>();

beforeAll(async () => {
  // Each module wires its own handler from the environment when it loads.
  setFunctionEnv();
  for (const functionId of FUNCTION_IDS) {
    const entry = handlerEntry(functionId).replace(/\.ts$/, '');
    const module = (await import(`../../../functions/src/handlers/${entry}.ts`)) as HandlerModule;
    tables.set(functionId, module.routes);
  }
});

describe('route tables', () => {
  it.each(FUNCTION_IDS)('%s answers exactly the routes the REST API sends it', (functionId) => {
    const expected = ROUTES.filter((route) => route.functionId === functionId)
      .map((route) => `${route.method} ${route.path}`)
      .sort();
    const table = tables.get(functionId);
    const actual = (table ?? []).map((route) => `${route.method} ${route.resource}`).sort();
    expect(actual).toEqual(expected);
    // Functions the API does not call (the state machine's) have no route table at all.
    expect(table === undefined).toBe(expected.length === 0);
  });
});
