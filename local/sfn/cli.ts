/**
 * `npm run sfn-local -- --port 8083 --data .tenggat/sfn`: runs the local Step Functions engine behind its
 * AWS JSON 1.0 endpoint until SIGINT/SIGTERM.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { startSfnServer } from './http-server';
import type { EngineOptions } from './service-api';

export const USAGE = `Usage: npm run sfn-local -- [options]

Runs a local AWS Step Functions endpoint (AWS JSON 1.0, as the AWS SDKs and CLI expect).

Options:
  --port <n>                 port to listen on (default 8083; 0 picks a free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <dir|:memory:>      directory holding the SQLite file sfn.sqlite (default .tenggat/sfn);
                             :memory: keeps nothing after exit
  --lambda-endpoint <url>    Lambda Invoke API for Task states (default $AWS_ENDPOINT_URL_LAMBDA)
  --dynamodb-endpoint <url>  DynamoDB API for dynamodb:* integrations (default $AWS_ENDPOINT_URL_DYNAMODB)
  --eventbridge-endpoint <url>
                             EventBridge API for events:putEvents (default $AWS_ENDPOINT_URL_EVENTBRIDGE;
                             without it events are only recorded)
  --region <name>            region used in ARNs (default $AWS_REGION or us-east-1)
  --account <id>             12-digit account id used in ARNs (default 123456789012)
  -h, --help                 show this help
`;

export class CliUsageError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliUsageError';
  }
}

export interface CliConfig {
  port: number;
  host: string;
  engine: EngineOptions;
  help: boolean;
}

function parseUrl(flag: string, value: string | undefined): string | undefined {
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`unsupported protocol ${url.protocol}`);
  } catch (error) {
    throw new CliUsageError(`${flag}: not an http(s) URL: ${value}`, { cause: error });
  }
  return value.replace(/\/+$/, '');
}

/** Turns argv (without node and script) plus the environment into a configuration, or throws `CliUsageError`. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliConfig {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        data: { type: 'string' },
        'lambda-endpoint': { type: 'string' },
        'dynamodb-endpoint': { type: 'string' },
        'eventbridge-endpoint': { type: 'string' },
        region: { type: 'string' },
        account: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  const text = (name: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : undefined;
  };

  const portText = text('port') ?? '8083';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new CliUsageError(`--port: not a port number: ${portText}`);

  const account = text('account') ?? '123456789012';
  if (!/^\d{12}$/.test(account)) throw new CliUsageError(`--account: must be 12 digits: ${account}`);

  const region = text('region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1';
  if (!/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region))
    throw new CliUsageError(`--region: not a region name: ${region}`);

  const data = text('data') ?? '.tenggat/sfn';
  if (data === '') throw new CliUsageError('--data: empty path');
  const dataPath = data === ':memory:' ? ':memory:' : join(resolve(data), 'sfn.sqlite');

  const engine: EngineOptions = { dataPath, region, accountId: account };
  const lambdaEndpoint = parseUrl(
    '--lambda-endpoint',
    text('lambda-endpoint') ?? env.AWS_ENDPOINT_URL_LAMBDA,
  );
  const dynamodbEndpoint = parseUrl(
    '--dynamodb-endpoint',
    text('dynamodb-endpoint') ?? env.AWS_ENDPOINT_URL_DYNAMODB,
  );
  const eventBridgeEndpoint = parseUrl(
    '--eventbridge-endpoint',
    text('eventbridge-endpoint') ?? env.AWS_ENDPOINT_URL_EVENTBRIDGE,
  );
  if (lambdaEndpoint) engine.lambdaEndpoint = lambdaEndpoint;
  if (dynamodbEndpoint) engine.dynamodbEndpoint = dynamodbEndpoint;
  if (eventBridgeEndpoint) engine.eventBridgeEndpoint = eventBridgeEndpoint;

  return { port, host: text('host') ?? '127.0.0.1', engine, help: values.help === true };
}

export async function main(argv: string[]): Promise<number> {
  let config: CliConfig;
  try {
    config = parseCliArgs(argv);
  } catch (error) {
    if (!(error instanceof CliUsageError)) throw error;
    process.stderr.write(`sfn-local: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (config.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (config.engine.dataPath !== ':memory:')
    mkdirSync(resolve(config.engine.dataPath, '..'), { recursive: true });
  // Loaded here so that --help and flag errors answer without opening the engine's dependencies.
  const { createEngine } = await import('./engine');
  const engine = await createEngine(config.engine);
  let server: Awaited<ReturnType<typeof startSfnServer>>;
  try {
    server = await startSfnServer({ engine, port: config.port, host: config.host });
  } catch (error) {
    await engine.close();
    throw error;
  }
  process.stdout.write(
    `sfn-local: Step Functions endpoint ready at ${server.url} (data ${config.engine.dataPath}, ` +
      `lambda ${config.engine.lambdaEndpoint ?? 'none'})\n`,
  );
  await new Promise<void>((resolveStop) => {
    const stop = (signal: string) => {
      process.stdout.write(`sfn-local: ${signal}, stopping\n`);
      resolveStop();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  // Close the front first so no request reaches a closed store.
  await server.close();
  await engine.close();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `sfn-local: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
