import { createHash } from 'node:crypto';
import cliProgress from 'cli-progress';
import { type ApiClient, CliError, problemText } from './connection';
import { type CsvItem, type CsvSummary, type PartLimits, readParts, validateCsv } from './csv-input';
import { partReference } from './csv-rules';

/**
 * `tenggat submit`: validates the whole file first (refusing it, naming each bad line, before sending anything),
 * then sends it as orders of at most 10,000 items. Running it again creates nothing new: each part has an
 * idempotency key derived from the file and the part, and before sending a part the CLI looks for an order of
 * its agency with the part's reference (idempotency keys last 24 h; references do not expire).
 */
export interface SubmitOptions {
  csv: string;
  platform: string;
  category: string;
  legalBasis: string[];
  reason: string;
  reference: string;
  territorialScope?: string[];
  officer?: string;
  urgent?: boolean;
  urgencyReason?: string;
  partSize: number;
}

export interface PartResult {
  part: number;
  reference: string;
  items: number;
  orderId: string;
  created: boolean;
  status: string;
  duplicates: PartDuplicate[];
}

/** A submit response's duplicate entry, with the locator it is about. */
export interface PartDuplicate {
  index: number;
  locator: string;
  sameAgency: boolean;
  orderId?: string;
  itemId?: string;
}

export interface Io {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
}

export { partReference } from './csv-rules';

/** Same file, same parameters, same part: same key, whenever it is sent. */
export function idempotencyKey(summary: CsvSummary, options: SubmitOptions, part: number): string {
  const parameters = JSON.stringify([
    options.platform,
    options.category,
    options.legalBasis,
    options.reason,
    options.reference,
    options.territorialScope ?? null,
    options.officer ?? null,
    options.urgent ?? false,
  ]);
  const digest = createHash('sha256')
    .update(`${summary.digest}\n${parameters}\n${part}/${summary.parts.length}`)
    .digest('hex');
  return `tenggat-cli-${digest.slice(0, 48)}`;
}

interface OrderSummary {
  id: string;
  reference: string;
  platformId: string;
  status: string;
}

/**
 * The agency's orders with one of these references. Asks the list route for `?reference=` first; a server
 * that does not know the filter yet (422) is scanned page by page instead (filtered by platform), which is the
 * seam to drop once the route filters by reference.
 */
export async function findOrdersByReference(
  client: ApiClient,
  platformId: string,
  references: readonly string[],
): Promise<Map<string, OrderSummary>> {
  const wanted = new Set(references);
  const found = new Map<string, OrderSummary>();
  const first = references[0];
  if (first === undefined) return found;
  const probe = await client.call<{ items: OrderSummary[] }>(
    'GET',
    `/v1/takedown-requests?reference=${encodeURIComponent(first)}&limit=100`,
  );
  if (probe.status === 200) {
    for (const reference of references) {
      const page =
        reference === first
          ? probe
          : await client.call<{ items: OrderSummary[] }>(
              'GET',
              `/v1/takedown-requests?reference=${encodeURIComponent(reference)}&limit=100`,
            );
      for (const order of page.body.items ?? [])
        if (order.reference === reference) found.set(reference, order);
    }
    return found;
  }
  if (probe.status !== 422 && probe.status !== 400)
    throw new CliError(`listing orders: HTTP ${probe.status} ${problemText(probe.body)}`, 2);
  let cursor: string | null = null;
  do {
    const query: string = `platformId=${encodeURIComponent(platformId)}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const page = await client.call<{ items: OrderSummary[]; nextCursor: string | null }>(
      'GET',
      `/v1/takedown-requests?${query}`,
    );
    if (page.status !== 200)
      throw new CliError(`listing orders: HTTP ${page.status} ${problemText(page.body)}`, 2);
    for (const order of page.body.items) if (wanted.has(order.reference)) found.set(order.reference, order);
    cursor = page.body.nextCursor;
  } while (cursor && found.size < wanted.size);
  return found;
}

export function formatLineErrors(csv: string, summary: CsvSummary): string {
  const shown = summary.errors.slice(0, 1_000).map((error) => `${csv}:${error.line}: ${error.message}`);
  const more = summary.errors.length > 1_000 ? [`... and ${summary.errors.length - 1_000} more`] : [];
  return [...shown, ...more, `refused: ${summary.errors.length} bad line(s); nothing was sent`].join('\n');
}

function progressBar(io: Io, total: number) {
  if (!io.stderr.isTTY) return null;
  const bar = new cliProgress.SingleBar(
    {
      stream: io.stderr,
      format: 'items {bar} {value}/{total} | orders {orders} | {rate} items/s | ETA {eta_formatted}',
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { orders: 0, rate: '0' });
  return bar;
}

/** One part as one order (a 201, or the first response again for a repeated idempotency key). */
async function sendPart(
  client: ApiClient,
  input: {
    options: SubmitOptions;
    summary: CsvSummary;
    part: number;
    reference: string;
    items: CsvItem[];
    earlier: number;
  },
): Promise<PartResult> {
  const { options, part, reference, items } = input;
  const body = {
    platformId: options.platform,
    category: options.category,
    legalBasis: options.legalBasis,
    reason: options.reason,
    reference,
    ...(options.territorialScope ? { territorialScope: options.territorialScope } : {}),
    ...(options.officer ? { officer: options.officer } : {}),
    ...(options.urgent ? { urgent: true, urgencyReason: options.urgencyReason } : {}),
    items: items.map(({ kind, locator, note }) => ({ kind, locator, ...(note ? { note } : {}) })),
  };
  const response = await client.call<{
    id: string;
    status: string;
    duplicates?: Omit<PartDuplicate, 'locator'>[];
  }>('POST', '/v1/takedown-requests', {
    body,
    headers: { 'idempotency-key': idempotencyKey(input.summary, options, part) },
  });
  if (response.status !== 201 && response.status !== 200 && response.status !== 202) {
    const resume =
      input.earlier > 0 ? '; the parts before it were sent: run the same command again to continue' : '';
    throw new CliError(
      `part ${part} (${reference}): HTTP ${response.status} ${problemText(response.body)}${resume}`,
      2,
    );
  }
  return {
    part,
    reference,
    items: items.length,
    orderId: response.body.id,
    created: true,
    status: response.body.status,
    duplicates: (response.body.duplicates ?? []).map((entry) => ({
      ...entry,
      locator: items[entry.index]?.locator ?? '',
    })),
  };
}

export async function submitCsv(client: ApiClient, options: SubmitOptions, io: Io): Promise<PartResult[]> {
  const limits: PartLimits = { maxItems: options.partSize, maxBytes: 3_500_000 };
  const summary = await validateCsv(options.csv, limits);
  if (summary.errors.length > 0) throw new CliError(formatLineErrors(options.csv, summary), 1);
  const references = summary.parts.map((_, index) =>
    partReference(options.reference, index + 1, summary.parts.length),
  );
  if (references.some((reference) => reference.length > 200))
    throw new CliError('--reference is too long for its part suffix (200 characters at most)');
  const existing = await findOrdersByReference(client, options.platform, references);
  const results: PartResult[] = [];
  const bar = progressBar(io, summary.items);
  const started = Date.now();
  let sent = 0;
  let part = 0;
  try {
    for await (const items of readParts(options.csv, summary, limits)) {
      part += 1;
      const reference = references[part - 1] as string;
      const known = existing.get(reference);
      if (known && known.platformId !== options.platform)
        throw new CliError(
          `reference ${reference} is already used by order ${known.id} to ${known.platformId}`,
          1,
        );
      if (known) {
        results.push({
          part,
          reference,
          items: items.length,
          orderId: known.id,
          created: false,
          status: known.status,
          duplicates: [],
        });
      } else {
        results.push(
          await sendPart(client, { options, summary, part, reference, items, earlier: results.length }),
        );
      }
      sent += items.length;
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar?.update(sent, { orders: results.length, rate: (sent / seconds).toFixed(0) });
      if (!bar)
        io.stderr.write(
          `part ${part}/${summary.parts.length} ${reference}: ${results.at(-1)?.created ? 'created' : 'exists'} ${results.at(-1)?.orderId} (${items.length} items)\n`,
        );
    }
  } finally {
    // Also on a failed part, so that the terminal gets its cursor back.
    bar?.stop();
  }
  return results;
}
