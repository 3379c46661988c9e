import { PDFDocument, type PDFFont, rgb, StandardFonts } from 'pdf-lib';
import { fitText, printable } from '../licence-cards/card.pdf.ts';

/** ISO 216 A6 portrait, in PDF points: a receipt fits a small printer or a phone screen. */
const WIDTH = 297.64;
const HEIGHT = 419.53;

export interface ReceiptFacts {
  receiptNumber: string;
  office: string;
  applicationReference: string;
  tierCode: string;
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

const METHODS = { cash: 'Cash', mobile_money: 'Mobile money', bank: 'Bank' } as const;

/** The receipt of one fee payment, as a one-page A6 PDF. */
export async function renderReceipt(r: ReceiptFacts, locale = 'en'): Promise<Uint8Array> {
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
    page.drawText(label, { x: margin, y, size: 7, font: regular, color: rgb(0.35, 0.35, 0.35) });
    y -= 10;
    text(value, bold, 10, 16);
  };
  text('LICENCE FEE RECEIPT', bold, 13, 18);
  text(`No. ${r.receiptNumber}`, bold, 11, 22);
  field('Office', r.office);
  field('Application', `${r.applicationReference} (${r.tierCode})`);
  field('Received from', r.payer);
  field('Amount', formatReceiptMoney(r.amountMinor, r.currency, locale));
  field('Method and reference', `${METHODS[r.method]} - ${r.reference}`);
  field('Paid on', r.paidAt.slice(0, 10));
  field('Balance after this payment', formatReceiptMoney(r.balanceAfterMinor, r.currency, locale));
  field('Recorded by', `${r.officer}, ${r.recordedAt.slice(0, 16).replace('T', ' ')} UTC`);
  return doc.save();
}
