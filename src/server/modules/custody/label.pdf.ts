import { PDFDocument, type PDFFont, type PDFPage, rgb, StandardFonts } from 'pdf-lib';
import QRCode from 'qrcode';
import { formatDate, formatFineness } from '../../../shared/format.ts';
import { type DocumentTexts, documentTexts, fill } from '../../platform/documents/language.ts';
import { fitText, printable, wrapText } from '../licence-cards/card.pdf.ts';

/** A lot label is 100 × 60 mm (a common thermal-printer size); in PDF points. */
const MM = 72 / 25.4;
export const LABEL_WIDTH = 100 * MM;
export const LABEL_HEIGHT = 60 * MM;
const A4_WIDTH = 595.28;
const A4_HEIGHT = 841.89;
const COLUMNS = 2;
const ROWS = 4;
export const LABELS_PER_PAGE = COLUMNS * ROWS;

export interface LabelFacts {
  /** The language printed (the profile's first, see documentLocale). */
  language: string;
  timeZone: string;
  tag: string;
  mineral: string;
  form: string;
  massMg: number;
  finenessPtt: number | null;
  holderName: string;
  /** The one origin site's name, or how many sites the lot comes from (0: none recorded). */
  origin: { name: string } | { count: number };
  /** When the lot was made (its production, split, merge or processing). */
  madeAt: Date;
  /** What the QR code holds: the lot page's URL. */
  qrText: string;
}

/** The URL a label's QR code opens: the lot's page in the web client (sign-in required). */
export function lotPageUrl(origin: string, lotId: string): string {
  return `${origin.replace(/\/+$/, '')}/custody/lots/${lotId}`;
}

/**
 * Grams to the milligram whatever the size, unlike the screens' kilograms above 1 kg: the label is
 * compared with the scale's reading at each hand-over, and rounding would hide a missing gram.
 */
export const labelMass = (language: string, massMg: number) =>
  new Intl.NumberFormat(language, { style: 'unit', unit: 'gram', maximumFractionDigits: 3 }).format(
    massMg / 1000,
  );

const capitalised = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** The label's lines under the tag, in the label's language. */
export function labelLines(facts: LabelFacts, t: DocumentTexts['lotLabel']): string[] {
  const minerals = t.minerals as Record<string, string>;
  const forms = t.forms as Record<string, string>;
  const origin =
    'name' in facts.origin
      ? fill(t.origin, { name: facts.origin.name })
      : facts.origin.count > 0
        ? fill(t.originSites, { count: String(facts.origin.count) })
        : t.originUnknown;
  return [
    fill(t.mineralForm, {
      mineral: minerals[facts.mineral] ?? capitalised(facts.mineral),
      form: forms[facts.form] ?? facts.form,
    }),
    fill(t.mass, { mass: labelMass(facts.language, facts.massMg) }),
    facts.finenessPtt === null
      ? t.finenessUnknown
      : fill(t.fineness, { fineness: formatFineness(facts.language, facts.finenessPtt) }),
    fill(t.holder, { name: facts.holderName }),
    origin,
    fill(t.date, { date: formatDate(facts.language, facts.madeAt, facts.timeZone) }),
  ];
}

/** Square QR modules as vector rectangles with the 4-module quiet zone, like the licence card. */
function drawQr(page: PDFPage, text: string, x: number, y: number, side: number): void {
  const qr = QRCode.create(text, { errorCorrectionLevel: 'M' });
  const size = qr.modules.size;
  const cell = side / (size + 8);
  page.drawRectangle({ x, y, width: side, height: side, color: rgb(1, 1, 1) });
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
 * One label with its lower-left corner at (x, y): the tag across the top in large type (what a
 * person reads out or types, check character included), the facts on the left, the QR code right.
 */
export function drawLotLabel(
  page: PDFPage,
  fonts: { regular: PDFFont; bold: PDFFont },
  facts: LabelFacts,
  x: number,
  y0: number,
): void {
  const { regular, bold } = fonts;
  const dark = rgb(0.1, 0.1, 0.1);
  const margin = 4 * MM;
  const t = documentTexts(facts.language).lotLabel;
  const inner = LABEL_WIDTH - 2 * margin;

  let y = y0 + LABEL_HEIGHT - margin - 7;
  page.drawText(fitText(t.title, bold, 7, inner), { x: x + margin, y, size: 7, font: bold, color: dark });
  // The tag prints whole and as large as fits: it is what gets read over a phone or typed.
  const tag = printable(facts.tag);
  const tagSize = Math.min(22, Math.floor((10 * inner) / bold.widthOfTextAtSize(tag, 10)));
  y -= tagSize + 3;
  page.drawText(tag, { x: x + margin, y, size: tagSize, font: bold, color: dark });

  const qrSide = y - y0 - margin - 4;
  const qrX = x + LABEL_WIDTH - margin - qrSide;
  drawQr(page, facts.qrText, qrX, y0 + margin, qrSide);

  const textWidth = qrX - x - margin - 3 * MM;
  y -= 14;
  const [first, ...rest] = labelLines(facts, t);
  page.drawText(fitText(first!, bold, 9, textWidth), { x: x + margin, y, size: 9, font: bold, color: dark });
  y -= 12;
  for (const text of rest) {
    for (const part of wrapText(text, regular, 8, textWidth, 1)) {
      page.drawText(part, { x: x + margin, y, size: 8, font: regular, color: dark });
      y -= 11;
    }
  }
  page.drawText(fitText(t.scan, regular, 6, textWidth), {
    x: x + margin,
    y: y0 + margin,
    size: 6,
    font: regular,
    color: dark,
  });
}

async function newDocument(title: string) {
  const doc = await PDFDocument.create();
  doc.setTitle(printable(title));
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  return { doc, fonts };
}

/** One label on a page of its own size, for a label printer. */
export async function renderLotLabel(facts: LabelFacts): Promise<Uint8Array> {
  const { doc, fonts } = await newDocument(`Lot ${facts.tag}`);
  drawLotLabel(doc.addPage([LABEL_WIDTH, LABEL_HEIGHT]), fonts, facts, 0, 0);
  return doc.save();
}

/** Labels on A4 sheets for an office printer: eight to a page (two columns of four), with cut lines. */
export async function renderLotLabelSheet(labels: LabelFacts[]): Promise<Uint8Array> {
  const { doc, fonts } = await newDocument(`Lot labels (${labels.length})`);
  const left = (A4_WIDTH - COLUMNS * LABEL_WIDTH) / 2;
  const top = A4_HEIGHT - (A4_HEIGHT - ROWS * LABEL_HEIGHT) / 2;
  for (let start = 0; start < labels.length; start += LABELS_PER_PAGE) {
    const page = doc.addPage([A4_WIDTH, A4_HEIGHT]);
    labels.slice(start, start + LABELS_PER_PAGE).forEach((facts, i) => {
      const x = left + (i % COLUMNS) * LABEL_WIDTH;
      const y = top - (Math.floor(i / COLUMNS) + 1) * LABEL_HEIGHT;
      // A thin grey outline to cut along; grey, so it is never taken for a QR module.
      page.drawRectangle({
        x,
        y,
        width: LABEL_WIDTH,
        height: LABEL_HEIGHT,
        borderColor: rgb(0.6, 0.6, 0.6),
        borderWidth: 0.5,
      });
      drawLotLabel(page, fonts, facts, x, y);
    });
  }
  return doc.save();
}
