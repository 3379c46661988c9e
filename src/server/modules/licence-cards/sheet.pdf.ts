import { PDFDocument, rgb, StandardFonts } from 'pdf-lib';
import { CARD_HEIGHT, CARD_WIDTH, type CardFacts, drawLicenceCard } from './card.pdf.ts';

/** ISO 216 A4 portrait, in PDF points. */
export const A4_WIDTH = 595.28;
export const A4_HEIGHT = 841.89;
const COLUMNS = 2;
const ROWS = 5;
export const CARDS_PER_PAGE = COLUMNS * ROWS;
/** Cut marks stop this far from the cards, so that none shows on a card once cut. */
const MARK_GAP = 3;
const MARK_LENGTH = 14;

/**
 * Cards on A4 sheets, ten to a page (two columns of five, edge to edge so one cut separates two
 * cards), with cut marks in the margins at every card edge.
 */
export async function renderCardSheet(cards: CardFacts[]): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Licence cards (${cards.length})`);
  doc.setProducer('OpenASM');
  doc.setCreator('OpenASM');
  const fonts = {
    regular: await doc.embedFont(StandardFonts.Helvetica),
    bold: await doc.embedFont(StandardFonts.HelveticaBold),
  };
  const left = (A4_WIDTH - COLUMNS * CARD_WIDTH) / 2;
  const bottom = (A4_HEIGHT - ROWS * CARD_HEIGHT) / 2;
  const top = bottom + ROWS * CARD_HEIGHT;
  const right = left + COLUMNS * CARD_WIDTH;
  const mark = { thickness: 0.5, color: rgb(0, 0, 0) };
  for (let start = 0; start < cards.length; start += CARDS_PER_PAGE) {
    const page = doc.addPage([A4_WIDTH, A4_HEIGHT]);
    for (let c = 0; c <= COLUMNS; c++) {
      const x = left + c * CARD_WIDTH;
      page.drawLine({
        start: { x, y: top + MARK_GAP },
        end: { x, y: top + MARK_GAP + MARK_LENGTH },
        ...mark,
      });
      page.drawLine({
        start: { x, y: bottom - MARK_GAP },
        end: { x, y: bottom - MARK_GAP - MARK_LENGTH },
        ...mark,
      });
    }
    for (let r = 0; r <= ROWS; r++) {
      const y = bottom + r * CARD_HEIGHT;
      page.drawLine({
        start: { x: left - MARK_GAP, y },
        end: { x: left - MARK_GAP - MARK_LENGTH, y },
        ...mark,
      });
      page.drawLine({
        start: { x: right + MARK_GAP, y },
        end: { x: right + MARK_GAP + MARK_LENGTH, y },
        ...mark,
      });
    }
    cards.slice(start, start + CARDS_PER_PAGE).forEach((facts, i) => {
      const col = i % COLUMNS;
      const row = Math.floor(i / COLUMNS);
      drawLicenceCard(page, fonts, facts, left + col * CARD_WIDTH, top - (row + 1) * CARD_HEIGHT);
    });
  }
  return doc.save();
}
