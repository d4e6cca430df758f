/**
 * A local EventBridge `PutEvents` (AWS JSON 1.1, `AWSEvents.PutEvents`): every accepted event is recorded in SQLite,
 * reported through `onEvent` (one line each) and listed by `GET /_local/events`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { AwsApiError, actionTable, type JsonObject, serveAwsJson } from './aws-json';
import { sendJson } from './http-util';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './template';

/** EventBridge's limit on one entry (1 MB) and entries per call (10). */
const ENTRY_LIMIT_BYTES = 1024 * 1024;
const ENTRIES_PER_CALL = 10;

export interface RecordedBusEvent {
  id: string;
  time: string;
  eventBusName: string;
  source: string;
  detailType: string;
  detail: unknown;
  resources: string[];
  receivedAt: string;
}

export interface LocalEventBridge {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  dispatch(action: string, input: JsonObject): Promise<JsonObject>;
  /** Recorded events, oldest first, optionally filtered. */
  events(filter?: { source?: string; detailType?: string; since?: string }): RecordedBusEvent[];
  close(): void;
}

export interface LocalEventBridgeOptions {
  databasePath: string;
  /** Names of the buses that exist besides `default`. */
  eventBusNames: string[];
  onEvent?: (event: RecordedBusEvent) => void;
}

/** One readable line for a recorded event. */
export function formatEventLine(event: RecordedBusEvent): string {
  const detail = JSON.stringify(event.detail);
  return `[event] ${event.time} ${event.eventBusName} ${event.source} ${event.detailType} ${
    detail.length > 160 ? `${detail.slice(0, 157)}...` : detail
  }`;
}

export function createLocalEventBridge(options: LocalEventBridgeOptions): LocalEventBridge {
  const db = new Database(options.databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, time TEXT NOT NULL, bus TEXT NOT NULL,
    source TEXT NOT NULL, detail_type TEXT NOT NULL, detail TEXT NOT NULL, resources TEXT NOT NULL,
    received_at TEXT NOT NULL)`);
  const buses = new Set(['default', ...options.eventBusNames]);
  const insert = db.prepare(
    'INSERT INTO events (id, time, bus, source, detail_type, detail, resources, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );

  const busNameOf = (value: unknown): string => {
    const text = typeof value === 'string' && value !== '' ? value : 'default';
    const fromArn = /^arn:[^:]+:events:[^:]*:[^:]*:event-bus\/(.+)$/.exec(text);
    return fromArn?.[1] ?? text;
  };

  const putEntry = (entry: JsonObject): JsonObject => {
    const source = entry.Source;
    const detailType = entry.DetailType;
    const detailText = entry.Detail;
    if (typeof source !== 'string' || source === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      };
    }
    if (typeof detailType !== 'string' || detailType === '') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      };
    }
    if (typeof detailText !== 'string') {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Detail is not valid. Reason: Detail is a required argument.',
      };
    }
    let detail: unknown;
    try {
      detail = JSON.parse(detailText);
    } catch {
      detail = undefined;
    }
    if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (Buffer.byteLength(JSON.stringify(entry)) > ENTRY_LIMIT_BYTES) {
      return {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Total size of the entries in the request is over the limit.',
      };
    }
    const bus = busNameOf(entry.EventBusName);
    if (!buses.has(bus)) {
      return {
        ErrorCode: 'NotAuthorizedForSourceException',
        ErrorMessage: `Event bus ${bus} does not exist.`,
      };
    }
    const time =
      typeof entry.Time === 'number'
        ? new Date(entry.Time * 1000).toISOString()
        : typeof entry.Time === 'string'
          ? new Date(entry.Time).toISOString()
          : new Date().toISOString();
    const resources = Array.isArray(entry.Resources) ? entry.Resources.map(String) : [];
    const recorded: RecordedBusEvent = {
      id: randomUUID(),
      time,
      eventBusName: bus,
      source,
      detailType,
      detail,
      resources,
      receivedAt: new Date().toISOString(),
    };
    insert.run(
      recorded.id,
      recorded.time,
      bus,
      source,
      detailType,
      detailText,
      JSON.stringify(resources),
      recorded.receivedAt,
    );
    options.onEvent?.(recorded);
    return { EventId: recorded.id };
  };

  const dispatch = actionTable({
    PutEvents: (input) => {
      const entries = Array.isArray(input.Entries) ? (input.Entries as JsonObject[]) : [];
      if (entries.length === 0 || entries.length > ENTRIES_PER_CALL) {
        throw new AwsApiError(
          'ValidationException',
          `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${ENTRIES_PER_CALL}`,
        );
      }
      const results = entries.map(putEntry);
      return { FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length, Entries: results };
    },
    ListEventBuses: () => ({
      EventBuses: [...buses].map((name) => ({
        Name: name,
        Arn: `arn:aws:events:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:event-bus/${name}`,
      })),
    }),
  });

  const events: LocalEventBridge['events'] = (filter = {}) => {
    const rows = db.prepare('SELECT * FROM events ORDER BY seq').all() as {
      id: string;
      time: string;
      bus: string;
      source: string;
      detail_type: string;
      detail: string;
      resources: string;
      received_at: string;
    }[];
    return rows
      .filter(
        (row) =>
          (!filter.source || row.source === filter.source) &&
          (!filter.detailType || row.detail_type === filter.detailType) &&
          (!filter.since || row.received_at >= filter.since),
      )
      .map((row) => ({
        id: row.id,
        time: row.time,
        eventBusName: row.bus,
        source: row.source,
        detailType: row.detail_type,
        detail: JSON.parse(row.detail),
        resources: JSON.parse(row.resources),
        receivedAt: row.received_at,
      }));
  };

  const handle: LocalEventBridge['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/_local/events') {
      sendJson(response, 200, {
        events: events({
          source: url.searchParams.get('source') ?? undefined,
          detailType: url.searchParams.get('detailType') ?? undefined,
          since: url.searchParams.get('since') ?? undefined,
        }),
      });
      return true;
    }
    return serveAwsJson(request, response, 'AWSEvents', 'application/x-amz-json-1.1', dispatch);
  };

  return { handle, dispatch, events, close: () => db.close() };
}
