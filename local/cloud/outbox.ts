/**
 * The local mail outbox: every message SES v2 `SendEmail` accepts and every SNS email notification, kept in SQLite
 * and listed by `GET /_local/emails?to=&since=` (oldest first); `GET /_local/emails/<messageId>/attachments/<n>`
 * answers an attachment's bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import { sendJson } from './http-util';

export interface EmailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface OutboxEmail {
  messageId: string;
  sentAt: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  replyTo: string[];
  subject: string;
  text: string | null;
  html: string | null;
  /** `ses` (SendEmail) or `sns` (an email subscription). */
  via: 'ses' | 'sns';
  configurationSetName: string | null;
  attachments: { filename: string; contentType: string; size: number }[];
}

export type NewEmail = Omit<OutboxEmail, 'attachments' | 'sentAt'> & {
  sentAt?: string;
  attachments?: EmailAttachment[];
};

export interface Outbox {
  add(email: NewEmail): OutboxEmail;
  /** Oldest first; `to` matches any recipient (to, cc, bcc) case-insensitively; `since` is an ISO time. */
  list(filter?: { to?: string; since?: string }): OutboxEmail[];
  attachment(messageId: string, index: number): EmailAttachment | undefined;
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  close(): void;
}

export function createOutbox(options: {
  databasePath: string;
  onEmail?: (email: OutboxEmail) => void;
}): Outbox {
  const db = new Database(options.databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS emails (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, message_id TEXT NOT NULL UNIQUE, sent_at TEXT NOT NULL, email TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS attachments (
      message_id TEXT NOT NULL, idx INTEGER NOT NULL, filename TEXT NOT NULL, content_type TEXT NOT NULL,
      content BLOB NOT NULL, PRIMARY KEY (message_id, idx));`);
  const insertEmail = db.prepare('INSERT INTO emails (message_id, sent_at, email) VALUES (?, ?, ?)');
  const insertAttachment = db.prepare(
    'INSERT INTO attachments (message_id, idx, filename, content_type, content) VALUES (?, ?, ?, ?, ?)',
  );
  const selectAttachment = db.prepare(
    'SELECT filename, content_type, content FROM attachments WHERE message_id = ? AND idx = ?',
  );

  const add: Outbox['add'] = (email) => {
    const { attachments = [], ...rest } = email;
    const stored: OutboxEmail = {
      ...rest,
      sentAt: email.sentAt ?? new Date().toISOString(),
      attachments: attachments.map((a) => ({
        filename: a.filename,
        contentType: a.contentType,
        size: a.content.length,
      })),
    };
    db.transaction(() => {
      insertEmail.run(stored.messageId, stored.sentAt, JSON.stringify(stored));
      attachments.forEach((a, index) => {
        insertAttachment.run(stored.messageId, index, a.filename, a.contentType, a.content);
      });
    })();
    options.onEmail?.(stored);
    return stored;
  };

  const list: Outbox['list'] = (filter = {}) => {
    const rows = (
      filter.since
        ? db.prepare('SELECT email FROM emails WHERE sent_at >= ? ORDER BY seq').all(filter.since)
        : db.prepare('SELECT email FROM emails ORDER BY seq').all()
    ) as { email: string }[];
    const wanted = filter.to?.toLowerCase();
    return rows
      .map((row) => JSON.parse(row.email) as OutboxEmail)
      .filter(
        (email) =>
          !wanted ||
          [...email.to, ...email.cc, ...email.bcc].some((address) => addressOf(address) === wanted),
      );
  };

  const attachment: Outbox['attachment'] = (messageId, index) => {
    const row = selectAttachment.get(messageId, index) as
      | { filename: string; content_type: string; content: Buffer }
      | undefined;
    return row ? { filename: row.filename, contentType: row.content_type, content: row.content } : undefined;
  };

  const handle: Outbox['handle'] = async (request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method !== 'GET' || !url.pathname.startsWith('/_local/emails')) return false;
    if (url.pathname === '/_local/emails') {
      const since = url.searchParams.get('since') ?? undefined;
      if (since !== undefined && Number.isNaN(Date.parse(since))) {
        sendJson(response, 400, { message: `since must be an ISO 8601 time, got ${since}` });
        return true;
      }
      const emails = list({
        to: url.searchParams.get('to') ?? undefined,
        since: since === undefined ? undefined : new Date(since).toISOString(),
      });
      sendJson(response, 200, { emails });
      return true;
    }
    const match = /^\/_local\/emails\/([^/]+)\/attachments\/(\d+)$/.exec(url.pathname);
    const found =
      match?.[1] && match[2] ? attachment(decodeURIComponent(match[1]), Number(match[2])) : undefined;
    if (!found) {
      sendJson(response, 404, { message: `no such email attachment: ${url.pathname}` });
      return true;
    }
    response.writeHead(200, {
      'content-type': found.contentType,
      'content-length': String(found.content.length),
      'content-disposition': `attachment; filename="${found.filename.replace(/["\\\r\n]/g, '_')}"`,
    });
    response.end(found.content);
    return true;
  };

  return { add, list, attachment, handle, close: () => db.close() };
}

/** `Name <a@b.example>` or `a@b.example` → `a@b.example` (lower case). */
export function addressOf(mailbox: string): string {
  const angle = /<([^>]+)>\s*$/.exec(mailbox);
  return (angle?.[1] ?? mailbox).trim().toLowerCase();
}
