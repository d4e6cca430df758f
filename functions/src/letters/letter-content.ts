import { canonicalHash } from '../domain/canonical-json';
import { itemIdRanges } from '../domain/fine-audit';
import { fineModelDescription, fineModelOf, orderFine } from '../domain/fine-formula';
import type { Stage } from '../domain/order-rules';
import type { ItemRecord } from '../domain/records';
import { type StatsOrder, servedAtOf } from '../domain/statistics-counters';

/**
 * What a formal letter says (issue 10 §3), before any layout: one letter per stage (the order itself, the
 * Surat Perintah Takedown; ST1, ST2, ST3; the withdrawal), Bahasa Indonesia first, then English.
 *
 * The verification block carries the SHA-256 of the letter's canonical record (`letterRecord`: the facts the
 * letter states, as canonical JSON) and the order's signed audit head. `GET /v1/verify/{sha256}` answers which
 * order and stage a digest belongs to (the issuer stores digest → order, stage when it sends or serves a letter)
 * and whether it is still the current record (recompute `letterDigest` now and compare).
 */
export const LETTER_STAGES = ['order', 'st1', 'st2', 'st3', 'withdrawal'] as const;
export type LetterStage = (typeof LETTER_STAGES)[number];

export interface AuditHeadView {
  seq: number;
  digest: string;
  signedAt: string;
  keyId: string | null;
  algorithm?: string | null;
  signature: string | null;
}

export interface LetterInput {
  stage: LetterStage;
  order: StatsOrder;
  /** Every item of the order (the annex lists them all). */
  items: readonly ItemRecord[];
  agency: { id: string; name: string };
  platform: { id: string; name: string };
  auditHead: AuditHeadView | null;
  /** e.g. `https://api.tenggat.example/v1/verify` */
  verifyUrlBase: string;
  /** When the letter is made: the fine is "so far" as of this instant. */
  now: Date;
}

export class LetterNotAvailableError extends Error {
  override name = 'LetterNotAvailableError';
}

const stageEntry = (order: StatsOrder, stage: Stage) =>
  order.stageHistory.find((entry) => entry.stage === stage);

/** Whether the order has reached a stage's letter (`404` otherwise): served, the stage reached, or withdrawn. */
export function letterAvailable(order: StatsOrder, stage: LetterStage): boolean {
  if (stage === 'withdrawal') return order.withdrawal !== null;
  if (servedAtOf(order) === null) return false;
  return stage === 'order' || stageEntry(order, stage) !== undefined;
}

/** The letter's date: service for the order, the stage's start for ST1..ST3, the withdrawal's time. */
export function letterIssuedAt(order: StatsOrder, stage: LetterStage): string {
  const at =
    stage === 'withdrawal'
      ? order.withdrawal?.at
      : stage === 'order'
        ? servedAtOf(order)
        : stageEntry(order, stage)?.at;
  if (!at) throw new LetterNotAvailableError(`order ${order.orderId} has no ${stage} letter`);
  return at;
}

export function letterDeadline(order: StatsOrder, stage: LetterStage): string | null {
  if (stage === 'withdrawal' || stage === 'st3') return null;
  return stageEntry(order, stage)?.deadlineAt ?? (stage === 'order' ? order.deadlineAt : null);
}

export interface LetterItemRow {
  no: number;
  itemId: string;
  kind: string;
  locator: string | null;
  status: string;
  outcome: string | null;
  fine: number;
}

/** The facts a letter states, as hashed. Anyone holding the order's data can rebuild and rehash it. */
export function letterRecord(input: LetterInput) {
  const { order, stage } = input;
  const fine = orderFine(order, [...input.items], input.now);
  return {
    v: 1,
    kind: 'tenggat-letter',
    stage,
    orderId: order.orderId,
    reference: order.reference,
    agencyId: order.agencyId,
    platformId: order.platformId,
    category: order.category,
    urgency: order.urgency,
    legalBasis: order.legalBasis,
    reason: order.reason,
    territorialScope: order.territorialScope,
    issuedAt: letterIssuedAt(order, stage),
    deadlineAt: letterDeadline(order, stage),
    withdrawal:
      stage === 'withdrawal'
        ? { at: order.withdrawal?.at ?? null, reason: order.withdrawal?.reason ?? null }
        : null,
    items: input.items.map((item, index) => ({
      itemId: item.itemId,
      kind: item.kind,
      locator: item.locator,
      status: item.status,
      outcome: item.outcome,
      answeredAt: item.answeredAt,
      fine: fine.items[index]?.breakdown.amount ?? 0,
    })),
    fine: { currency: fine.currency, model: fine.model, total: fine.total },
    auditHead: input.auditHead === null ? null : { seq: input.auditHead.seq, digest: input.auditHead.digest },
  };
}

export const letterDigest = (input: LetterInput): string => canonicalHash(letterRecord(input));

export interface Bilingual {
  id: string;
  en: string;
}

export interface LetterContent {
  stage: LetterStage;
  title: Bilingual;
  number: string;
  issuedAt: string;
  deadlineAt: string | null;
  body: Bilingual[];
  fields: { label: Bilingual; value: string }[];
  fine: {
    currency: string;
    total: number;
    model: Bilingual;
    /** Items with the same formula and inputs: how many, which (`000001-000003,000007`), what each owes. */
    groups: { count: number; amount: number; formula: string; items: string }[];
  };
  rows: LetterItemRow[];
  verification: { digest: string; verifyUrl: string; auditHead: AuditHeadView | null };
}

const TITLES: Record<LetterStage, Bilingual> = {
  order: { id: 'SURAT PERINTAH TAKEDOWN', en: 'TAKEDOWN ORDER' },
  st1: { id: 'SURAT TEGURAN 1 (ST1)', en: 'FIRST WARNING LETTER (ST1)' },
  st2: {
    id: 'SURAT TEGURAN 2 (ST2) — DENDA ADMINISTRATIF',
    en: 'SECOND WARNING LETTER (ST2) — ADMINISTRATIVE FINE',
  },
  st3: {
    id: 'SURAT TEGURAN 3 (ST3) — RUJUKAN PEMUTUSAN AKSES',
    en: 'THIRD WARNING LETTER (ST3) — REFERRAL FOR ACCESS BLOCKING',
  },
  withdrawal: { id: 'PENCABUTAN PERINTAH TAKEDOWN', en: 'WITHDRAWAL OF THE TAKEDOWN ORDER' },
};

const WIB_OFFSET_MS = 7 * 3_600_000;

/** `2026-11-28 08:00 WIB (01:00 UTC)`: Indonesia has no daylight saving time, so WIB is always UTC+7. */
export function formatWib(iso: string | null): string {
  if (iso === null) return '—';
  const at = new Date(iso);
  const wib = new Date(at.getTime() + WIB_OFFSET_MS).toISOString();
  return `${wib.slice(0, 10)} ${wib.slice(11, 16)} WIB (${at.toISOString().slice(11, 16)} UTC)`;
}

const money = (amount: number, currency: string) => `${currency} ${amount.toLocaleString('id-ID')}`;

function bodyOf(input: LetterInput, deadline: string, open: number): Bilingual[] {
  const { agency, platform, order } = input;
  const who = {
    id: `${agency.name} memerintahkan ${platform.name}`,
    en: `${agency.name} orders ${platform.name}`,
  };
  switch (input.stage) {
    case 'order':
      return [
        {
          id: `Berdasarkan dasar hukum di bawah ini, ${who.id} untuk menurunkan (take down) setiap butir dalam lampiran paling lambat ${deadline}.`,
          en: `Under the legal basis below, ${who.en} to take down every item in the annex by ${deadline}.`,
        },
      ];
    case 'st1':
      return [
        {
          id: `Batas waktu perintah telah lewat dan ${open} butir belum ditindaklanjuti. Ini adalah teguran pertama: butir tersebut wajib diturunkan paling lambat ${deadline} agar tidak dilanjutkan ke ST2.`,
          en: `The order's deadline has passed and ${open} item(s) are not acted on. This is the first warning: they must be taken down by ${deadline}, or the order goes to ST2.`,
        },
      ];
    case 'st2':
      return [
        {
          id: `${open} butir masih belum ditindaklanjuti setelah teguran pertama. Denda administratif dikenakan menurut rumus di bawah. Butir wajib diturunkan paling lambat ${deadline}; jika tidak, perkara dirujuk untuk pemutusan akses (ST3).`,
          en: `${open} item(s) are still not acted on after the first warning. An administrative fine applies under the formula below. They must be taken down by ${deadline}; otherwise the matter is referred for access blocking (ST3).`,
        },
      ];
    case 'st3':
      return [
        {
          id: `${open} butir tetap tidak ditindaklanjuti. Perkara ini dirujuk untuk pemutusan akses (pemblokiran) sesuai ketentuan yang berlaku.`,
          en: `${open} item(s) remain not acted on. The matter is referred for access blocking under the applicable rules.`,
        },
      ];
    case 'withdrawal':
      return [
        {
          id: `${agency.name} mencabut perintah ini pada ${formatWib(order.withdrawal?.at ?? null)}. Butir yang belum ditindaklanjuti tidak perlu lagi diturunkan.`,
          en: `${agency.name} withdraws this order as of ${formatWib(order.withdrawal?.at ?? null)}. Items not yet acted on need no longer be taken down.`,
        },
        {
          id: `Alasan: ${order.withdrawal?.reason ?? '[dihapus atas permintaan yang sah]'}`,
          en: `Reason: ${order.withdrawal?.reason ?? '[erased on a lawful request]'}`,
        },
      ];
  }
}

/** Everything a letter prints, in the order it prints it. */
export function letterContent(input: LetterInput): LetterContent {
  const { order, stage } = input;
  if (!letterAvailable(order, stage))
    throw new LetterNotAvailableError(`order ${order.orderId} has not reached ${stage}`);
  const fine = orderFine(order, [...input.items], input.now);
  const model = fineModelOf(order.policy);
  const deadlineAt = letterDeadline(order, stage);
  const open = input.items.filter((item) => item.status === 'pending' || item.status === 'disputed').length;
  const groups = new Map<string, { amount: number; formula: string; items: ItemRecord[] }>();
  for (const [index, { breakdown }] of fine.items.entries()) {
    const item = input.items[index];
    if (breakdown.amount === 0 || item === undefined) continue;
    const group = groups.get(breakdown.formula) ?? {
      amount: breakdown.amount,
      formula: breakdown.formula,
      items: [],
    };
    group.items.push(item);
    groups.set(breakdown.formula, group);
  }
  const counts = order.itemCounts;
  const digest = letterDigest(input);
  return {
    stage,
    title: TITLES[stage],
    number: `${order.reference}/${stage.toUpperCase()}`,
    issuedAt: letterIssuedAt(order, stage),
    deadlineAt,
    body: bodyOf(input, formatWib(deadlineAt), open),
    fields: [
      {
        label: { id: 'Nomor', en: 'Number' },
        value: `${order.reference}/${stage.toUpperCase()} (Tenggat ${order.orderId})`,
      },
      { label: { id: 'Tanggal', en: 'Date' }, value: formatWib(letterIssuedAt(order, stage)) },
      { label: { id: 'Dari', en: 'From' }, value: `${input.agency.name} (${input.agency.id})` },
      { label: { id: 'Kepada', en: 'To' }, value: `${input.platform.name} (${input.platform.id})` },
      {
        label: { id: 'Kategori', en: 'Category' },
        value: `${order.category} (${order.urgency === 'urgent' ? 'mendesak / urgent' : 'tidak mendesak / standard'})`,
      },
      { label: { id: 'Dasar hukum', en: 'Legal basis' }, value: order.legalBasis.join('; ') },
      {
        label: { id: 'Alasan', en: 'Reason' },
        value: order.reason ?? '[dihapus atas permintaan yang sah / erased on a lawful request]',
      },
      { label: { id: 'Batas waktu', en: 'Deadline' }, value: formatWib(deadlineAt) },
      {
        label: { id: 'Butir', en: 'Items' },
        value: `${counts.total} total; ${counts.pending} pending, ${counts.resolved} resolved, ${counts.disputed} disputed, ${counts.withdrawn} withdrawn`,
      },
      {
        label: { id: 'Denda sejauh ini', en: 'Fine so far' },
        value: `${money(fine.total, fine.currency)} (per ${formatWib(input.now.toISOString())})`,
      },
    ],
    fine: {
      currency: fine.currency,
      total: fine.total,
      model: fineModelDescription(model),
      groups: [...groups.values()].map((group) => ({
        count: group.items.length,
        amount: group.amount,
        formula: group.formula,
        items: itemIdRanges(group.items),
      })),
    },
    rows: input.items.map((item, index) => ({
      no: index + 1,
      itemId: item.itemId,
      kind: item.kind,
      locator: item.locator,
      status: item.status,
      outcome: item.outcome,
      fine: fine.items[index]?.breakdown.amount ?? 0,
    })),
    verification: {
      digest,
      verifyUrl: `${input.verifyUrlBase.replace(/\/+$/, '')}/${digest}`,
      auditHead: input.auditHead,
    },
  };
}
