import PDFDocument from 'pdfkit';
import { type LetterFonts, loadLetterFonts } from './fonts';
import {
  type Bilingual,
  formatWib,
  type LetterContent,
  type LetterInput,
  letterContent,
} from './letter-content';

/**
 * A formal letter as PDF (pdfkit, fonts embedded from `dejavu-fonts-ttf`): the letter, its verification block,
 * then the annex with every item (a 10,000-item order is a long annex, ~200 pages). Every page carries
 * "page x of y" and the record's digest.
 */
export interface RenderedLetter {
  pdf: Buffer;
  digest: string;
  pages: number;
}

const MARGIN = 48;
const PAGE = { width: 595.28, height: 841.89 };
const CONTENT_WIDTH = PAGE.width - 2 * MARGIN;
const FOOTER_SPACE = 28;
const COLUMNS = [
  { key: 'no', title: { id: 'No.', en: 'No.' }, width: 30 },
  { key: 'itemId', title: { id: 'Butir', en: 'Item' }, width: 60 },
  { key: 'kind', title: { id: 'Jenis', en: 'Kind' }, width: 44 },
  { key: 'locator', title: { id: 'Lokator', en: 'Locator' }, width: 190 },
  { key: 'status', title: { id: 'Status', en: 'Status' }, width: 42 },
  { key: 'outcome', title: { id: 'Hasil', en: 'Outcome' }, width: 68 },
  { key: 'fine', title: { id: 'Denda', en: 'Fine' }, width: CONTENT_WIDTH - 434 },
] as const;
const TABLE_FONT_SIZE = 7;
const CELL_PADDING = 2;

// Controls and invisible formatting characters (bidi overrides, zero-width) in a locator are shown by code
// point, so that what the letter prints is what the platform received and cannot be disguised.
const INVISIBLE = /[\p{Cc}\u00AD\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF]/gu;
export const printable = (text: string): string =>
  text.replace(
    INVISIBLE,
    (character) => `[U+${(character.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}]`,
  );

type Doc = PDFKit.PDFDocument;

function bilingualHeading(doc: Doc, text: Bilingual, size: number): void {
  doc.font('bold').fontSize(size).text(text.id, { width: CONTENT_WIDTH });
  doc
    .font('oblique')
    .fontSize(size - 2)
    .text(text.en, { width: CONTENT_WIDTH });
}

function paragraph(doc: Doc, text: Bilingual): void {
  doc.moveDown(0.5);
  doc.font('regular').fontSize(9.5).text(printable(text.id), { width: CONTENT_WIDTH, align: 'justify' });
  doc.font('oblique').fontSize(8.5).text(printable(text.en), { width: CONTENT_WIDTH, align: 'justify' });
}

function fields(doc: Doc, content: LetterContent): void {
  doc.moveDown(0.6);
  for (const field of content.fields) {
    const top = doc.y;
    doc.font('bold').fontSize(8.5).text(`${field.label.id} / ${field.label.en}`, MARGIN, top, { width: 130 });
    const labelBottom = doc.y;
    doc
      .font('regular')
      .fontSize(8.5)
      .text(printable(field.value), MARGIN + 136, top, { width: CONTENT_WIDTH - 136 });
    doc.y = Math.max(doc.y, labelBottom) + 2;
  }
  doc.x = MARGIN;
}

function fineSection(doc: Doc, content: LetterContent): void {
  doc.moveDown(0.6);
  bilingualHeading(doc, { id: 'Perhitungan denda', en: 'How the fine is computed' }, 10);
  paragraph(doc, content.fine.model);
  for (const group of content.fine.groups) {
    doc
      .font('regular')
      .fontSize(8)
      .text(`${group.count} × ${group.formula} (butir / items ${group.items})`, { width: CONTENT_WIDTH });
  }
}

function verificationBlock(doc: Doc, content: LetterContent): void {
  doc.moveDown(0.8);
  bilingualHeading(doc, { id: 'Verifikasi', en: 'Verification' }, 10);
  const head = content.verification.auditHead;
  const lines = [
    `SHA-256 catatan surat / of the letter's record: ${content.verification.digest}`,
    `Periksa / Verify: ${content.verification.verifyUrl}`,
    head === null
      ? 'Kepala jejak audit / Audit head: —'
      : `Kepala jejak audit / Audit head: seq ${head.seq}, digest ${head.digest}, ${head.signedAt}`,
    head === null
      ? ''
      : head.signature === null
        ? 'Tanda tangan / Signature: tidak ditandatangani / unsigned'
        : `Tanda tangan / Signature (${head.algorithm ?? 'ECDSA_SHA_256'}, ${head.keyId}): ${head.signature}`,
  ].filter(Boolean);
  doc.font('regular').fontSize(7.5);
  for (const line of lines) doc.text(line, { width: CONTENT_WIDTH });
}

function cellText(row: LetterContent['rows'][number], key: (typeof COLUMNS)[number]['key']): string {
  switch (key) {
    case 'no':
      return String(row.no);
    case 'locator':
      return row.locator === null ? '[dihapus / erased]' : printable(row.locator);
    case 'outcome':
      return row.outcome ?? '—';
    case 'fine':
      return row.fine === 0 ? '—' : row.fine.toLocaleString('id-ID');
    default:
      return row[key];
  }
}

function tableHeader(doc: Doc): void {
  const top = doc.y;
  let x = MARGIN;
  for (const column of COLUMNS) {
    doc
      .font('bold')
      .fontSize(TABLE_FONT_SIZE)
      .text(column.title.id, x + CELL_PADDING, top + CELL_PADDING, { lineBreak: false });
    doc.font('oblique').text(column.title.en, x + CELL_PADDING, top + CELL_PADDING + TABLE_FONT_SIZE + 1.5, {
      lineBreak: false,
    });
    x += column.width;
  }
  const bottom = top + 2 * TABLE_FONT_SIZE + 2 * CELL_PADDING + 4;
  doc
    .moveTo(MARGIN, bottom)
    .lineTo(MARGIN + CONTENT_WIDTH, bottom)
    .lineWidth(0.5)
    .stroke();
  doc.y = bottom + 1;
}

function annex(doc: Doc, content: LetterContent): void {
  doc.addPage();
  bilingualHeading(
    doc,
    {
      id: `LAMPIRAN — Daftar butir (${content.rows.length})`,
      en: `ANNEX — List of items (${content.rows.length})`,
    },
    11,
  );
  doc.moveDown(0.4);
  tableHeader(doc);
  const bottomLimit = PAGE.height - MARGIN - FOOTER_SPACE;
  doc.font('regular').fontSize(TABLE_FONT_SIZE);
  const lineHeight = doc.currentLineHeight(true);
  for (const row of content.rows) {
    // Most cells fit on one line and are written without a line wrapper (pdfkit makes one per call with a
    // width); only the cells that do not fit are wrapped and measured. This keeps 10,000 rows fast.
    const cells = COLUMNS.map((column) => {
      const text = cellText(row, column.key);
      const width = column.width - 2 * CELL_PADDING;
      const wraps = doc.widthOfString(text) > width;
      return { text, width, wraps, height: wraps ? doc.heightOfString(text, { width }) : lineHeight };
    });
    const height = Math.max(...cells.map((cell) => cell.height));
    if (doc.y + height + 2 * CELL_PADDING > bottomLimit) {
      doc.addPage();
      tableHeader(doc);
      doc.font('regular').fontSize(TABLE_FONT_SIZE);
    }
    const top = doc.y;
    let x = MARGIN;
    cells.forEach((cell, index) => {
      if (cell.wraps) doc.text(cell.text, x + CELL_PADDING, top + CELL_PADDING, { width: cell.width });
      else doc.text(cell.text, x + CELL_PADDING, top + CELL_PADDING, { lineBreak: false });
      x += COLUMNS[index]?.width ?? 0;
    });
    doc.y = top + height + 2 * CELL_PADDING;
  }
  doc.x = MARGIN;
}

function footers(doc: Doc, content: LetterContent): number {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    const bottom = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('regular')
      .fontSize(6.5)
      .text(
        `Halaman ${index + 1} dari ${range.count} / Page ${index + 1} of ${range.count} — ${content.number} — SHA-256 ${content.verification.digest}`,
        MARGIN,
        PAGE.height - MARGIN + 8,
        { width: CONTENT_WIDTH, lineBreak: false },
      );
    doc.page.margins.bottom = bottom;
  }
  return range.count;
}

/** Renders one letter. Throws `LetterNotAvailableError` for a stage the order has not reached. */
export function renderLetterPdf(
  input: LetterInput,
  fonts: LetterFonts = loadLetterFonts(),
): Promise<RenderedLetter> {
  const content = letterContent(input);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN, left: MARGIN, right: MARGIN },
    bufferPages: true,
    font: fonts.regular as unknown as string,
    info: {
      Title: `${content.title.id} / ${content.title.en} — ${content.number}`,
      Author: input.agency.name,
      Subject: `Tenggat order ${input.order.orderId}, stage ${content.stage}`,
      Keywords: `sha256:${content.verification.digest}`,
      CreationDate: input.now,
    },
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  doc.registerFont('oblique', fonts.oblique);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  doc
    .font('regular')
    .fontSize(8)
    .text(`${input.agency.name} — ${formatWib(content.issuedAt)}`, { align: 'right' });
  doc.moveDown(0.8);
  bilingualHeading(doc, content.title, 14);
  for (const text of content.body) paragraph(doc, text);
  fields(doc, content);
  if (content.fine.total > 0 || content.stage === 'st2') fineSection(doc, content);
  verificationBlock(doc, content);
  annex(doc, content);
  const pages = footers(doc, content);
  doc.end();
  return done.then((pdf) => ({ pdf, digest: content.verification.digest, pages }));
}
