import { describe, expect, it } from 'vitest';
import {
  composeNoticeEmail,
  type EmailOrderFacts,
  itemsCsv,
} from '../../../functions/src/messages/notice-email';

const order: EmailOrderFacts = {
  orderId: 'f3a1c2d4-0000-4000-8000-000000000001',
  reference: 'AIS/2026/0042',
  agencyId: 'komdigi-ais',
  platformId: 'michat-sandbox',
  category: 'prostitution',
  urgency: 'standard',
  stage: 'order',
  legalBasis: ['UU ITE Pasal 27 ayat (1)'],
  reason: 'Accounts used for online prostitution.',
  territorialScope: ['ID'],
  deadlineAt: null,
  stageDuration: 'PT24H',
  fine: null,
  withdrawalReason: null,
};

const items = (count: number) =>
  Array.from({ length: count }, (_, index) => ({
    id: String(index + 1).padStart(6, '0'),
    kind: 'account',
    locator: `michat:account_${index + 1}`,
  }));

const requested = { event: 'takedown.requested' as const, noticeId: '000001', detail: {} };

describe('the fallback email of a takedown order', () => {
  it('says in Indonesian first, then English, what is ordered, by when, and where to answer', () => {
    const email = composeNoticeEmail({
      order,
      notice: requested,
      items: items(2),
      apiUrl: 'https://api.tenggat.example/prod',
      portalUrl: null,
    });
    expect(email.subject).toBe('[Tenggat] Perintah penurunan konten / Takedown order: AIS/2026/0042');
    expect(email.text.indexOf('Anda diperintahkan')).toBeLessThan(email.text.indexOf('You are ordered'));
    expect(email.text).toContain('24 jam sejak diterima / 24 hours from receipt');
    expect(email.text).toContain('UU ITE Pasal 27 ayat (1)');
    expect(email.text).toContain('- 000002 account michat:account_2');
    expect(email.text).toContain('https://api.tenggat.example/prod/v1/platforms/michat-sandbox/responses');
  });

  it('lists the first 1,000 items and attaches all of them as a CSV for spreadsheets', () => {
    const email = composeNoticeEmail({
      order,
      notice: requested,
      items: items(1_500),
      apiUrl: 'https://a',
      portalUrl: null,
    });
    expect(email.text).toContain('- 001000 account');
    expect(email.text).not.toContain('- 001001 account');
    expect(email.text).toContain('500 more items in the attached items.csv');
    const csv = email.attachments[0]?.content.toString('utf8') ?? '';
    expect(csv.startsWith('\uFEFFid,kind,locator,fineAccrued,fineFormula\r\n')).toBe(true);
    expect(csv.trim().split('\r\n')).toHaveLength(1_501);
  });

  it('escapes what the agency and the platform wrote, in the HTML and in the CSV', () => {
    const hostile = [
      { id: '000001', kind: 'url', locator: 'https://x.example/?q=<script>alert(1)</script>,"a"' },
    ];
    const email = composeNoticeEmail({
      order: { ...order, reason: '<img src=x onerror=alert(1)>' },
      notice: requested,
      items: hostile,
      apiUrl: 'https://a',
      portalUrl: null,
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).not.toContain('<img');
    expect(itemsCsv(hostile).toString('utf8')).toContain(
      '"https://x.example/?q=<script>alert(1)</script>,""a"""',
    );
  });

  it('for a clarification answer gives the question, the answer and the restart of the clock', () => {
    const email = composeNoticeEmail({
      order,
      notice: {
        event: 'takedown.clarified',
        noticeId: '000003',
        detail: { question: 'Which one?', answer: 'The first.' },
      },
      items: items(1),
      apiUrl: 'https://a',
      portalUrl: 'https://console.tenggat.example',
    });
    expect(email.text).toContain('Pertanyaan / Question: Which one?');
    expect(email.text).toContain('Jawaban / Answer: The first.');
    expect(email.text).toContain('The deadline runs again from receipt of this email.');
    expect(email.text).toContain(`https://console.tenggat.example/orders/${order.orderId}`);
  });

  it('for a withdrawal lists no items and asks for nothing', () => {
    const email = composeNoticeEmail({
      order: { ...order, withdrawalReason: 'Filed in error.' },
      notice: { event: 'takedown.withdrawn', noticeId: '000002', detail: {} },
      items: items(3),
      apiUrl: 'https://a',
      portalUrl: null,
    });
    expect(email.text).toContain('Filed in error.');
    expect(email.text).not.toContain('account_1');
    expect(email.text).not.toContain('/responses');
    expect(email.attachments).toEqual([]);
  });
});

describe('the fallback email of a fine notice under the points model', () => {
  it('states the formula instead of a rate and gives each item its computation, in the text and the CSV', () => {
    const formula =
      '(content 0.8 × ugc 0.5 × businessScale 1 × warning 1 × compliance 1 × virality 0.5) × 5000 points = 1000 points × 100000 IDR = 100000000 IDR';
    const email = composeNoticeEmail({
      order: {
        ...order,
        stage: 'st2',
        fine: { currency: 'IDR', perItemPerPeriod: 5_000_000, accrualPeriod: 'P1D', capPerItem: 500_000_000 },
        fineModel: { model: 'points', id: 'Poin = indeks konten ...', en: 'Points = content ...' },
      },
      notice: { event: 'takedown.fine_notice', noticeId: '000003', detail: {} },
      items: [
        {
          ...items(1)[0],
          id: '000001',
          kind: 'url',
          locator: 'u1',
          fineAccrued: 100_000_000,
          fineFormula: formula,
        },
      ],
      apiUrl: 'https://api.tenggat.example/prod',
      portalUrl: null,
    });
    expect(email.text).toContain(
      'Rumus denda / Fine formula: Poin = indeks konten ... / Points = content ...',
    );
    expect(email.text).not.toContain('per item per P1D');
    expect(email.text).toContain(`- 000001 url u1: ${formula}`);
    expect(email.html).toContain('<th>denda / fine</th>');
    const csv = email.attachments[0]?.content.toString('utf8') ?? '';
    expect(csv).toContain(`000001,url,u1,100000000,${formula}`);
  });
});
