import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import { documentDate, documentTexts, fill } from '../../platform/documents/language.ts';
import { fitText, printable, wrapText } from '../licence-cards/card.pdf.ts';
import type { Period, PeriodKind } from './periods.ts';

/** ISO 216 A4 landscape, in PDF points: the columns of a logbook need the width. */
const A4_LANDSCAPE: [number, number] = [841.89, 595.28];
const MARGIN = 28;
const QR_SIDE = 84;
/** Rows per page: tall enough to write figures by hand. */
export const ROWS_PER_PAGE = 8;

export interface BlankLogbookFacts {
  language: string;
  number: string;
  tierName: string;
  holderName: string;
  areaName: string;
  periodKind: PeriodKind;
  periods: Period[];
  /** What the QR code holds: the licence's logbook entry screen, where an officer types the figures. */
  qrText: string;
}

type Column =
  | 'period'
  | 'ore'
  | 'mineral'
  | 'fineness'
  | 'women'
  | 'men'
  | 'other'
  | 'youth'
  | 'equipment'
  | 'costs'
  | 'mercury'
  | 'signature';
/** Relative widths: the free-text columns (equipment, signature) get the room. */
const COLUMNS: [Column, number][] = [
  ['period', 88],
  ['ore', 58],
  ['mineral', 62],
  ['fineness', 48],
  ['women', 40],
  ['men', 40],
  ['other', 46],
  ['youth', 40],
  ['equipment', 118],
  ['costs', 70],
  ['mercury', 56],
  ['signature', 78],
];

function drawQr(page: PDFPage, text: string, x: number, y: number, side: number) {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  // 4-module quiet zone, as the standard asks.
  const cell = side / (size + 8);
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      page.drawRectangle({
        x: x + (col + 4) * cell,
        y: y + side - (row + 5) * cell,
        width: cell,
        height: cell,
        color: rgb(0, 0, 0),
      });
    }
  }
}

/**
 * A blank production logbook for a licence: A4 landscape pages, each with the holder, the licence and
 * a QR code, and a table of one row per period with a column for each figure, to fill by hand.
 */
export async function renderBlankLogbook(facts: BlankLogbookFacts): Promise<Uint8Array> {
  const t = documentTexts(facts.language).logbook;
  const doc = await PDFDocument.create();
  doc.setTitle(`Logbook ${printable(facts.number)}`);
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const dark = rgb(0.1, 0.1, 0.1);
  const [width, height] = A4_LANDSCAPE;
  const tableWidth = width - 2 * MARGIN;
  const scale = tableWidth / COLUMNS.reduce((sum, [, w]) => sum + w, 0);
  const widths = COLUMNS.map(([key, w]) => [key, w * scale] as const);
  const pages = Math.max(1, Math.ceil(facts.periods.length / ROWS_PER_PAGE));
  const date = (d: string) => documentDate(facts.language, d);
  const text = (page: PDFPage, s: string, x: number, y: number, font: PDFFont, size: number, max: number) =>
    page.drawText(fitText(s, font, size, max), { x, y, size, font, color: dark });

  for (let p = 0; p < pages; p++) {
    const page = doc.addPage(A4_LANDSCAPE);
    const top = height - MARGIN;
    const infoWidth = tableWidth - QR_SIDE - 12;
    drawQr(page, facts.qrText, width - MARGIN - QR_SIDE, top - QR_SIDE, QR_SIDE);
    text(page, t.scan, width - MARGIN - QR_SIDE, top - QR_SIDE - 9, regular, 6, QR_SIDE);
    text(page, t.title, MARGIN, top - 14, bold, 15, infoWidth);
    text(page, fill(t.licence, { number: facts.number }), MARGIN, top - 32, bold, 10, infoWidth);
    text(page, fill(t.holder, { name: facts.holderName }), MARGIN, top - 46, regular, 9, infoWidth);
    text(page, fill(t.tier, { name: facts.tierName }), MARGIN, top - 59, regular, 9, infoWidth);
    text(page, fill(t.area, { name: facts.areaName }), MARGIN, top - 72, regular, 9, infoWidth);
    text(page, t.periods[facts.periodKind], MARGIN, top - 85, regular, 9, infoWidth);
    let line = top - 98;
    for (const part of wrapText(t.instructions, regular, 7, infoWidth, 2)) {
      page.drawText(part, { x: MARGIN, y: line, size: 7, font: regular, color: dark });
      line -= 9;
    }

    // The table: a header row of column names, then one row per period.
    const headerTop = top - QR_SIDE - 26;
    const headerHeight = 28;
    const bodyTop = headerTop - headerHeight;
    const rowHeight = (bodyTop - MARGIN - 14) / ROWS_PER_PAGE;
    const rows = facts.periods.slice(p * ROWS_PER_PAGE, (p + 1) * ROWS_PER_PAGE);
    const bottom = bodyTop - rows.length * rowHeight;
    const stroke = { thickness: 0.6, color: rgb(0.3, 0.3, 0.3) };
    page.drawRectangle({
      x: MARGIN,
      y: bodyTop,
      width: tableWidth,
      height: headerHeight,
      color: rgb(0.92, 0.92, 0.92),
    });
    let x = MARGIN;
    for (const [key, w] of widths) {
      let y = headerTop - 10;
      for (const part of wrapText(t.columns[key], bold, 6.5, w - 4, 3)) {
        page.drawText(part, { x: x + 2, y, size: 6.5, font: bold, color: dark });
        y -= 8;
      }
      page.drawLine({ start: { x, y: headerTop }, end: { x, y: bottom }, ...stroke });
      x += w;
    }
    page.drawLine({ start: { x, y: headerTop }, end: { x, y: bottom }, ...stroke });
    page.drawLine({ start: { x: MARGIN, y: headerTop }, end: { x, y: headerTop }, ...stroke });
    rows.forEach((period, i) => {
      const rowTop = bodyTop - i * rowHeight;
      page.drawLine({
        start: { x: MARGIN, y: rowTop },
        end: { x: MARGIN + tableWidth, y: rowTop },
        ...stroke,
      });
      const w = widths[0]![1] - 4;
      text(page, date(period.start), MARGIN + 2, rowTop - 11, regular, 7, w);
      text(page, `- ${date(period.end)}`, MARGIN + 2, rowTop - 21, regular, 7, w);
    });
    page.drawLine({ start: { x: MARGIN, y: bottom }, end: { x: MARGIN + tableWidth, y: bottom }, ...stroke });
    text(
      page,
      fill(t.page, { page: String(p + 1), pages: String(pages), number: facts.number }),
      MARGIN,
      MARGIN - 10,
      regular,
      7,
      tableWidth,
    );
  }
  return doc.save();
}
