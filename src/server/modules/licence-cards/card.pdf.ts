import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';

/** ISO/IEC 7810 ID-1 (credit card): 85.6 × 54 mm, in PDF points. */
const MM = 72 / 25.4;
export const CARD_WIDTH = 85.6 * MM;
export const CARD_HEIGHT = 54 * MM;

export interface CardFacts {
  number: string;
  tierCode: string;
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

/** The standard fonts encode WinAnsi only: accents are dropped, anything else becomes '?'. */
export function printable(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '?');
}

export function fitText(text: string, font: PDFFont, size: number, width: number): string {
  const full = printable(text);
  if (font.widthOfTextAtSize(full, size) <= width) return full;
  let t = full;
  while (t.length > 1 && font.widthOfTextAtSize(`${t}...`, size) > width) t = t.slice(0, -1);
  return `${t}...`;
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
  const line = (text: string, font: PDFFont, sizePt: number, gap: number) => {
    page.drawText(fitText(text, font, sizePt, textWidth), {
      x: x + margin,
      y,
      size: sizePt,
      font,
      color: dark,
    });
    y -= gap;
  };
  line('MINING LICENCE', bold, 8, 12);
  line(facts.number, bold, 7, 11);
  line(`Tier: ${facts.tierCode}`, regular, 6, 9);
  line(`Holder: ${facts.holderDisplay}`, regular, 6, 9);
  line(`Area: ${facts.areaName}`, regular, 6, 9);
  line(`Valid: ${facts.validFrom} to ${facts.validTo}`, regular, 6, 9);
  page.drawText('Scan to verify', { x: x + margin, y: y0 + margin, size: 5, font: regular, color: dark });
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
