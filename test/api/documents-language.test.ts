/**
 * Printed documents in the country's language: the licence card (alone and on an A4 sheet) and the fee
 * receipt print the labels of the "documents" catalog in the first language of the country profile,
 * the tier's name (not its code) and dates as that language writes them; characters the PDF standard
 * fonts cannot encode are replaced, and long names wrap or shorten within the card.
 */
import fc from 'fast-check';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitText, printable, wrapText } from '../../src/server/modules/licence-cards/card.pdf.ts';
import {
  documentDate,
  documentDateTime,
  documentLocale,
  tierName,
} from '../../src/server/platform/documents/language.ts';
import { createTestApp, type TestApp } from '../support/app.ts';
import { qrTextOfCardPdf } from '../support/card-qr.ts';
import { COMMUNITY_PERMIT, installTestProfile } from '../support/licence-profile.ts';
import { payFee } from '../support/licensing-flow.ts';
import { pdfTextLines } from '../support/pdf-text.ts';

let t: TestApp;
let admin: Record<string, string>;

beforeAll(async () => {
  t = await createTestApp();
  const names = { en: 'Community mining permit', fr: 'Permis minier communautaire' };
  await installTestProfile(t.database, [{ ...COMMUNITY_PERMIT, names }]);
  admin = await t.login('admin');
});
afterAll(async () => {
  await t?.close();
});

/** Sets the languages of the test profile (GH), as a country profile lists them. */
const setLanguages = (languages: string[] | null) =>
  t.database.asOwner((c) =>
    c.query(
      languages === null
        ? `UPDATE country_profiles SET document = document - 'languages' WHERE country = 'GH'`
        : `UPDATE country_profiles SET document = jsonb_set(document, '{languages}', $1::jsonb) WHERE country = 'GH'`,
      languages === null ? [] : [JSON.stringify(languages)],
    ),
  );

const post = async (url: string, payload?: object) => {
  const res = await t.app.inject({ method: 'POST', url, headers: admin, ...(payload ? { payload } : {}) });
  expect(res.statusCode, res.body).toBeLessThan(300);
  return res.json();
};
const get = async (url: string) => {
  const res = await t.app.inject({ method: 'GET', url, headers: { ...admin, host: 'asm.example.gov' } });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^application\/pdf/);
  return res.rawPayload;
};

let n = 0;
/** An issued licence of a new person in Obuasi, with its application and the receipt of its fee. */
async function licence(familyName = `Documents${++n}`) {
  const person = await post('/api/v1/people', {
    givenName: 'Éloïse',
    familyName,
    sex: 'female',
    areaId: t.fx.areas.obuasi.id,
    checkDuplicates: false,
  });
  const a = await post('/api/v1/licence-applications', {
    tierCode: 'community_permit',
    holderKind: 'person',
    holderId: person.id,
    requestedAreaHectares: 1,
  });
  await post(`/api/v1/licence-applications/${a.id}/submit`);
  await post(`/api/v1/licence-applications/${a.id}/review`);
  await post(`/api/v1/licence-applications/${a.id}/decision`, { outcome: 'approve' });
  const payment = (await payFee(t.app, admin, a.id, 'cash'))!;
  const l = await post(`/api/v1/licence-applications/${a.id}/issue`);
  return {
    l: l as { id: string; number: string; validFrom: string; validTo: string },
    receipt: `/api/v1/licence-applications/${a.id}/payments/${payment.id}/receipt.pdf`,
    reference: a.reference as string,
    familyName,
  };
}

describe('printed documents follow the country profile’s first language', () => {
  it('print in English when the profile lists English first (or no language at all)', async () => {
    await setLanguages(null);
    const { l, receipt, familyName } = await licence();
    const card = await pdfTextLines(await get(`/api/v1/licences/${l.id}/card.pdf`));
    expect(card).toEqual([
      'MINING LICENCE',
      l.number,
      'Tier: Community mining',
      'permit',
      `Holder: É. ${familyName}`,
      'Area: Obuasi (test)',
      `Valid from ${documentDate('en', l.validFrom)}`,
      `to ${documentDate('en', l.validTo)}`,
      'Scan to verify',
    ]);
    expect(card.join('\n')).not.toContain('community_permit');

    await setLanguages(['en', 'fr']);
    const text = (await pdfTextLines(await get(receipt))).join('\n');
    for (const expected of ['LICENCE FEE RECEIPT', 'Received from', 'Cash - ', 'Community mining permit'])
      expect(text).toContain(expected);
    expect(text).not.toContain('community_permit');
  });

  it('print in French for a French-speaking country, with the QR code unchanged', async () => {
    await setLanguages(['fr', 'sw']);
    const { l, receipt, reference, familyName } = await licence();
    const pdf = await get(`/api/v1/licences/${l.id}/card.pdf`);
    const card = await pdfTextLines(pdf);
    expect(card).toEqual([
      'TITRE MINIER',
      l.number,
      'Catégorie : Permis minier',
      'communautaire',
      `Titulaire : É. ${familyName}`,
      'Zone : Obuasi (test)',
      `Valable du ${documentDate('fr', l.validFrom)}`,
      `au ${documentDate('fr', l.validTo)}`,
      'Scanner pour vérifier',
    ]);
    expect(documentDate('fr', '2026-03-02')).toBe('2 mars 2026');
    const preview = await t.app.inject({
      method: 'GET',
      url: `/api/v1/licences/${l.id}/card`,
      headers: { ...admin, host: 'asm.example.gov' },
    });
    expect(await qrTextOfCardPdf(pdf)).toBe(preview.json().verifyUrl);

    const sheet = await pdfTextLines(await get(`/api/v1/licences/cards.pdf?ids=${l.id}`));
    expect(sheet).toEqual(card);

    const text = (await pdfTextLines(await get(receipt))).join('\n');
    for (const expected of [
      'REÇU DES FRAIS DE TITRE',
      'N° RC-',
      'Bureau',
      `${reference} (Permis minier communautaire)`,
      'Reçu de',
      'Montant',
      'GHS 100.00',
      'Mode de paiement et référence',
      'Espèces - TEST-',
      'Payé le',
      'Solde après ce paiement',
      'GHS 0.00',
      'Enregistré par',
    ])
      expect(text).toContain(expected);
    expect(text).not.toMatch(/Received|Cash|community_permit/);
  });

  it('falls back to the first tier name, and to English for a language without a catalog', async () => {
    await setLanguages(['ln']);
    const { l } = await licence();
    const card = await pdfTextLines(await get(`/api/v1/licences/${l.id}/card.pdf`));
    expect(card[0]).toBe('MINING LICENCE');
    expect(card.slice(2, 4)).toEqual(['Tier: Community mining', 'permit']);
    const profile = { languages: ['sw'], licenceTiers: [{ code: 'x', names: { fr: 'Carte', en: 'Card' } }] };
    expect(documentLocale(profile).language).toBe('sw');
    expect(tierName(profile, 'x', 'sw')).toBe('Carte');
    expect(tierName(profile, 'y', 'sw')).toBe('y');
    await setLanguages(null);
  });
});

describe('what the standard PDF fonts can print', () => {
  it('keeps WinAnsi letters, strips other accents, and replaces what remains', () => {
    expect(printable('Reçu – Élodie Ngoy, N° 5, N.º 6, 40 €')).toBe('Reçu – Élodie Ngoy, N° 5, N.º 6, 40 €');
    expect(printable('₵ 10')).toBe('? 10');
    expect(printable('Ștefan Łukasz')).toBe('Stefan ?ukasz');
    expect(printable('1\u202f000\u00a0F')).toBe('1 000 F');
    expect(printable('金')).toBe('?');
  });

  it('formats an instant in the country’s time zone with its name', () => {
    const locale = documentLocale({ languages: ['fr'], timeZone: 'Africa/Kinshasa' });
    expect(documentDateTime(locale, '2026-03-01T23:30:00Z')).toMatch(/^2 mars 2026.*00:30 UTC\+1$/);
  });

  it('wraps and shortens any name within the width, in at most the lines given', async () => {
    const doc = await PDFDocument.create();
    const font = await doc.embedFont(StandardFonts.Helvetica);
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), fc.integer({ min: 1, max: 3 }), (text, lines) => {
        const out = wrapText(text, font, 6, 78, lines);
        expect(out.length).toBeLessThanOrEqual(lines);
        for (const line of out) {
          expect(font.widthOfTextAtSize(line, 6)).toBeLessThanOrEqual(78);
          expect(line.trim()).not.toBe('');
        }
        expect(font.widthOfTextAtSize(fitText(text, font, 6, 78), 6)).toBeLessThanOrEqual(78);
      }),
    );
    const long = 'Coopérative minière artisanale des exploitants aurifères réunis de Mongbwalu et environs';
    expect(wrapText(long, font, 6, 78, 2)).toEqual([
      'Coopérative minière',
      'artisanale des exploitants a...',
    ]);
  });
});
