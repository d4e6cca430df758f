import { Command, CommanderError, Option } from 'commander';
import { exportTo, list, stats, status, watch } from './commands';
import { ApiClient, CliError, type ConnectionOptions, resolveConnection } from './connection';
import { MAX_ITEMS_PER_ORDER } from './csv-input';
import { table } from './output';
import { type Io, type PartResult, submitCsv } from './submit';

/**
 * `tenggat`: the command line for agencies and operators (issue 10 §6). `runCli` is the whole program with its
 * environment passed in, so that tests run it in-process as well as through the binary (`cli/tenggat.mjs`).
 */
export interface CliEnvironment extends Io {
  env: NodeJS.ProcessEnv;
  cwd: string;
  fetch?: typeof fetch;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const positiveInt = (name: string, max: number) => (value: string) => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > max)
    throw new CliError(`${name} must be a whole number from 1 to ${max}`);
  return parsed;
};
const isoDate = (name: string) => (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) throw new CliError(`${name} must be a date YYYY-MM-DD`);
  return value;
};

function summary(results: PartResult[]): string {
  const rows = results.map((result) => [
    result.part,
    result.reference,
    result.orderId,
    result.items,
    result.created ? 'created' : 'exists',
    result.status,
    result.duplicates.length,
  ]);
  const created = results.filter((result) => result.created).length;
  const orders = `${table(['part', 'reference', 'order', 'items', 'result', 'status', 'duplicates'], rows)}\n${created} order(s) created, ${results.length - created} already there`;
  return [orders, duplicateSummary(results)].filter((text) => text !== '').join('\n\n');
}

/** The most duplicates the human summary lists; `--json` has them all. */
const SHOWN_DUPLICATES = 50;

function duplicateSummary(results: PartResult[]): string {
  const all = results.flatMap((result) => result.duplicates.map((entry) => ({ result, entry })));
  if (all.length === 0) return '';
  const rows = all
    .slice(0, SHOWN_DUPLICATES)
    .map(({ result, entry }) => [
      result.part,
      entry.index,
      entry.locator,
      entry.sameAgency
        ? entry.orderId === result.orderId
          ? `this order, item ${entry.itemId}`
          : `order ${entry.orderId}, item ${entry.itemId}`
        : "another agency's order",
    ]);
  const more =
    all.length > SHOWN_DUPLICATES ? `\n... and ${all.length - SHOWN_DUPLICATES} more (--json lists all)` : '';
  return `${all.length} duplicate(s): already open in an order to this platform\n${table(['part', 'index', 'locator', 'open in'], rows)}${more}`;
}

function program(environment: CliEnvironment): Command {
  const io: Io = environment;
  const root = new Command('tenggat')
    .description(
      'Tenggat from the command line: submit takedown orders from a CSV, follow them, read statistics and exports.',
    )
    .option('--client <name>', 'client of .tenggat/local.json (default: the first agency)')
    .option(
      '--local-config <path>',
      'path of local.json (default .tenggat/local.json, or TENGGAT_LOCAL_CONFIG)',
    )
    .option('--api <url>', 'API base URL (then --token-url, --client-id and TENGGAT_CLIENT_SECRET)')
    .option('--token-url <url>', 'OAuth2 token endpoint')
    .option('--client-id <id>', 'OAuth2 client id')
    .option('--json', 'one JSON document on stdout instead of tables')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => environment.stdout.write(text),
      writeErr: (text) => environment.stderr.write(text),
    });
  const client = () =>
    new ApiClient(
      resolveConnection(root.opts<ConnectionOptions>(), environment.env, environment.cwd),
      environment.fetch ?? fetch,
    );
  const json = () => root.opts<{ json?: boolean }>().json === true;
  const context: CommandContext = { io, stdout: environment.stdout, client, json };
  addSubmit(root, context);
  addReaders(root, context);
  return root;
}

/** What each command needs: output, the API client (made on first use) and the --json flag. */
interface CommandContext {
  io: Io;
  stdout: NodeJS.WritableStream;
  client: () => ApiClient;
  json: () => boolean;
}

function addSubmit(root: Command, { io, stdout, client, json }: CommandContext): void {
  root
    .command('submit')
    .description('send every item of a CSV (header: locator[,kind][,note]) as orders of at most 10,000 items')
    .requiredOption('--csv <file>', 'the items; BOM, "," or ";", quoted fields')
    .requiredOption('--platform <id>', 'platform id')
    .requiredOption('--category <category>', 'e.g. gambling')
    .requiredOption('--legal-basis <text>', 'legal basis (repeat for several)', collect)
    .requiredOption('--reason <text>', 'statement of reasons')
    .requiredOption('--reference <ref>', "the agency's reference; parts get -p<n>")
    .option('--territorial-scope <code>', 'ISO 3166 code (repeat; default ID)', collect)
    .option('--officer <name>', 'the person acting')
    .option('--urgent-reason <text>', 'marks the orders urgent, with this reason')
    .addOption(
      new Option('--part-size <n>', 'items per order (at most 10,000)')
        .argParser(positiveInt('--part-size', MAX_ITEMS_PER_ORDER))
        .default(MAX_ITEMS_PER_ORDER),
    )
    .action(async (options) => {
      const results = await submitCsv(
        client(),
        {
          csv: options.csv,
          platform: options.platform,
          category: options.category,
          legalBasis: options.legalBasis,
          reason: options.reason,
          reference: options.reference,
          territorialScope: options.territorialScope,
          officer: options.officer,
          urgent: options.urgentReason !== undefined,
          urgencyReason: options.urgentReason,
          partSize: options.partSize,
        },
        io,
      );
      // `order` is the part's order; `orderId`/`itemId` (same agency only) the open item it duplicates.
      const duplicates = results.flatMap((result) =>
        result.duplicates.map((entry) => ({ part: result.part, order: result.orderId, ...entry })),
      );
      stdout.write(
        `${json() ? JSON.stringify({ orders: results, duplicates }, null, 2) : summary(results)}\n`,
      );
    });
}

function addReaders(root: Command, { io, client, json }: CommandContext): void {
  root
    .command('status <id>')
    .description('one order: status, stage, deadline, counts, fine')
    .action((id: string) => status(client(), id, json(), io));
  root
    .command('watch <id>')
    .description('print each change of an order until it is final')
    .addOption(
      new Option('--interval <seconds>', 'poll interval')
        .argParser(positiveInt('--interval', 3_600))
        .default(2),
    )
    .addOption(
      new Option('--timeout <seconds>', 'give up after')
        .argParser(positiveInt('--timeout', 31 * 86_400))
        .default(7 * 86_400),
    )
    .action((id: string, options) =>
      watch(
        client(),
        id,
        { intervalMs: options.interval * 1000, timeoutMs: options.timeout * 1000, json: json() },
        io,
      ),
    );
  root
    .command('list')
    .description("the agency's orders, newest first")
    .option('--status <status>', 'only this status')
    .option('--platform <id>', 'only this platform')
    .addOption(new Option('--limit <n>', 'how many').argParser(positiveInt('--limit', 100_000)).default(25))
    .option('--all', 'every order (follows the pages)')
    .action((options) =>
      list(
        client(),
        {
          status: options.status,
          platform: options.platform,
          limit: options.limit,
          all: options.all === true,
          json: json(),
        },
        io,
      ),
    );
  root
    .command('stats')
    .description('statistics per platform (GET /v1/statistics)')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD', isoDate('--from'))
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD', isoDate('--to'))
    .option('--tz <zone>', 'count days in this time zone, e.g. Asia/Jakarta')
    .option('--platform <id>')
    .option('--agency <id>', 'operators only')
    .option('--category <category>')
    .action((options) => stats(client(), { ...options, json: json() }, io));
  root
    .command('export <kind>')
    .description('save an export to a file: orders (CSV) or dsa (DSA statements prefill, JSON)')
    .requiredOption('--from <date>', 'first day, YYYY-MM-DD', isoDate('--from'))
    .requiredOption('--to <date>', 'last day, YYYY-MM-DD', isoDate('--to'))
    .requiredOption('-o, --output <file>', 'where to write it')
    .action((kind: string, options) => exportTo(client(), kind, options, io));
}

/** Runs one command line; resolves to the exit code. */
export async function runCli(argv: readonly string[], environment: CliEnvironment): Promise<number> {
  try {
    await program(environment).parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 1;
    if (error instanceof CliError) {
      environment.stderr.write(`tenggat: ${error.message}\n`);
      return error.exitCode;
    }
    environment.stderr.write(`tenggat: ${error instanceof Error ? error.message : String(error)}\n`);
    return 2;
  }
}
