import type { StoredChainHead } from '../domain/audit-chain';
import { NotFoundError } from '../domain/errors';
import { onNoticeReceived } from '../domain/legal-clock';
import type { OrderRecord } from '../domain/records';
import {
  type AuditHeadView,
  LETTER_STAGES,
  type LetterInput,
  type LetterStage,
  letterAvailable,
  letterDigest,
} from '../letters/letter-content';
import { renderLetterPdf } from '../letters/render-letter';
import type { Deps } from './deps';
import type { Viewer } from './reports';

/**
 * Formal letters (issue 10 §3): rendered on demand from the current record, and each one issued is remembered by
 * its digest, so that `GET /v1/verify/{sha256}` can say which order and stage it belongs to.
 */

export type LetterDeps = Pick<Deps, 'orders' | 'platforms' | 'reports' | 'clock' | 'links'>;

export const isLetterStage = (value: string): value is LetterStage =>
  (LETTER_STAGES as readonly string[]).includes(value);

const headView = (head: StoredChainHead | null): AuditHeadView | null =>
  head === null
    ? null
    : {
        seq: head.seq,
        digest: head.digest,
        signedAt: head.signedAt,
        keyId: head.keyId,
        algorithm: 'algorithm' in head ? head.algorithm : null,
        signature: head.signature,
      };

/** Everything a letter of `order` states, as of `now`. */
export async function letterInputFor(
  deps: Pick<LetterDeps, 'orders' | 'platforms' | 'links'>,
  order: OrderRecord,
  stage: LetterStage,
  now: Date,
): Promise<LetterInput> {
  const [items, trail, platform] = await Promise.all([
    deps.orders.allItems(order.orderId),
    deps.orders.auditTrail(order.orderId),
    deps.platforms.get(order.platformId),
  ]);
  return {
    stage,
    order,
    items,
    // AGENCY_CLIENTS holds ids only: the letter names the agency by its id.
    agency: { id: order.agencyId, name: order.agencyId },
    platform: { id: order.platformId, name: platform?.name ?? order.platformId },
    auditHead: headView(trail.head),
    verifyUrlBase: `${deps.links.apiUrl}/v1/verify`,
    now,
  };
}

export interface RenderedOrderLetter {
  pdf: Buffer;
  digest: string;
  pages: number;
  filename: string;
}

/** Renders one letter and records its issue; another agency's order and an unreached stage are both 404. */
export async function issueLetter(
  deps: LetterDeps,
  viewer: Viewer,
  input: { orderId: string; stage: string },
): Promise<RenderedOrderLetter> {
  const order = await deps.orders.getOrder(input.orderId);
  if (order === null || (!viewer.operator && order.agencyId !== viewer.agencyId))
    throw new NotFoundError(`order ${input.orderId} does not exist`);
  if (!isLetterStage(input.stage) || !letterAvailable(order, input.stage))
    throw new NotFoundError(`order ${input.orderId} has no ${input.stage} letter`);
  return renderAndRecord(deps, order, input.stage);
}

/** Renders and remembers a letter of an order already read (also used by the notice emails). */
export async function renderAndRecord(
  deps: LetterDeps,
  order: OrderRecord,
  stage: LetterStage,
): Promise<RenderedOrderLetter> {
  const now = deps.clock.now();
  const rendered = await renderLetterPdf(await letterInputFor(deps, order, stage, now));
  await deps.reports.recordLetter({
    digest: rendered.digest,
    orderId: order.orderId,
    stage,
    issuedAt: now.toISOString(),
    asOf: now.toISOString(),
  });
  return { ...rendered, filename: `tenggat-${order.orderId}-${stage}.pdf` };
}

export interface LetterVerification {
  digest: string;
  orderId: string;
  stage: string;
  issuedAt: string;
  /** Whether the order's record today, taken as of the letter's instant, still hashes to this digest. */
  current: boolean;
  checkedAt: string;
}

/** `GET /v1/verify/{sha256}` (public): ids, stage and times only, never the order's content. */
export async function verifyLetter(
  deps: Pick<LetterDeps, 'orders' | 'platforms' | 'reports' | 'clock' | 'links'>,
  digest: string,
): Promise<LetterVerification> {
  const issued = /^[0-9a-f]{64}$/.test(digest) ? await deps.reports.findLetter(digest) : null;
  if (issued === null) throw new NotFoundError('no letter with this digest was issued by Tenggat');
  const order = await deps.orders.getOrder(issued.orderId);
  let current = false;
  if (order !== null && isLetterStage(issued.stage) && letterAvailable(order, issued.stage)) {
    const input = await letterInputFor(deps, order, issued.stage, new Date(issued.asOf));
    current = letterDigest(input) === digest;
  }
  return {
    digest,
    orderId: issued.orderId,
    stage: issued.stage,
    issuedAt: issued.issuedAt,
    current,
    checkedAt: deps.clock.now().toISOString(),
  };
}

/** The letter each notice carries in its fallback email; other notices (review, clarification) carry none. */
const LETTER_OF_NOTICE: Readonly<Record<string, LetterStage>> = {
  'takedown.requested': 'order',
  'takedown.reminder': 'st1',
  'takedown.fine_notice': 'st2',
  'takedown.blocking_referral': 'st3',
  'takedown.withdrawn': 'withdrawal',
};

/**
 * The PDF letter of a notice's stage, for its fallback email; null when the notice has none. The order letter
 * of an email that serves the order states the service this email makes (`onNoticeReceived` as of `now`).
 */
export async function noticeLetter(
  deps: LetterDeps,
  order: OrderRecord,
  event: string,
): Promise<{ filename: string; contentType: string; content: Buffer } | null> {
  const stage = LETTER_OF_NOTICE[event];
  if (stage === undefined) return null;
  const now = deps.clock.now();
  const served =
    stage === 'order' && order.servedAt === null
      ? { ...order, ...(onNoticeReceived(order, event, 'email', now)?.set ?? {}) }
      : order;
  if (!letterAvailable(served, stage)) return null;
  const letter = await renderAndRecord(deps, served, stage);
  return { filename: letter.filename, contentType: 'application/pdf', content: letter.pdf };
}
