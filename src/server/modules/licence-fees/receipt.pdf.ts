import { PDFDocument, type PDFFont, rgb, StandardFonts } from 'pdf-lib';
import { type DocumentLocale, documentDateTime, fill } from '../../platform/documents/language.ts';
import { fitText, printable } from '../licence-cards/card.pdf.ts';

/** ISO 216 A6 portrait, in PDF points: a receipt fits a small printer or a phone screen. */
const WIDTH = 297.64;
const HEIGHT = 419.53;

export interface ReceiptFacts {
  receiptNumber: string;
  office: string;
  applicationReference: string;
  /** The tier's name in the receipt's language. */
  tierName: string;
  payer: string;
  amountMinor: number;
  currency: string;
  method: 'cash' | 'mobile_money' | 'bank';
  reference: string;
  paidAt: string;
  balanceAfterMinor: number;
  officer: string;
  recordedAt: string;
}

/**
 * Money from minor units with the currency code (GHS 1,000.00): the standard PDF fonts have no
 * cedi or franc sign, and a code is what a ledger shows anyway.
 */
export function formatReceiptMoney(minorUnits: number, currency: string, locale = 'en'): string {
  const digits =
    new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency, currencyDisplay: 'code' })
    .format(minorUnits / 10 ** digits)
    .replace(/\u00a0/g, ' ');
}

/**
 * The receipt of one fee payment, as a one-page A6 PDF, in the country's language (labels and
 * dates); amounts keep the English digits with the currency code, as a ledger writes them.
 */
export async function renderReceipt(r: ReceiptFacts, locale: DocumentLocale): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Receipt ${printable(r.receiptNumber)}`);
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const page = doc.addPage([WIDTH, HEIGHT]);
  const regular = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const dark = rgb(0.1, 0.1, 0.1);
  const margin = 24;
  const width = WIDTH - 2 * margin;
  let y = HEIGHT - margin - 12;
  const text = (t: string, font: PDFFont, size: number, gap: number) => {
    page.drawText(fitText(t, font, size, width), { x: margin, y, size, font, color: dark });
    y -= gap;
  };
  const field = (label: string, value: string) => {
    page.drawText(fitText(label, regular, 7, width), {
      x: margin,
      y,
      size: 7,
      font: regular,
      color: rgb(0.35, 0.35, 0.35),
    });
    y -= 10;
    text(value, bold, 10, 16);
  };
  const t = locale.texts.receipt;
  const date = (instant: string) =>
    new Intl.DateTimeFormat(locale.language, { dateStyle: 'medium', timeZone: locale.timeZone }).format(
      new Date(instant),
    );
  text(t.title, bold, 13, 18);
  text(fill(t.number, { number: r.receiptNumber }), bold, 11, 22);
  field(t.office, r.office);
  field(t.application, `${r.applicationReference} (${r.tierName})`);
  field(t.receivedFrom, r.payer);
  field(t.amount, formatReceiptMoney(r.amountMinor, r.currency));
  field(t.methodAndReference, `${t.methods[r.method]} - ${r.reference}`);
  // The day it was paid where it was paid.
  field(t.paidOn, date(r.paidAt));
  field(t.balanceAfter, formatReceiptMoney(r.balanceAfterMinor, r.currency));
  field(t.recordedBy, `${r.officer}, ${documentDateTime(locale, r.recordedAt)}`);
  return doc.save();
}
