import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDocument, PDFName, type PDFObject, PDFRawStream } from 'pdf-lib';

/**
 * The text a PDF made by pdf-lib shows, one string per text-showing operator, page by page. pdf-lib
 * writes the standard fonts' text as hex strings of WinAnsi bytes (<48656C6C6F> Tj), which for the
 * Latin-1 letters (é, ç, º…) decode as Latin-1.
 */
export async function pdfTextLines(bytes: Uint8Array): Promise<string[]> {
  const doc = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of doc.getPages()) {
    const contents = page.node.Contents();
    if (!contents) continue;
    const parts: PDFObject[] = contents instanceof PDFArray ? contents.asArray() : [contents];
    for (const ref of parts) {
      const stream = doc.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      const raw = Buffer.from(stream.contents);
      const body = (stream.dict.get(PDFName.of('Filter')) ? inflateSync(raw) : raw).toString('latin1');
      for (const m of body.matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g))
        lines.push(Buffer.from(m[1]!, 'hex').toString('latin1'));
    }
  }
  return lines;
}
