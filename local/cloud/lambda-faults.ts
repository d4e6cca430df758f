/**
 * Injected function failures for tests: `PUT /_local/faults { functionName, failures, payloadContains? }` makes the
 * function's next `failures` invocations (only those whose payload contains `payloadContains`, when given: one order
 * of a shared cloud) fail as a crashing function does on Lambda; `GET /_local/faults` lists what is pending;
 * `failures: 0` clears. Kept in SQLite so a restart keeps them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { readBody, sendJson } from './http-util';

export interface PendingFault {
  functionName: string;
  /** Only invocations whose payload contains this text fail; '' = any invocation. */
  payloadContains: string;
  failures: number;
  injected: number;
}

export interface FaultStore {
  set(functionName: string, failures: number, payloadContains?: string): PendingFault;
  /** Consumes one pending failure that matches the payload: which one of how many, or undefined when none does. */
  take(functionName: string, payload?: string): { index: number; of: number } | undefined;
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
  db.exec(`CREATE TABLE IF NOT EXISTS faults_v2 (
    function_name TEXT NOT NULL, payload_contains TEXT NOT NULL, remaining INTEGER NOT NULL,
    injected INTEGER NOT NULL, PRIMARY KEY (function_name, payload_contains))`);
  const candidates = db.prepare(
    'SELECT payload_contains, remaining, injected FROM faults_v2 WHERE function_name = ? ORDER BY payload_contains DESC',
  );
  const remove = db.prepare('DELETE FROM faults_v2 WHERE function_name = ? AND payload_contains = ?');

  const set: FaultStore['set'] = (functionName, failures, payloadContains = '') => {
    if (failures === 0) remove.run(functionName, payloadContains);
    else {
      db.prepare(
        'INSERT INTO faults_v2 (function_name, payload_contains, remaining, injected) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (function_name, payload_contains) DO UPDATE SET remaining = excluded.remaining, ' +
          'injected = excluded.injected',
      ).run(functionName, payloadContains, failures, failures);
    }
    return { functionName, payloadContains, failures, injected: failures };
  };

  const take: FaultStore['take'] = (functionName, payload = '') =>
    db.transaction(() => {
      const rows = candidates.all(functionName) as {
        payload_contains: string;
        remaining: number;
        injected: number;
      }[];
      // A fault aimed at this payload wins over one for any invocation.
      const row = rows.find(
        (candidate) => candidate.payload_contains === '' || payload.includes(candidate.payload_contains),
      );
      if (!row) return undefined;
      if (row.remaining <= 1) remove.run(functionName, row.payload_contains);
      else
        db.prepare(
          'UPDATE faults_v2 SET remaining = remaining - 1 WHERE function_name = ? AND payload_contains = ?',
        ).run(functionName, row.payload_contains);
      return { index: row.injected - row.remaining + 1, of: row.injected };
    })();

  const list: FaultStore['list'] = () =>
    (
      db
        .prepare(
          'SELECT function_name, payload_contains, remaining, injected FROM faults_v2 ORDER BY function_name',
        )
        .all() as { function_name: string; payload_contains: string; remaining: number; injected: number }[]
    ).map((row) => ({
      functionName: row.function_name,
      payloadContains: row.payload_contains,
      failures: row.remaining,
      injected: row.injected,
    }));

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
    let body: { functionName?: unknown; failures?: unknown; payloadContains?: unknown };
    try {
      body = JSON.parse((await readBody(request, 64 * 1024)).toString('utf8'));
    } catch {
      sendJson(response, 400, { message: 'the body must be JSON: { "functionName": "...", "failures": n }' });
      return true;
    }
    const { functionName, failures, payloadContains = '' } = body ?? {};
    if (
      typeof functionName !== 'string' ||
      !Number.isInteger(failures) ||
      (failures as number) < 0 ||
      typeof payloadContains !== 'string'
    ) {
      sendJson(response, 400, {
        message: 'expected { "functionName": string, "failures": integer >= 0, "payloadContains"?: string }',
      });
      return true;
    }
    const resolved = resolve(functionName);
    if (!resolved) {
      sendJson(response, 404, { message: `no function ${functionName} (physical name, logical id or ARN)` });
      return true;
    }
    sendJson(response, 200, set(resolved, failures as number, payloadContains));
    return true;
  };

  return { set, take, list, handle, close: () => db.close() };
}
