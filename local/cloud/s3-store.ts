/**
 * Where the local S3 keeps objects: metadata in SQLite (`s3.sqlite`), bodies as files under `s3/objects/`, and
 * multipart uploads' parts under `s3/uploads/<uploadId>/` until completed or aborted.
 */
import { createHash, randomUUID } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';

export interface StoredObject {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  lastModified: string;
  contentType: string;
  /** Content-Disposition, Content-Encoding, Cache-Control, Content-Language, Expires as given. */
  headers: Record<string, string>;
  metadata: Record<string, string>;
  /** `{ crc32: base64 }` etc., as the client sent them (whole-object checksums only). */
  checksums: Record<string, string>;
  file: string;
}

export interface UploadInfo {
  uploadId: string;
  bucket: string;
  key: string;
  contentType: string;
  headers: Record<string, string>;
  metadata: Record<string, string>;
}

export type NewObject = Omit<StoredObject, 'size' | 'etag' | 'lastModified' | 'file'>;

export function createS3Store(dataDir: string) {
  const objectsDir = join(dataDir, 's3', 'objects');
  const uploadsDir = join(dataDir, 's3', 'uploads');
  mkdirSync(objectsDir, { recursive: true });
  mkdirSync(uploadsDir, { recursive: true });
  const db = new Database(join(dataDir, 's3.sqlite'));
  db.pragma('journal_mode = WAL');
  db.exec(`CREATE TABLE IF NOT EXISTS objects (bucket TEXT NOT NULL, key TEXT NOT NULL, json TEXT NOT NULL,
      PRIMARY KEY (bucket, key));
    CREATE TABLE IF NOT EXISTS uploads (upload_id TEXT PRIMARY KEY, json TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS parts (upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL,
      size INTEGER NOT NULL, md5 BLOB NOT NULL, PRIMARY KEY (upload_id, part_number));`);
  const selectObject = db.prepare('SELECT json FROM objects WHERE bucket = ? AND key = ?');

  const get = (bucket: string, key: string): StoredObject | undefined => {
    const row = selectObject.get(bucket, key) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as StoredObject) : undefined;
  };

  /** Stores the object (replacing any older one) and returns it; `etag` given for multipart objects. */
  const commit = (object: NewObject, file: string, etag?: string): StoredObject => {
    const stored: StoredObject = {
      ...object,
      size: statSync(file).size,
      etag: etag ?? `"${createHash('md5').update(readFileSync(file)).digest('hex')}"`,
      lastModified: new Date().toISOString(),
      file,
    };
    const previous = get(object.bucket, object.key);
    db.prepare('INSERT OR REPLACE INTO objects (bucket, key, json) VALUES (?, ?, ?)').run(
      object.bucket,
      object.key,
      JSON.stringify(stored),
    );
    if (previous && previous.file !== file) rmSync(previous.file, { force: true });
    return stored;
  };

  const put = (object: NewObject, body: Buffer): StoredObject => {
    const file = join(objectsDir, randomUUID());
    writeFileSync(file, body);
    return commit(object, file);
  };

  const remove = (bucket: string, key: string): void => {
    const previous = get(bucket, key);
    db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?').run(bucket, key);
    if (previous) rmSync(previous.file, { force: true });
  };

  /** Keys of a bucket in UTF-8 binary order (as S3 lists them), from `after` on. */
  const list = (bucket: string, prefix: string, after: string): StoredObject[] =>
    (
      db
        .prepare('SELECT json FROM objects WHERE bucket = ? AND key > ? ORDER BY CAST(key AS BLOB)')
        .all(bucket, after) as { json: string }[]
    )
      .map((row) => JSON.parse(row.json) as StoredObject)
      .filter((object) => object.key.startsWith(prefix));

  const createUpload = (info: Omit<UploadInfo, 'uploadId'>): UploadInfo => {
    const upload = { ...info, uploadId: randomUUID().replaceAll('-', '') };
    mkdirSync(join(uploadsDir, upload.uploadId), { recursive: true });
    db.prepare('INSERT INTO uploads (upload_id, json) VALUES (?, ?)').run(
      upload.uploadId,
      JSON.stringify(upload),
    );
    return upload;
  };

  const upload = (uploadId: string): UploadInfo | undefined => {
    const row = db.prepare('SELECT json FROM uploads WHERE upload_id = ?').get(uploadId) as
      | { json: string }
      | undefined;
    return row ? (JSON.parse(row.json) as UploadInfo) : undefined;
  };

  const putPart = (uploadId: string, partNumber: number, body: Buffer): string => {
    const md5 = createHash('md5').update(body).digest();
    writeFileSync(join(uploadsDir, uploadId, String(partNumber)), body);
    const etag = `"${md5.toString('hex')}"`;
    db.prepare(
      'INSERT OR REPLACE INTO parts (upload_id, part_number, etag, size, md5) VALUES (?, ?, ?, ?, ?)',
    ).run(uploadId, partNumber, etag, body.length, md5);
    return etag;
  };

  const parts = (uploadId: string) =>
    db
      .prepare('SELECT part_number, etag, size, md5 FROM parts WHERE upload_id = ? ORDER BY part_number')
      .all(uploadId) as { part_number: number; etag: string; size: number; md5: Buffer }[];

  /** Joins the chosen parts into the object; the ETag is S3's md5-of-md5s with the part count. */
  const completeUpload = (info: UploadInfo, chosen: number[]): StoredObject => {
    const known = new Map(parts(info.uploadId).map((part) => [part.part_number, part]));
    const file = join(objectsDir, randomUUID());
    writeFileSync(file, '');
    const md5s: Buffer[] = [];
    for (const number of chosen) {
      appendFileSync(file, readFileSync(join(uploadsDir, info.uploadId, String(number))));
      md5s.push(known.get(number)?.md5 ?? Buffer.alloc(0));
    }
    const etag = `"${createHash('md5').update(Buffer.concat(md5s)).digest('hex')}-${chosen.length}"`;
    const stored = commit(
      {
        bucket: info.bucket,
        key: info.key,
        contentType: info.contentType,
        headers: info.headers,
        metadata: info.metadata,
        checksums: {},
      },
      file,
      etag,
    );
    abortUpload(info.uploadId);
    return stored;
  };

  const abortUpload = (uploadId: string): void => {
    db.prepare('DELETE FROM parts WHERE upload_id = ?').run(uploadId);
    db.prepare('DELETE FROM uploads WHERE upload_id = ?').run(uploadId);
    rmSync(join(uploadsDir, uploadId), { recursive: true, force: true });
  };

  return {
    get,
    put,
    remove,
    list,
    createUpload,
    upload,
    putPart,
    parts,
    completeUpload,
    abortUpload,
    close: () => db.close(),
  };
}

export type S3Store = ReturnType<typeof createS3Store>;
