import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import { documentDate, documentTexts, fill } from '../../platform/documents/language.ts';

/** ISO/IEC 7810 ID-1 (credit card): 85.6 × 54 mm, in PDF points. */
const MM = 72 / 25.4;
export const CARD_WIDTH = 85.6 * MM;
export const CARD_HEIGHT = 54 * MM;

export interface CardFacts {
  /** The language the card is printed in (see documentLocale). */
  language: string;
  number: string;
  /** The tier's name in that language. */
  tierName: string;
  holderDisplay: string;
  validFrom: string;
  validTo: string;
  areaName: string;
  /** What the QR code holds: the verification URL. */
  qrText: string;
}

/** The URL a card's QR code opens: the public verification page of the installation. */
export function cardVerifyUrl(origin: string, token: string): string {
  return `${origin.replace(/\/+$/, '')}/verify/${token}`;
}

/** Beyond Latin-1, the characters of WinAnsi (Windows-1252), the encoding of the standard fonts. */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const inWinAnsi = (c: string) => {
  const code = c.codePointAt(0)!;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa1 && code <= 0xff) || WIN_ANSI_EXTRA.has(c);
};

/**
 * The standard fonts encode WinAnsi only: French, Spanish or Portuguese accents print as they are;
 * other letters lose their accent (ș becomes s, ł becomes '?'), spaces of any width become plain
 * spaces, and anything else (₵, scripts other than Latin) becomes '?'.
 */
export function printable(text: string): string {
  return [...text.replace(/\s/g, ' ')]
    .map((c) => {
      if (inWinAnsi(c)) return c;
      const bare = c.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
      return [...bare].every(inWinAnsi) && bare !== '' ? bare : '?';
    })
    .join('');
}

export function fitText(text: string, font: PDFFont, size: number, width: number): string {
  const full = printable(text);
  if (font.widthOfTextAtSize(full, size) <= width) return full;
  let t = full;
  while (t.length > 1 && font.widthOfTextAtSize(`${t}...`, size) > width) t = t.slice(0, -1);
  return `${t}...`;
}

/** Text over at most `lines` lines, broken between words; what still does not fit ends in "...". */
export function wrapText(text: string, font: PDFFont, size: number, width: number, lines = 2): string[] {
  const words = printable(text).split(' ').filter(Boolean);
  const out: string[] = [];
  while (words.length > 0 && out.length < lines - 1) {
    let line = words.shift()!;
    while (words.length > 0 && font.widthOfTextAtSize(`${line} ${words[0]}`, size) <= width)
      line = `${line} ${words.shift()}`;
    if (font.widthOfTextAtSize(line, size) > width) {
      // One word longer than the line: cut it rather than leave the line overflowing.
      out.push(fitText(line, font, size, width));
      if (words.length === 0) return out;
      continue;
    }
    out.push(line);
  }
  if (words.length > 0) out.push(fitText(words.join(' '), font, size, width));
  return out;
}

/** Draws one card with its lower-left corner at (x, y) of the page: facts left, QR code right. */
export function drawLicenceCard(
  page: PDFPage,
  fonts: { regular: PDFFont; bold: PDFFont },
  facts: CardFacts,
  x: number,
  y0: number,
): void {
  const { regular, bold } = fonts;
  const dark = rgb(0.1, 0.1, 0.1);
  const margin = 4 * MM;

  // QR code, drawn as vector modules with the 4-module quiet zone the standard asks for.
  const qr = QRCode.create(facts.qrText, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const qrSide = CARD_HEIGHT - 2 * margin;
  const cell = qrSide / (size + 8);
  const qrX = x + CARD_WIDTH - margin - qrSide;
  const qrY = y0 + margin;
  page.drawRectangle({ x: qrX, y: qrY, width: qrSide, height: qrSide, color: rgb(1, 1, 1) });
  for (let row = 0; row < size; row++) {
    for (let col = 0; col < size; col++) {
      if (!qr.modules.get(row, col)) continue;
      page.drawRectangle({
        x: qrX + (col + 4) * cell,
        y: qrY + qrSide - (row + 5) * cell,
        width: cell,
        height: cell,
        color: rgb(0, 0, 0),
      });
    }
  }

  const textWidth = qrX - x - 2 * margin;
  let y = y0 + CARD_HEIGHT - margin - 8;
  // A long tier, holder or area name takes a second line: there is room above "Scan to verify".
  const line = (text: string, font: PDFFont, sizePt: number, gap: number, lines = 1) => {
    for (const part of wrapText(text, font, sizePt, textWidth, lines)) {
      page.drawText(part, { x: x + margin, y, size: sizePt, font, color: dark });
      y -= gap;
    }
  };
  const t = documentTexts(facts.language).card;
  const date = (d: string) => documentDate(facts.language, d);
  line(t.title, bold, 8, 12);
  // The number must print whole (GH-AS-CP-2026-000123-X is wider than the column at 7 pt): smaller
  // type rather than "...".
  const numberWidth = bold.widthOfTextAtSize(printable(facts.number), 7);
  line(facts.number, bold, Math.max(4, Math.min(7, Math.floor((70 * textWidth) / numberWidth) / 10)), 11);
  line(fill(t.tier, { name: facts.tierName }), regular, 6, 9, 2);
  line(fill(t.holder, { name: facts.holderDisplay }), regular, 6, 9, 2);
  line(fill(t.area, { name: facts.areaName }), regular, 6, 9, 2);
  line(fill(t.validFrom, { date: date(facts.validFrom) }), regular, 6, 9);
  line(fill(t.validTo, { date: date(facts.validTo) }), regular, 6, 9);
  page.drawText(fitText(t.scan, regular, 5, textWidth), {
    x: x + margin,
    y: y0 + margin,
    size: 5,
    font: regular,
    color: dark,
  });
}

/** A one-page credit-card-size PDF: licence facts on the left, the QR code on the right. */
export async function renderLicenceCard(facts: CardFacts): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Licence ${printable(facts.number)}`);
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const page = doc.addPage([CARD_WIDTH, CARD_HEIGHT]);
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  drawLicenceCard(page, fonts, facts, 0, 0);
  return doc.save();
}
