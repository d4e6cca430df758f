/**
 * `npm start`: synthesizes the CDK app and runs the template on this machine (DynamoDB Local, API Gateway with a
 * Cognito token endpoint, and the AWS services of `aws-services.ts` behind one AWS endpoint), then
 * writes `.tenggat/local.json` (0600) once everything answers.
 */
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { createApiGateway, type RateLimit } from './api-gateway';
import { awsEndpointEnvironment, startAwsEndpoint } from './aws-endpoint';
import { createAwsServices } from './aws-services';
import { createLocalCognito } from './cognito';
import { createCognitoAdmin } from './cognito-admin';
import { type PublishedUser, userPoolActions } from './cognito-users';
import {
  consoleCacheControl,
  consoleClientOf,
  consoleDirectories,
  createConsoleFiles,
} from './console-files';
import { type DynamoDbLocal, ensureTables, freePort, startDynamoDbLocal } from './dynamodb-local';
import { listen, type RunningServer } from './http-util';
import { openProcessRegistry, stopOnSignals } from './processes';
import { createProgressLog } from './progress-log';
import {
  SANDBOX_BEHAVIOURS,
  type SandboxBehaviour,
  type SandboxSettings,
  startSandboxPlatform,
} from './sandbox-platform';
import { type LocalSignIn, startPeople } from './start-people';
import {
  agencyClients,
  LocalCloudStartError,
  orderLookup,
  registerStateMachine,
  SANDBOX_PLATFORM_ID,
  type SandboxMachineClient,
  sandboxSecrets,
} from './start-steps';
import { registerStepFunctionsCatalog } from './step-functions-catalog';
import { synth } from './synth';
import { readLocalTemplate } from './template';

export { LocalCloudStartError } from './start-steps';

/** Ports of `npm start`; fixed so the synthesized template (which lists them as blocked webhook ports) is reused. */
export const DEFAULT_PORTS = { api: 4010, aws: 4011, dynamodb: 4012, sandbox: 4013 };
export { SANDBOX_PLATFORM_ID } from './start-steps';

export interface LocalCloudOptions {
  /** Where `cdk.json` lives. @default process.cwd() */
  projectDir?: string;
  /** Data folder (orders, secrets, keys, logs). @default `<projectDir>/.tenggat` */
  dataDir?: string;
  /** 0 = a free ephemeral port. @default DEFAULT_PORTS */
  ports?: Partial<typeof DEFAULT_PORTS>;
  /** Escalation policy: a name under `config/policies/` or a path to a JSON file. @default 'default' */
  policy?: string;
  stackName?: string;
  /** Synth output dir. @default `<dataDir>/cdk.out` (apart from a developer's own `cdk synth`). */
  cdkOutDir?: string;
  rateLimit?: RateLimit;
  /** Where progress lines go. @default console.log */
  log?: (line: string) => void;
  /** Print each function's log lines too. @default false */
  printFunctionLogs?: boolean;
  /** The built-in sandbox platform's behaviour, or false for none. @default { behaviour: 'comply', delaySeconds: 3 } */
  sandbox?: Partial<SandboxSettings> | false;
}

export interface LocalClientInfo {
  clientId: string;
  clientSecret: string;
  scopes: string[];
  agency?: string;
}

export interface LocalCloud {
  apiUrl: string;
  /** The web console, on the API's origin. */
  consoleUrl: string;
  tokenUrl: string;
  awsEndpoint: string;
  dynamodbEndpoint: string;
  clients: Record<string, LocalClientInfo>;
  platforms: Record<
    string,
    {
      webhookUrl: string;
      notificationSecret: string;
      responseSecret: string;
      /** Its client-credentials app client for the platform-side API (scope takedown/platform). */
      machineClient?: SandboxMachineClient;
    }
  >;
  /** People of the staff pool: seeded ones and those made at run time (AdminCreateUser). */
  users: Record<string, PublishedUser>;
  /** Where the console sends people to sign in; null when the template has no staff pool. */
  signIn: LocalSignIn | null;
  dataDir: string;
  localJsonPath: string;
  stop(): Promise<void>;
}

const resolveFrom = (base: string, path: string) => (isAbsolute(path) ? path : resolve(base, path));

export async function startLocalCloud(options: LocalCloudOptions = {}): Promise<LocalCloud> {
  const started = Date.now();
  const log = options.log ?? ((line: string) => console.log(line));
  const projectDir = resolve(options.projectDir ?? process.cwd());
  const dataDir = resolveFrom(projectDir, options.dataDir ?? '.tenggat');
  const stackName = options.stackName ?? 'Tenggat';
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const localJsonPath = join(dataDir, 'local.json');
  rmSync(localJsonPath, { force: true });

  const registry = await openProcessRegistry(dataDir);
  for (const leftover of registry.cleared)
    log(`cleared ${leftover.name} (pid ${leftover.pid}) left by a previous run`);

  const stops: (() => Promise<void> | void)[] = [];
  const stop = async () => {
    rmSync(localJsonPath, { force: true });
    for (const step of stops.reverse()) {
      try {
        await step();
      } catch (error) {
        log(`while stopping: ${String(error)}`);
      }
    }
    registry.release();
  };

  try {
    const ports = { ...DEFAULT_PORTS, ...options.ports };
    const api = ports.api || (await freePort());
    const aws = ports.aws || (await freePort());
    const dynamodbPort = ports.dynamodb || (await freePort());
    const ownPorts = [api, aws, dynamodbPort];
    for (const port of ownPorts) registry.recordPort(port);

    // DynamoDB Local starts (JVM) while the CDK app synthesizes.
    const dynamodbStart = startDynamoDbLocal({ dbPath: join(dataDir, 'dynamodb'), port: dynamodbPort });
    dynamodbStart.catch(() => {});
    const policy = options.policy ?? process.env.TENGGAT_POLICY ?? 'default';
    const synthResult = await synth({
      projectDir,
      outDir: options.cdkOutDir ?? join(dataDir, 'cdk.out'),
      context: {
        'tenggat:policy': policy.endsWith('.json') ? resolveFrom(process.cwd(), policy) : policy,
        'tenggat:allowLoopbackWebhooks': 'true',
        'tenggat:blockedWebhookPorts': ownPorts.join(','),
        // Notice emails tell platforms where to answer: here, the local API (its stage is the stack's default).
        'tenggat:publicApiUrl': `http://127.0.0.1:${api}/prod`,
        // Platforms' app clients get their tokens from the local Cognito on the API's origin.
        'tenggat:tokenUrl': `http://127.0.0.1:${api}/oauth2/token`,
        // The console is served on the API's origin: people's sign-in returns there.
        'tenggat:consoleUrls': [`http://127.0.0.1:${api}`, `http://localhost:${api}`]
          .flatMap((origin) => [`${origin}/callback`, `${origin}/`])
          .join(','),
        // cdk-nag findings are a deployment gate; the local cloud runs the same template without it.
        'tenggat:nag': 'false',
      },
      onProgress: log,
    }).catch(async (error: unknown) => {
      await dynamodbStart.then((instance) => instance.stop()).catch(() => {});
      throw error;
    });
    const template = readLocalTemplate(synthResult.cdkOutDir, stackName);

    const dynamodb: DynamoDbLocal = await dynamodbStart;
    registry.recordChild({ name: 'DynamoDB Local', pid: dynamodb.pid, marker: dynamodb.marker });
    stops.push(() => dynamodb.stop());
    const createdTables = await ensureTables(dynamodb.endpoint, template.tables);
    if (createdTables.length) log(`created tables: ${createdTables.join(', ')}`);

    const awsUrl = `http://127.0.0.1:${aws}`;
    const progress = createProgressLog({
      log,
      lookupOrder: orderLookup(
        dynamodb.endpoint,
        template.functions.find((fn) => fn.environment.TABLE_NAME)?.environment.TABLE_NAME,
      ),
    });
    const services = await createAwsServices({
      template,
      cdkOutDir: synthResult.cdkOutDir,
      dataDir,
      awsUrl,
      dynamodbEndpoint: dynamodb.endpoint,
      functionEnvironment: awsEndpointEnvironment(awsUrl, dynamodb.endpoint),
      log,
      onBusEvent: (event) => progress.onBusEvent(event),
      onEmail: (email) => progress.onEmail(email),
      onFunctionLog: options.printFunctionLogs ? (name, line) => log(`[${name}] ${line}`) : undefined,
    });
    stops.push(() => services.stop());
    const { engine, lambda } = services;
    // People first (the Cognito's token endpoint answers their grants), then the Cognito, before the AWS endpoint:
    // functions create app clients (cognito-admin.ts), groups and users (cognito-users.ts) in it at run time.
    const people = startPeople({ template, dataDir, projectDir });
    const cognito = await createLocalCognito({
      dataDir,
      userPools: template.userPools,
      clients: template.userPoolClients,
      peopleGrants: () => people.signIn.grant,
    });
    const awsServer: RunningServer = await startAwsEndpoint({
      port: aws,
      ...services.endpoint,
      cognitoIdp: createCognitoAdmin(cognito, userPoolActions(people.store)),
    });
    stops.push(() => awsServer.close());
    for (const machine of template.stateMachines) {
      await registerStateMachine(engine, machine);
    }
    await registerStepFunctionsCatalog(engine, template, log);

    const restApi = template.restApis[0];
    // People's sign-in pages and the token endpoint first; the console's files (with their fallback) last.
    const handlers = [people.signIn.handle, cognito.handle];
    // The console's files come from the synthesized bucket deployment; its config.json names this origin.
    const apiOrigin = `http://127.0.0.1:${api}`;
    const consoleFiles = consoleDirectories(template);
    if (consoleFiles.length === 0)
      log('no console in the template (no bucket deployment with an index.html)');
    handlers.push(
      createConsoleFiles({
        directories: consoleFiles,
        cacheControlOf: consoleCacheControl(template),
        stageNames: restApi?.stageNames,
        config: {
          apiBaseUrl: '',
          signIn: {
            clientId: consoleClientOf(template.userPoolClients)?.clientId ?? '',
            authBaseUrl: apiOrigin,
          },
        },
      }),
    );
    if (restApi) {
      const gateway = createApiGateway({
        api: restApi,
        invoke: async (name, payload) => {
          const result = await lambda.invoke(name, payload);
          progress.onApiCall(payload, result.payload.toString('utf8'));
          return result;
        },
        verifyAccessToken: cognito.verifyAccessToken,
        rateLimit: options.rateLimit,
        onRequest: (line) => log(`[api] ${line}`),
      });
      handlers.push(gateway.handle);
    }
    const apiServer = await listen(api, handlers);
    stops.push(() => apiServer.close());

    // Client-credentials clients only: the console's client signs people in and has no secret to hand out.
    const machineClients = new Set(
      template.userPoolClients
        .filter((client) => client.allowedOAuthFlows.includes('client_credentials'))
        .map((client) => client.clientId),
    );
    const platforms: LocalCloud['platforms'] = {};
    if (options.sandbox !== false && restApi) {
      const sandboxPort = ports.sandbox || (await freePort());
      const webhookUrl = `http://127.0.0.1:${sandboxPort}/webhook`;
      const operator = cognito.clients.find(
        (client) =>
          machineClients.has(client.clientId) && client.scopes.some((scope) => scope.endsWith('/admin')),
      );
      if (!operator)
        throw new LocalCloudStartError('no client with an admin scope to register the sandbox platform');
      const operatorToken = (await cognito.issueToken(operator.clientId)).access_token;
      const secrets = await sandboxSecrets({
        path: join(dataDir, 'sandbox-platform.json'),
        apiUrl: `${apiServer.url}/${restApi.stageNames[0] ?? 'prod'}`,
        webhookUrl,
        operatorToken,
      });
      const sandbox = await startSandboxPlatform({
        port: sandboxPort,
        platformId: SANDBOX_PLATFORM_ID,
        apiUrl: `${apiServer.url}/${restApi.stageNames[0] ?? 'prod'}`,
        notificationSecret: secrets.notificationSecret,
        responseSecret: secrets.responseSecret,
        settings: options.sandbox,
        log,
      });
      stops.push(() => sandbox.close());
      platforms[SANDBOX_PLATFORM_ID] = { webhookUrl, ...secrets };
      log(
        `sandbox platform ${SANDBOX_PLATFORM_ID}: ${sandbox.settings.behaviour}, answers after ${sandbox.settings.delaySeconds} s (PUT ${sandbox.server.url}/settings to change)`,
      );
    }

    const agencyOfClient = agencyClients(template.functions.map((fn) => fn.environment.AGENCY_CLIENTS));
    const clients: Record<string, LocalClientInfo> = {};
    for (const client of cognito.clients) {
      if (!machineClients.has(client.clientId)) continue;
      const agency = agencyOfClient[client.clientId];
      clients[client.clientName] = {
        clientId: client.clientId,
        clientSecret: client.clientSecret,
        scopes: client.scopes,
        ...(agency ? { agency } : {}),
      };
    }
    const stage = restApi?.stageNames[0];
    const apiUrl = `${apiServer.url}${stage ? `/${stage}` : ''}`;
    const cloud: LocalCloud = {
      apiUrl,
      consoleUrl: `${apiServer.url}/`,
      tokenUrl: `${apiServer.url}/oauth2/token`,
      awsEndpoint: awsUrl,
      dynamodbEndpoint: dynamodb.endpoint,
      clients,
      platforms,
      users: people.users(),
      signIn: people.signInUrls(apiServer.url),
      dataDir,
      localJsonPath,
      stop,
    };
    const { stop: _stop, dataDir: _dataDir, localJsonPath: _path, ...published } = cloud;
    // Schedules and scheduled rules run once everything they call is up.
    services.startTimers();
    const writeLocalJson = () => {
      writeFileSync(localJsonPath, JSON.stringify({ ...published, users: people.users() }, null, 2), {
        mode: 0o600,
      });
      chmodSync(localJsonPath, 0o600);
    };
    writeLocalJson();
    // Staff users made at run time (POST /v1/platforms/{id}/users) show up with their password and TOTP secret.
    people.store.onChange(() => {
      cloud.users = people.users();
      if (existsSync(localJsonPath)) writeLocalJson();
    });
    log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    log(`  console        ${cloud.consoleUrl}`);
    log(`  API            ${cloud.apiUrl}`);
    log(`  token          ${cloud.tokenUrl}`);
    log(
      `  AWS endpoint   ${cloud.awsEndpoint}  (Step Functions, Lambda, Secrets Manager, EventBridge, Scheduler, SES, SNS, S3, KMS)`,
    );
    log(`  DynamoDB       ${cloud.dynamodbEndpoint}`);
    log(`  clients        ${Object.keys(clients).join(', ')}  (secrets in ${localJsonPath})`);
    if (cloud.signIn)
      log(
        `  people         ${Object.keys(cloud.users).join(', ')}  (sign in at ${cloud.signIn.authorizeUrl})`,
      );
    return cloud;
  } catch (error) {
    await stop();
    throw error instanceof LocalCloudStartError
      ? error
      : new LocalCloudStartError(`the local cloud did not start: ${String(error)}`, { cause: error });
  }
}

/** `TENGGAT_RATE_LIMIT=<requests per second>,<burst>` (per client), e.g. `10,20`; unset = no limit. */
function parseRateLimit(value: string | undefined): RateLimit | undefined {
  if (!value) return undefined;
  const [rate, burst] = value.split(',').map(Number);
  if (!rate || rate <= 0) return undefined;
  return { ratePerSecond: rate, burst: burst && burst > 0 ? burst : rate };
}

function parseArguments(argv: string[]): { policy?: string } {
  const policyIndex = argv.indexOf('--policy');
  const inline = argv.find((arg) => arg.startsWith('--policy='));
  if (inline) return { policy: inline.slice('--policy='.length) };
  if (policyIndex >= 0) return { policy: argv[policyIndex + 1] };
  return {};
}

const isMain =
  process.argv[1] !== undefined &&
  resolve(process.argv[1]).replace(/\.ts$/, '') === import.meta.filename.replace(/\.ts$/, '');
if (isMain) {
  const { policy } = parseArguments(process.argv.slice(2));
  const portFromEnvironment = (name: string) => (process.env[name] ? Number(process.env[name]) : undefined);
  startLocalCloud({
    policy,
    dataDir: process.env.TENGGAT_DATA_DIR,
    cdkOutDir: process.env.TENGGAT_CDK_OUT,
    ports: {
      ...(portFromEnvironment('TENGGAT_API_PORT') !== undefined
        ? { api: portFromEnvironment('TENGGAT_API_PORT') }
        : {}),
      ...(portFromEnvironment('TENGGAT_AWS_PORT') !== undefined
        ? { aws: portFromEnvironment('TENGGAT_AWS_PORT') }
        : {}),
      ...(portFromEnvironment('TENGGAT_DYNAMODB_PORT') !== undefined
        ? { dynamodb: portFromEnvironment('TENGGAT_DYNAMODB_PORT') }
        : {}),
      ...(portFromEnvironment('TENGGAT_SANDBOX_PORT') !== undefined
        ? { sandbox: portFromEnvironment('TENGGAT_SANDBOX_PORT') }
        : {}),
    },
    printFunctionLogs: process.env.TENGGAT_FUNCTION_LOGS === 'true',
    rateLimit: parseRateLimit(process.env.TENGGAT_RATE_LIMIT),
    sandbox: {
      ...(SANDBOX_BEHAVIOURS.includes(process.env.TENGGAT_SANDBOX_BEHAVIOUR as SandboxBehaviour)
        ? { behaviour: process.env.TENGGAT_SANDBOX_BEHAVIOUR as SandboxBehaviour }
        : {}),
      ...(process.env.TENGGAT_SANDBOX_DELAY_SECONDS
        ? { delaySeconds: Number(process.env.TENGGAT_SANDBOX_DELAY_SECONDS) }
        : {}),
    },
  })
    .then((cloud) => {
      stopOnSignals(cloud.stop);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
