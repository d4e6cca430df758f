/**
 * Injected function failures for tests: `PUT /_local/faults { functionName, failures }` makes the function's next
 * `failures` invocations fail as a crashing function does on Lambda; `GET /_local/faults` lists what is pending;
 * `failures: 0` clears. Kept in SQLite so a restart keeps them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { readBody, sendJson } from './http-util';

export interface PendingFault {
  functionName: string;
  failures: number;
  injected: number;
}

export interface FaultStore {
  set(functionName: string, failures: number): PendingFault;
  /** Consumes one pending failure: which one of how many, or undefined when none is pending. */
  take(functionName: string): { index: number; of: number } | undefined;
  list(): PendingFault[];
  /** Serves `PUT/GET /_local/faults`; `resolve` turns a logical id, name or ARN into the function name. */
  handle(
    request: IncomingMessage,
    response: ServerResponse,
    resolve: (nameOrLogicalId: string) => string | undefined,
  ): Promise<boolean>;
  close(): void;
}

export function createFaultStore(databasePath: string): FaultStore {
  const db = new Database(databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS faults (
    function_name TEXT PRIMARY KEY, remaining INTEGER NOT NULL, injected INTEGER NOT NULL)`);
  const select = db.prepare('SELECT remaining, injected FROM faults WHERE function_name = ?');

  const set: FaultStore['set'] = (functionName, failures) => {
    if (failures === 0) db.prepare('DELETE FROM faults WHERE function_name = ?').run(functionName);
    else {
      db.prepare(
        'INSERT INTO faults (function_name, remaining, injected) VALUES (?, ?, ?) ' +
          'ON CONFLICT (function_name) DO UPDATE SET remaining = excluded.remaining, injected = excluded.injected',
      ).run(functionName, failures, failures);
    }
    return { functionName, failures, injected: failures };
  };

  const take: FaultStore['take'] = (functionName) =>
    db.transaction(() => {
      const row = select.get(functionName) as { remaining: number; injected: number } | undefined;
      if (!row) return undefined;
      if (row.remaining <= 1) db.prepare('DELETE FROM faults WHERE function_name = ?').run(functionName);
      else
        db.prepare('UPDATE faults SET remaining = remaining - 1 WHERE function_name = ?').run(functionName);
      return { index: row.injected - row.remaining + 1, of: row.injected };
    })();

  const list: FaultStore['list'] = () =>
    (
      db.prepare('SELECT function_name, remaining, injected FROM faults ORDER BY function_name').all() as {
        function_name: string;
        remaining: number;
        injected: number;
      }[]
    ).map((row) => ({ functionName: row.function_name, failures: row.remaining, injected: row.injected }));

  const handle: FaultStore['handle'] = async (request, response, resolve) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== '/_local/faults') return false;
    if (request.method === 'GET') {
      sendJson(response, 200, { faults: list() });
      return true;
    }
    if (request.method !== 'PUT') {
      sendJson(response, 405, { message: 'use GET or PUT /_local/faults' });
      return true;
    }
    let body: { functionName?: unknown; failures?: unknown };
    try {
      body = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8'));
    } catch {
      sendJson(response, 400, { message: 'the body must be JSON: { "functionName": "...", "failures": n }' });
      return true;
    }
    const { functionName, failures } = body ?? {};
    if (typeof functionName !== 'string' || !Number.isInteger(failures) || (failures as number) < 0) {
      sendJson(response, 400, { message: 'expected { "functionName": string, "failures": integer >= 0 }' });
      return true;
    }
    const resolved = resolve(functionName);
    if (!resolved) {
      sendJson(response, 404, { message: `no function ${functionName} (physical name, logical id or ARN)` });
      return true;
    }
    sendJson(response, 200, set(resolved, failures as number));
    return true;
  };

  return { set, take, list, handle, close: () => db.close() };
}
