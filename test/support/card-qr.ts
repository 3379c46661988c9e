import { inflateSync } from 'node:zlib';
import jsQRModule from 'jsqr';
import { PDFArray, PDFDocument, PDFName, type PDFObject, PDFRawStream } from 'pdf-lib';
import { PNG } from 'pngjs';

// jsqr is CommonJS typed as an ES module: its module.exports carries the function as `default` too.
const jsQR = jsQRModule.default;

/** The text of the QR code in an RGBA image, or null when none is found. */
export function decodeQr(rgba: Uint8ClampedArray, width: number, height: number): string | null {
  return jsQR(rgba, width, height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/** The text of the QR code in a PNG (a screenshot), or null. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  return decodeQr(new Uint8ClampedArray(image.data), image.width, image.height);
}

function pageContent(doc: PDFDocument): string {
  const contents = doc.getPage(0).node.Contents();
  if (!contents) return '';
  const parts: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : [contents];
  return parts
    .map((ref) => {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) return '';
      const filtered = stream.dict.get(PDFName.of('Filter')) !== undefined;
      const bytes = Buffer.from(stream.contents);
      return (filtered ? inflateSync(bytes) : bytes).toString('latin1');
    })
    .join('\n');
}

/**
 * The text of the QR code drawn in a card PDF. The card draws its QR code as black squares (vector,
 * see card.pdf.ts): this reads them back from the page's content stream, paints them on a bitmap
 * with a quiet zone and decodes that with a QR reader, so the test reads what a phone would.
 */
export async function qrTextOfCardPdf(pdf: Uint8Array): Promise<string | null> {
  const doc = await PDFDocument.load(pdf);
  const squares: { x: number; y: number; side: number }[] = [];
  // Each filled shape is a q … Q block: colour, a translation, then the path.
  for (const block of pageContent(doc).split(/\nQ\b/)) {
    if (!/(^|\n)0 0 0 rg\b/.test(block)) continue;
    const at = [...block.matchAll(/1 0 0 1 (-?[\d.]+) (-?[\d.]+) cm/g)].find(
      (m) => Number(m[1]) !== 0 || Number(m[2]) !== 0,
    );
    const side = /\n0 ([\d.]+) l\n/.exec(block);
    if (at && side) squares.push({ x: Number(at[1]), y: Number(at[2]), side: Number(side[1]) });
  }
  if (squares.length === 0) return null;
  const cell = squares[0]!.side;
  const minX = Math.min(...squares.map((s) => s.x));
  const maxY = Math.max(...squares.map((s) => s.y));
  const cols = Math.round((Math.max(...squares.map((s) => s.x)) - minX) / cell) + 1;
  const rows = Math.round((maxY - Math.min(...squares.map((s) => s.y))) / cell) + 1;
  const modules = Math.max(cols, rows);
  const scale = 6;
  const quiet = 4;
  const size = (modules + 2 * quiet) * scale;
  const rgba = new Uint8ClampedArray(size * size * 4).fill(255);
  for (const s of squares) {
    const col = Math.round((s.x - minX) / cell) + quiet;
    const row = Math.round((maxY - s.y) / cell) + quiet; // PDF y grows upwards, bitmap rows downwards
    for (let dy = 0; dy < scale; dy++) {
      for (let dx = 0; dx < scale; dx++) {
        const i = ((row * scale + dy) * size + col * scale + dx) * 4;
        rgba[i] = rgba[i + 1] = rgba[i + 2] = 0;
      }
    }
  }
  return decodeQr(rgba, size, size);
}
