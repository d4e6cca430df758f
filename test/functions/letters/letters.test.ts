import { beforeAll, describe, expect, it } from 'vitest';
import type { ItemRecord } from '../../../functions/src/domain/records';
import {
  LETTER_STAGES,
  type LetterInput,
  LetterNotAvailableError,
  type LetterStage,
  letterAvailable,
  letterContent,
  letterDigest,
} from '../../../functions/src/letters/letter-content';
import { renderLetterPdf } from '../../../functions/src/letters/render-letter';
import { type ContractOrder, itemRecord, orderRecord } from '../report-fixtures';
import { ensurePoppler, pdfFonts, pdfText } from './poppler';

beforeAll(() => ensurePoppler(), 300_000);

const served = '2026-11-27T01:00:05.000Z';
const at = (hours: number) => new Date(new Date(served).getTime() + hours * 3_600_000).toISOString();

function escalatedOrder(overrides: Partial<ContractOrder> = {}): ContractOrder {
  return orderRecord({
    orderId: '5f0c1e2a-0042',
    reference: 'AIS/2026/0042',
    legalBasis: ['UU ITE Pasal 27 ayat (2)', 'PP 71/2019 Pasal 96'],
    reason: 'Situs judi daring dipromosikan kepada publik / online gambling promoted to the public.',
    status: 'referred_for_blocking',
    stage: 'st3',
    st2At: at(48),
    finalizedAt: at(96),
    stageHistory: [
      { stage: 'order', at: served, deadlineAt: at(24) },
      { stage: 'st1', at: at(24), deadlineAt: at(48) },
      { stage: 'st2', at: at(48), deadlineAt: at(96) },
      { stage: 'st3', at: at(96), deadlineAt: null },
    ],
    itemCounts: { total: 5, pending: 3, resolved: 2, disputed: 0, withdrawn: 0 },
    withdrawal: {
      reason: 'Konten sudah tidak tersedia / content no longer available.',
      at: at(97),
      by: { kind: 'agency', id: 'komdigi-ais' },
    },
    ...overrides,
  });
}

function items(orderId: string): ItemRecord[] {
  return [
    itemRecord(orderId, 1, { status: 'resolved', outcome: 'removed', answeredAt: at(2), onTime: true }),
    itemRecord(orderId, 2, { status: 'resolved', outcome: 'restricted', answeredAt: at(30), onTime: false }),
    itemRecord(orderId, 3, { kind: 'account', locator: '@slot_gacor_88' }),
    itemRecord(orderId, 4, { locator: 'https://judi.example/\u202Egpj.exe' }),
    itemRecord(orderId, 5, { locator: 'https://michat.example/p/ünïcödé?q=1&r=2' }),
  ];
}

function input(stage: LetterStage, order = escalatedOrder()): LetterInput {
  return {
    stage,
    order,
    items: items(order.orderId),
    agency: { id: 'komdigi-ais', name: 'Komdigi AIS' },
    platform: { id: 'michat', name: 'MiChat' },
    auditHead: {
      seq: 12,
      digest: 'ab'.repeat(32),
      signedAt: at(96),
      keyId: 'arn:aws:kms:ap-southeast-3:1:key/k',
      algorithm: 'ECDSA_SHA_256',
      signature: 'MEUCIQDsignature',
    },
    verifyUrlBase: 'https://api.tenggat.example/v1/verify',
    now: new Date(at(100)),
  };
}

const TITLES: Record<LetterStage, [string, string]> = {
  order: ['SURAT PERINTAH TAKEDOWN', 'TAKEDOWN ORDER'],
  st1: ['SURAT TEGURAN 1 (ST1)', 'FIRST WARNING LETTER (ST1)'],
  st2: ['SURAT TEGURAN 2 (ST2)', 'SECOND WARNING LETTER (ST2)'],
  st3: ['SURAT TEGURAN 3 (ST3)', 'THIRD WARNING LETTER (ST3)'],
  withdrawal: ['PENCABUTAN PERINTAH TAKEDOWN', 'WITHDRAWAL OF THE TAKEDOWN ORDER'],
};

describe.each(LETTER_STAGES)('the %s letter', (stage) => {
  let text = '';
  let digest = '';
  let pdf: Buffer = Buffer.alloc(0);
  beforeAll(async () => {
    const rendered = await renderLetterPdf(input(stage));
    pdf = rendered.pdf;
    digest = rendered.digest;
    text = pdfText(pdf);
  });
  const flat = () => text.replace(/\s+/g, ' ');

  it('reads back with its bilingual title, Bahasa Indonesia first', () => {
    const [id, en] = TITLES[stage];
    expect(flat()).toContain(id);
    expect(flat()).toContain(en);
    expect(flat().indexOf(id)).toBeLessThan(flat().indexOf(en));
  });

  it('names the agency, the platform, the legal basis and the reason', () => {
    for (const expected of [
      'Komdigi AIS (komdigi-ais)',
      'MiChat (michat)',
      'UU ITE Pasal 27 ayat (2); PP 71/2019 Pasal 96',
      'Situs judi daring dipromosikan',
    ])
      expect(flat()).toContain(expected);
  });

  it('lists every item in the annex, showing hidden characters instead of obeying them', () => {
    expect(flat()).toContain('ANNEX — List of items (5)');
    for (const locator of [
      'https://michat.example/p/5f0c1e2a-0042/1',
      '@slot_gacor_88',
      'https://michat.example/p/ünïcödé?q=1&r=2',
    ])
      expect(flat()).toContain(locator);
    expect(flat()).toContain('https://judi.example/[U+202E]gpj.exe');
  });

  it('states the deadline and the fine so far with its formula', () => {
    if (stage === 'order') expect(flat()).toContain('2026-11-28 08:00 WIB (01:00 UTC)');
    if (stage === 'st2') expect(flat()).toContain('2026-12-01 08:00 WIB (01:00 UTC)');
    // Three items pending from ST2 (48 h) to the end (96 h): three periods of 5,000,000 each.
    expect(flat()).toContain('IDR 45.000.000');
    if (stage === 'st2') {
      expect(flat()).toContain('How the fine is computed');
      const [third, , fifth] = items('5f0c1e2a-0042').slice(2);
      expect(flat()).toContain(
        `3 × 3 period(s) of P1D × 5000000 IDR = 15000000 IDR (butir / items ${third?.itemId}-${fifth?.itemId})`,
      );
    }
  });

  it('carries the verification block: the record digest, the route and the signed audit head', () => {
    expect(digest).toBe(letterDigest(input(stage)));
    expect(flat()).toContain(digest);
    expect(flat()).toContain(`https://api.tenggat.example/v1/verify/${digest}`);
    expect(flat()).toContain(`seq 12, digest ${'ab'.repeat(32)}`);
    expect(flat()).toContain('MEUCIQDsignature');
  });

  it('embeds its fonts (DejaVu Sans) and uses no system font', () => {
    const fonts = pdfFonts(pdf);
    expect(fonts.length).toBeGreaterThan(0);
    for (const font of fonts) {
      expect(font.embedded).toBe(true);
      expect(font.name).toMatch(/DejaVuSans/);
    }
  });
});

describe('letter rules', () => {
  it('has no letter for a stage the order has not reached (the route answers 404)', () => {
    const early = escalatedOrder({
      status: 'awaiting_platform',
      stage: 'order',
      st2At: null,
      finalizedAt: null,
      withdrawal: null,
      stageHistory: [{ stage: 'order', at: served, deadlineAt: at(24) }],
    });
    expect(letterAvailable(early, 'order')).toBe(true);
    for (const stage of ['st1', 'st2', 'st3', 'withdrawal'] as const) {
      expect(letterAvailable(early, stage)).toBe(false);
      expect(() => letterContent(input(stage, early))).toThrow(LetterNotAvailableError);
    }
    expect(letterAvailable(escalatedOrder({ servedAt: null, notifiedAt: null }), 'order')).toBe(false);
  });

  it('changes its digest when the record it states changes (so the verify route can say it is no longer current)', () => {
    const before = letterDigest(input('st2'));
    const changed = {
      ...input('st2'),
      items: items('5f0c1e2a-0042').map((item, index) =>
        index === 2 ? { ...item, status: 'resolved' as const, outcome: 'removed' as const } : item,
      ),
    };
    expect(letterDigest(changed)).not.toBe(before);
    expect(letterDigest(input('st2'))).toBe(before);
  });
});

describe('a 10,000-item order', () => {
  it('renders its whole annex, page after page', async () => {
    const order = escalatedOrder({
      itemCounts: { total: 10_000, pending: 10_000, resolved: 0, disputed: 0, withdrawn: 0 },
    });
    const many = Array.from({ length: 10_000 }, (_, index) =>
      itemRecord(order.orderId, index + 1, {
        // Item ids as submit makes them (000001...).
        itemId: String(index + 1).padStart(6, '0'),
        locator:
          index % 500 === 0
            ? `https://judi.example/${'panjang/'.repeat(40)}${index}`
            : `https://judi.example/slot/${index + 1}?ref=ais`,
      }),
    );
    const started = performance.now();
    const rendered = await renderLetterPdf({ ...input('st2', order), items: many });
    const elapsedMs = Math.round(performance.now() - started);
    const text = pdfText(rendered.pdf).replace(/\s+/g, ' ');
    console.info(
      `10,000-item ST2 letter: ${elapsedMs} ms, ${rendered.pdf.length} bytes, ${rendered.pages} pages`,
    );
    expect(text).toContain('ANNEX — List of items (10000)');
    expect(text).toContain('https://judi.example/slot/2?ref=ais');
    expect(text).toContain('https://judi.example/slot/10000?ref=ais');
    expect(text).toContain(`Page ${rendered.pages} of ${rendered.pages}`);
    expect(rendered.pages).toBeGreaterThan(100);
    expect(text).toContain('10000 × 3 period(s) of P1D × 5000000 IDR = 15000000 IDR');
  }, 120_000);
});
