/** A local Secrets Manager (AWS JSON 1.1, `secretsmanager.<Action>`), persisted in SQLite. */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Database from 'better-sqlite3';
import {
  AwsApiError,
  actionTable,
  type JsonObject,
  optionalString,
  requiredString,
  serveAwsJson,
} from './aws-json';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './template';

export interface SecretsManager {
  handle(request: IncomingMessage, response: ServerResponse): Promise<boolean>;
  dispatch(action: string, input: JsonObject): Promise<JsonObject>;
  close(): void;
}

interface SecretRow {
  name: string;
  arn: string;
  description: string | null;
  kms_key_id: string | null;
  tags: string;
  created: number;
  last_changed: number;
  last_accessed: number | null;
  deleted_date: number | null;
}

interface VersionRow {
  secret_arn: string;
  version_id: string;
  secret_string: string | null;
  secret_binary: Buffer | null;
  stages: string;
  created: number;
}

const NOT_FOUND = "Secrets Manager can't find the specified secret.";
const nowSeconds = () => Date.now() / 1000;

export function createSecretsManager(options: { databasePath: string }): SecretsManager {
  const db = new Database(options.databasePath);
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS secrets (
      name TEXT PRIMARY KEY, arn TEXT UNIQUE NOT NULL, description TEXT, kms_key_id TEXT, tags TEXT NOT NULL,
      created REAL NOT NULL, last_changed REAL NOT NULL, last_accessed REAL, deleted_date REAL);
    CREATE TABLE IF NOT EXISTS versions (
      secret_arn TEXT NOT NULL, version_id TEXT NOT NULL, secret_string TEXT, secret_binary BLOB,
      stages TEXT NOT NULL, created REAL NOT NULL, PRIMARY KEY (secret_arn, version_id));
  `);

  const findSecret = (secretId: string): SecretRow => {
    const byArn = db.prepare('SELECT * FROM secrets WHERE arn = ?').get(secretId) as SecretRow | undefined;
    if (byArn) return byArn;
    // A partial ARN (without the random suffix) or a plain name.
    const name = secretId.startsWith('arn:')
      ? secretId.replace(/^arn:[^:]*:[^:]*:[^:]*:[^:]*:secret:/, '')
      : secretId;
    const byName = db.prepare('SELECT * FROM secrets WHERE name = ?').get(name) as SecretRow | undefined;
    if (!byName) throw new AwsApiError('ResourceNotFoundException', NOT_FOUND);
    return byName;
  };

  const requireLive = (secret: SecretRow) => {
    if (secret.deleted_date !== null) {
      throw new AwsApiError(
        'InvalidRequestException',
        "You can't perform this operation on the secret because it was marked for deletion.",
      );
    }
  };

  const versionsOf = (arn: string) =>
    db.prepare('SELECT * FROM versions WHERE secret_arn = ? ORDER BY created').all(arn) as VersionRow[];

  const secretValueOf = (input: JsonObject) => {
    const secretString = optionalString(input, 'SecretString');
    const binary = optionalString(input, 'SecretBinary');
    if (secretString !== undefined && binary !== undefined) {
      throw new AwsApiError(
        'InvalidParameterException',
        'You can specify either SecretString or SecretBinary, not both.',
      );
    }
    return {
      secretString: secretString ?? null,
      secretBinary: binary ? Buffer.from(binary, 'base64') : null,
    };
  };

  const parseStages = (row: VersionRow): string[] => JSON.parse(row.stages);

  /** Adds a version, moving AWSCURRENT/AWSPREVIOUS as Secrets Manager does. */
  const addVersion = (
    secret: SecretRow,
    value: { secretString: string | null; secretBinary: Buffer | null },
    token: string | undefined,
    stages: string[] = ['AWSCURRENT'],
  ): { versionId: string; stages: string[] } => {
    const versionId = token ?? randomUUID();
    const existing = db
      .prepare('SELECT * FROM versions WHERE secret_arn = ? AND version_id = ?')
      .get(secret.arn, versionId) as VersionRow | undefined;
    if (existing) {
      const same =
        existing.secret_string === value.secretString &&
        Buffer.compare(existing.secret_binary ?? Buffer.alloc(0), value.secretBinary ?? Buffer.alloc(0)) ===
          0;
      if (!same) {
        throw new AwsApiError(
          'ResourceExistsException',
          `You can't modify an existing version, you can only create a new version.`,
        );
      }
      return { versionId, stages: parseStages(existing) };
    }
    const now = nowSeconds();
    const transaction = db.transaction(() => {
      const movesCurrent = stages.includes('AWSCURRENT');
      for (const version of versionsOf(secret.arn)) {
        let versionStages = parseStages(version).filter(
          (stage) => !stages.includes(stage) || stage === 'AWSCURRENT',
        );
        if (movesCurrent) {
          versionStages = versionStages.filter((stage) => stage !== 'AWSPREVIOUS');
          if (versionStages.includes('AWSCURRENT')) {
            versionStages = [...versionStages.filter((stage) => stage !== 'AWSCURRENT'), 'AWSPREVIOUS'];
          }
        }
        if (versionStages.length === 0) {
          db.prepare('DELETE FROM versions WHERE secret_arn = ? AND version_id = ?').run(
            secret.arn,
            version.version_id,
          );
        } else {
          db.prepare('UPDATE versions SET stages = ? WHERE secret_arn = ? AND version_id = ?').run(
            JSON.stringify(versionStages),
            secret.arn,
            version.version_id,
          );
        }
      }
      db.prepare(
        'INSERT INTO versions (secret_arn, version_id, secret_string, secret_binary, stages, created) VALUES (?, ?, ?, ?, ?, ?)',
      ).run(secret.arn, versionId, value.secretString, value.secretBinary, JSON.stringify(stages), now);
      db.prepare('UPDATE secrets SET last_changed = ? WHERE arn = ?').run(now, secret.arn);
    });
    transaction();
    return { versionId, stages };
  };

  const describe = (secret: SecretRow): JsonObject => {
    const versionIdsToStages = Object.fromEntries(
      versionsOf(secret.arn).map((version) => [version.version_id, parseStages(version)]),
    );
    const tags = JSON.parse(secret.tags) as unknown[];
    return {
      ARN: secret.arn,
      Name: secret.name,
      ...(secret.description !== null ? { Description: secret.description } : {}),
      ...(secret.kms_key_id !== null ? { KmsKeyId: secret.kms_key_id } : {}),
      CreatedDate: secret.created,
      LastChangedDate: secret.last_changed,
      ...(secret.last_accessed !== null ? { LastAccessedDate: secret.last_accessed } : {}),
      ...(secret.deleted_date !== null ? { DeletedDate: secret.deleted_date } : {}),
      ...(tags.length ? { Tags: tags } : {}),
      VersionIdsToStages: versionIdsToStages,
    };
  };

  const mergeTags = (current: string, added: unknown): string => {
    const tags = new Map<string, string>(
      (JSON.parse(current) as { Key: string; Value: string }[]).map((tag) => [tag.Key, tag.Value]),
    );
    for (const tag of Array.isArray(added) ? (added as { Key?: unknown; Value?: unknown }[]) : []) {
      if (typeof tag.Key === 'string') tags.set(tag.Key, String(tag.Value ?? ''));
    }
    return JSON.stringify([...tags].map(([Key, Value]) => ({ Key, Value })));
  };

  const dispatch = actionTable({
    CreateSecret: (input) => {
      const name = requiredString(input, 'Name');
      const existing = db.prepare('SELECT * FROM secrets WHERE name = ?').get(name) as SecretRow | undefined;
      if (existing?.deleted_date) {
        throw new AwsApiError(
          'InvalidRequestException',
          "You can't create this secret because a secret with this name is already scheduled for deletion.",
        );
      }
      if (existing) {
        throw new AwsApiError(
          'ResourceExistsException',
          `The operation failed because the secret ${name} already exists.`,
        );
      }
      const arn = `arn:aws:secretsmanager:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:secret:${name}-${randomBytes(3).toString('hex')}`;
      const now = nowSeconds();
      const value = secretValueOf(input);
      db.prepare(
        'INSERT INTO secrets (name, arn, description, kms_key_id, tags, created, last_changed) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        name,
        arn,
        optionalString(input, 'Description') ?? null,
        optionalString(input, 'KmsKeyId') ?? null,
        mergeTags('[]', input.Tags),
        now,
        now,
      );
      const secret = findSecret(arn);
      if (value.secretString === null && value.secretBinary === null) return { ARN: arn, Name: name };
      const { versionId } = addVersion(secret, value, optionalString(input, 'ClientRequestToken'));
      return { ARN: arn, Name: name, VersionId: versionId };
    },
    GetSecretValue: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      requireLive(secret);
      const versionId = optionalString(input, 'VersionId');
      const stage = optionalString(input, 'VersionStage') ?? (versionId ? undefined : 'AWSCURRENT');
      const version = versionsOf(secret.arn).find(
        (row) => (!versionId || row.version_id === versionId) && (!stage || parseStages(row).includes(stage)),
      );
      if (!version) {
        throw new AwsApiError(
          'ResourceNotFoundException',
          stage
            ? `Secrets Manager can't find the specified secret value for staging label: ${stage}`
            : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
        );
      }
      db.prepare('UPDATE secrets SET last_accessed = ? WHERE arn = ?').run(
        Math.floor(Date.now() / 86_400_000) * 86_400,
        secret.arn,
      );
      return {
        ARN: secret.arn,
        Name: secret.name,
        VersionId: version.version_id,
        ...(version.secret_string !== null ? { SecretString: version.secret_string } : {}),
        ...(version.secret_binary !== null ? { SecretBinary: version.secret_binary.toString('base64') } : {}),
        VersionStages: parseStages(version),
        CreatedDate: version.created,
      };
    },
    PutSecretValue: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      requireLive(secret);
      const value = secretValueOf(input);
      if (value.secretString === null && value.secretBinary === null) {
        throw new AwsApiError(
          'InvalidRequestException',
          'You must provide either SecretString or SecretBinary.',
        );
      }
      const stages = Array.isArray(input.VersionStages) ? input.VersionStages.map(String) : undefined;
      const { versionId, stages: versionStages } = addVersion(
        secret,
        value,
        optionalString(input, 'ClientRequestToken'),
        stages,
      );
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId, VersionStages: versionStages };
    },
    UpdateSecret: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      requireLive(secret);
      const description = optionalString(input, 'Description');
      const kmsKeyId = optionalString(input, 'KmsKeyId');
      if (description !== undefined || kmsKeyId !== undefined) {
        db.prepare(
          'UPDATE secrets SET description = COALESCE(?, description), kms_key_id = COALESCE(?, kms_key_id), last_changed = ? WHERE arn = ?',
        ).run(description ?? null, kmsKeyId ?? null, nowSeconds(), secret.arn);
      }
      const value = secretValueOf(input);
      if (value.secretString === null && value.secretBinary === null)
        return { ARN: secret.arn, Name: secret.name };
      const { versionId } = addVersion(secret, value, optionalString(input, 'ClientRequestToken'));
      return { ARN: secret.arn, Name: secret.name, VersionId: versionId };
    },
    DescribeSecret: (input) => describe(findSecret(requiredString(input, 'SecretId'))),
    DeleteSecret: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      const force = input.ForceDeleteWithoutRecovery === true;
      const windowDays = typeof input.RecoveryWindowInDays === 'number' ? input.RecoveryWindowInDays : 30;
      if (force && input.RecoveryWindowInDays !== undefined) {
        throw new AwsApiError(
          'InvalidParameterException',
          "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
        );
      }
      if (!force && (windowDays < 7 || windowDays > 30)) {
        throw new AwsApiError(
          'InvalidParameterException',
          'RecoveryWindowInDays must be between 7 and 30 days.',
        );
      }
      const deletionDate = force ? nowSeconds() : nowSeconds() + windowDays * 86_400;
      if (force) {
        db.prepare('DELETE FROM versions WHERE secret_arn = ?').run(secret.arn);
        db.prepare('DELETE FROM secrets WHERE arn = ?').run(secret.arn);
      } else {
        db.prepare('UPDATE secrets SET deleted_date = ? WHERE arn = ?').run(nowSeconds(), secret.arn);
      }
      return { ARN: secret.arn, Name: secret.name, DeletionDate: deletionDate };
    },
    RestoreSecret: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      db.prepare('UPDATE secrets SET deleted_date = NULL WHERE arn = ?').run(secret.arn);
      return { ARN: secret.arn, Name: secret.name };
    },
    ListSecrets: (input) => {
      const includeDeleted = input.IncludePlannedDeletion === true;
      const filters = Array.isArray(input.Filters)
        ? (input.Filters as { Key?: string; Values?: string[] }[])
        : [];
      const maxResults = typeof input.MaxResults === 'number' ? input.MaxResults : 100;
      const offset = typeof input.NextToken === 'string' ? Number(input.NextToken) || 0 : 0;
      const all = (db.prepare('SELECT * FROM secrets ORDER BY created, name').all() as SecretRow[]).filter(
        (secret) =>
          (includeDeleted || secret.deleted_date === null) &&
          filters.every((filter) => {
            const values = filter.Values ?? [];
            if (filter.Key === 'name') return values.some((value) => secret.name.startsWith(value));
            if (filter.Key === 'description') {
              return values.some((value) => (secret.description ?? '').startsWith(value));
            }
            if (filter.Key === 'tag-key') {
              return values.some((value) =>
                (JSON.parse(secret.tags) as { Key: string }[]).some((t) => t.Key === value),
              );
            }
            return true;
          }),
      );
      const page = all.slice(offset, offset + maxResults);
      const next = offset + maxResults < all.length ? String(offset + maxResults) : undefined;
      return {
        SecretList: page.map((secret) => {
          const { VersionIdsToStages, ...rest } = describe(secret);
          return { ...rest, SecretVersionsToStages: VersionIdsToStages };
        }),
        ...(next ? { NextToken: next } : {}),
      };
    },
    TagResource: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      db.prepare('UPDATE secrets SET tags = ? WHERE arn = ?').run(
        mergeTags(secret.tags, input.Tags),
        secret.arn,
      );
      return {};
    },
    UntagResource: (input) => {
      const secret = findSecret(requiredString(input, 'SecretId'));
      const removed = new Set(Array.isArray(input.TagKeys) ? input.TagKeys.map(String) : []);
      const kept = (JSON.parse(secret.tags) as { Key: string }[]).filter((tag) => !removed.has(tag.Key));
      db.prepare('UPDATE secrets SET tags = ? WHERE arn = ?').run(JSON.stringify(kept), secret.arn);
      return {};
    },
  });

  return {
    dispatch,
    handle: (request, response) =>
      serveAwsJson(request, response, 'secretsmanager', 'application/x-amz-json-1.1', dispatch),
    close: () => db.close(),
  };
}
