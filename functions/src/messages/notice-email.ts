/**
 * The fallback email of a notice, in Bahasa Indonesia first and English second: the order's facts, its items (the
 * first 1,000 in the message, all of them in an attached CSV), the deadline and how to answer. Pure: the email
 * function sends what this returns.
 */
import { parseDurationMs } from '../domain/duration';
import type { NoticeEvent, NoticeRecord } from '../domain/notices';
import type { Stage } from '../domain/order-rules';
import type { Urgency } from '../domain/policy';

export const ITEMS_IN_BODY = 1_000;

export interface EmailOrderFacts {
  orderId: string;
  reference: string;
  agencyId: string;
  platformId: string;
  category: string;
  urgency: Urgency;
  stage: Stage;
  legalBasis: string[];
  reason: string | null;
  territorialScope: string[];
  deadlineAt: string | null;
  /** The policy's time for the current stage (ISO 8601), to say how long the platform has from receipt. */
  stageDuration: string | null;
  fine: { currency: string; perItemPerPeriod: number; accrualPeriod: string; capPerItem: number } | null;
  /** How the fine is computed (`fineModelDescription`); under the points model it replaces the flat rate. */
  fineModel?: { model: 'flat' | 'points'; id: string; en: string };
  withdrawalReason: string | null;
}

export interface EmailItem {
  id: string;
  kind: string;
  locator: string | null;
  fineAccrued?: number;
  fineFormula?: string;
}

export interface NoticeEmailInput {
  order: EmailOrderFacts;
  notice: Pick<NoticeRecord, 'event' | 'noticeId' | 'detail'>;
  items: readonly EmailItem[];
  /** Where signed answers go: `<apiUrl>/v1/platforms/<platformId>/responses`. */
  apiUrl: string;
  /** The web console's URL, when there is one. */
  portalUrl: string | null;
}

export interface ComposedEmail {
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; content: Buffer }[];
}

interface Wording {
  id: string;
  en: string;
}

const SUBJECTS: Record<NoticeEvent, Wording> = {
  'takedown.requested': { id: 'Perintah penurunan konten', en: 'Takedown order' },
  'takedown.reminder': {
    id: 'Surat Teguran 1 (ST1): batas waktu terlewati',
    en: 'Warning (ST1): deadline passed',
  },
  'takedown.fine_notice': { id: 'Surat Teguran 2 (ST2): denda administratif', en: 'Fine notice (ST2)' },
  'takedown.blocking_referral': {
    id: 'Surat Teguran 3 (ST3): rujukan pemutusan akses',
    en: 'Blocking referral (ST3)',
  },
  'takedown.withdrawn': { id: 'Perintah dicabut', en: 'Order withdrawn' },
  'takedown.review_decided': { id: 'Keputusan atas keberatan', en: 'Decision on your rejection' },
  'takedown.clarified': {
    id: 'Jawaban atas permintaan klarifikasi',
    en: 'Answer to your clarification request',
  },
  'takedown.deadline_approaching': {
    id: 'Peringatan: batas waktu segera berakhir',
    en: 'Warning: the deadline is approaching',
  },
};

const LEADS: Record<NoticeEvent, Wording> = {
  'takedown.requested': {
    id: 'Anda diperintahkan untuk menurunkan konten berikut. Email ini adalah pemberitahuan resmi: webhook Anda tidak dapat dihubungi.',
    en: 'You are ordered to take down the content below. This email is the formal notice: your webhook could not be reached.',
  },
  'takedown.reminder': {
    id: 'Batas waktu telah lewat dan item berikut masih tersedia.',
    en: 'The deadline has passed and the items below are still available.',
  },
  'takedown.fine_notice': {
    id: 'Denda administratif berlaku untuk setiap item yang belum diturunkan.',
    en: 'An administrative fine now accrues for every item not taken down.',
  },
  'takedown.blocking_referral': {
    id: 'Layanan Anda dirujuk untuk pemutusan akses melalui penyelenggara jasa internet.',
    en: 'Your service is referred for blocking through internet service providers.',
  },
  'takedown.withdrawn': {
    id: 'Instansi telah mencabut perintah ini; tidak ada tindakan lebih lanjut yang diperlukan.',
    en: 'The agency withdrew this order; no further action is needed.',
  },
  'takedown.review_decided': {
    id: 'Instansi telah memutuskan keberatan Anda atas item berikut.',
    en: 'The agency decided on the items you rejected.',
  },
  'takedown.clarified': {
    id: 'Instansi menjawab permintaan klarifikasi Anda. Batas waktu berjalan kembali sejak email ini diterima.',
    en: 'The agency answered your clarification request. The deadline runs again from receipt of this email.',
  },
  'takedown.deadline_approaching': {
    id: 'Batas waktu segera berakhir dan item berikut masih tersedia. Turunkan sebelum batas waktu untuk menghindari eskalasi.',
    en: 'The deadline is close and the items below are still available. Take them down before it to avoid escalation.',
  },
};

/** Events that list items (the others concern the order as a whole). */
const LISTS_ITEMS = new Set<NoticeEvent>([
  'takedown.requested',
  'takedown.reminder',
  'takedown.fine_notice',
  'takedown.blocking_referral',
  'takedown.review_decided',
  'takedown.clarified',
  'takedown.deadline_approaching',
]);

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** RFC 4180 field: quoted when it holds a comma, quote or line break; quotes doubled. */
function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

export function itemsCsv(items: readonly EmailItem[]): Buffer {
  const rows = [['id', 'kind', 'locator', 'fineAccrued', 'fineFormula'].join(',')];
  for (const item of items) {
    const fields = [
      item.id,
      item.kind,
      item.locator ?? '',
      String(item.fineAccrued ?? ''),
      item.fineFormula ?? '',
    ];
    rows.push(fields.map(csvField).join(','));
  }
  // UTF-8 with BOM, CRLF: what spreadsheets expect.
  return Buffer.from(`\uFEFF${rows.join('\r\n')}\r\n`, 'utf8');
}

function hoursOf(duration: string | null): string | null {
  if (duration === null) return null;
  const hours = parseDurationMs(duration) / 3_600_000;
  return hours >= 1 ? `${Number(hours.toFixed(2))}` : null;
}

/** The facts block, as label/value pairs in both languages. */
function facts(input: NoticeEmailInput): [string, string][] {
  const { order, notice } = input;
  const hours = hoursOf(order.stageDuration);
  const deadline =
    order.deadlineAt ??
    (hours === null
      ? 'sejak diterima / from receipt'
      : `${hours} jam sejak diterima / ${hours} hours from receipt`);
  const rows: [string, string][] = [
    ['Nomor perintah / Order', order.orderId],
    ['Referensi / Reference', order.reference],
    ['Instansi / Agency', order.agencyId],
    ['Platform', order.platformId],
    ['Kategori / Category', `${order.category} (${order.urgency})`],
    ['Tahap / Stage', order.stage],
    ['Dasar hukum / Legal basis', order.legalBasis.join('; ')],
    ['Alasan / Reason', order.reason ?? '(dihapus / erased)'],
    ['Wilayah / Territorial scope', order.territorialScope.join(', ')],
    ['Batas waktu / Deadline (UTC)', deadline],
  ];
  if (order.fineModel && notice.event === 'takedown.fine_notice')
    rows.push(['Rumus denda / Fine formula', `${order.fineModel.id} / ${order.fineModel.en}`]);
  if (order.fine && notice.event === 'takedown.fine_notice' && order.fineModel?.model !== 'points') {
    const fine = order.fine;
    rows.push([
      'Denda / Fine',
      `${fine.currency} ${fine.perItemPerPeriod.toLocaleString('en-US')} per item per ${fine.accrualPeriod}, maks. / cap ${fine.currency} ${fine.capPerItem.toLocaleString('en-US')}`,
    ]);
  }
  if (notice.event === 'takedown.withdrawn' && order.withdrawalReason)
    rows.push(['Alasan pencabutan / Withdrawal reason', order.withdrawalReason]);
  if (notice.event === 'takedown.clarified') {
    rows.push(['Pertanyaan / Question', String(notice.detail.question ?? '')]);
    rows.push(['Jawaban / Answer', String(notice.detail.answer ?? '')]);
  }
  return rows;
}

function howToAnswer(input: NoticeEmailInput): Wording {
  const endpoint = `${input.apiUrl}/v1/platforms/${input.order.platformId}/responses`;
  const portal = input.portalUrl ? ` ${input.portalUrl}/orders/${input.order.orderId}` : '';
  return {
    id: `Jawab per item dengan webhook bertanda tangan ke ${endpoint} (docs/webhooks.md), atau melalui portal.${portal}`,
    en: `Answer item by item with a signed webhook to ${endpoint} (docs/webhooks.md), or in the portal.${portal}`,
  };
}

export function composeNoticeEmail(input: NoticeEmailInput): ComposedEmail {
  const { notice, order } = input;
  const subject = `[Tenggat] ${SUBJECTS[notice.event].id} / ${SUBJECTS[notice.event].en}: ${order.reference}`;
  const lead = LEADS[notice.event];
  const listed = LISTS_ITEMS.has(notice.event) ? input.items : [];
  const shown = listed.slice(0, ITEMS_IN_BODY);
  const more = listed.length - shown.length;
  const answer = howToAnswer(input);
  const moreText =
    more > 0
      ? `… ${more} item lainnya ada di lampiran items.csv / ${more} more items in the attached items.csv`
      : '';
  const rows = facts(input);
  const fines = shown.some((item) => item.fineFormula !== undefined);

  const text = [
    lead.id,
    lead.en,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    '',
    listed.length > 0 ? `Item (${listed.length}):` : '',
    ...shown.map(
      (item) =>
        `- ${item.id} ${item.kind} ${item.locator ?? '(dihapus / erased)'}${item.fineFormula ? `: ${item.fineFormula}` : ''}`,
    ),
    moreText,
    '',
    notice.event === 'takedown.withdrawn' ? '' : answer.id,
    notice.event === 'takedown.withdrawn' ? '' : answer.en,
    '',
    `Tenggat · ${order.orderId} · notice ${notice.noticeId}`,
  ]
    .filter((line, index, lines) => line !== '' || lines[index - 1] !== '')
    .join('\n');

  const html = [
    '<!doctype html><html lang="id"><body>',
    `<p>${escapeHtml(lead.id)}</p><p lang="en">${escapeHtml(lead.en)}</p>`,
    '<table>',
    ...rows.map(
      ([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`,
    ),
    '</table>',
    listed.length > 0
      ? `<table><caption>Item (${listed.length})</caption><tr><th>id</th><th>kind</th><th>locator</th>${fines ? '<th>denda / fine</th>' : ''}</tr>${shown
          .map(
            (item) =>
              `<tr><td>${escapeHtml(item.id)}</td><td>${escapeHtml(item.kind)}</td><td>${escapeHtml(item.locator ?? '(dihapus / erased)')}</td>${fines ? `<td>${escapeHtml(item.fineFormula ?? '')}</td>` : ''}</tr>`,
          )
          .join('')}</table>`
      : '',
    moreText ? `<p>${escapeHtml(moreText)}</p>` : '',
    notice.event === 'takedown.withdrawn'
      ? ''
      : `<p>${escapeHtml(answer.id)}</p><p lang="en">${escapeHtml(answer.en)}</p>`,
    '</body></html>',
  ].join('');

  const attachments =
    listed.length > 0
      ? [{ filename: 'items.csv', contentType: 'text/csv; charset=utf-8', content: itemsCsv(listed) }]
      : [];
  return { subject, text, html, attachments };
}
