/**
 * The list of geometry problems the import and the application review show: every code the geometry
 * core can give has its own words (not the server's English fallback), in every language.
 */
import { readFileSync } from 'node:fs';
import i18next from 'i18next';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { I18nextProvider, initReactI18next } from 'react-i18next';
import { beforeAll, describe, expect, it } from 'vitest';
import { GEOMETRY_PROBLEM_CODES } from '../../src/shared/geo/validate.ts';
import { GeometryProblems } from '../../src/web/features/cadastre/geometry-problems.tsx';

const LANGUAGES = ['en', 'fr', 'sw', 'es', 'pt'] as const;
const catalog = (lang: string) =>
  JSON.parse(readFileSync(new URL(`../../src/shared/i18n/${lang}/cadastre.json`, import.meta.url), 'utf8'));

const i18n = i18next.createInstance();
beforeAll(async () => {
  await i18n.use(initReactI18next).init({
    lng: 'en',
    fallbackLng: false,
    resources: Object.fromEntries(LANGUAGES.map((l) => [l, { cadastre: catalog(l) }])),
    interpolation: { escapeValue: false },
  });
});

const render = (problems: Parameters<typeof GeometryProblems>[0]['problems']) =>
  renderToStaticMarkup(
    createElement(I18nextProvider, { i18n }, createElement(GeometryProblems, { problems })),
  );

describe('GeometryProblems', () => {
  it('translates every geometry problem code in every language', () => {
    for (const lang of LANGUAGES) {
      const geometry = catalog(lang).geometry as Record<string, string>;
      for (const code of GEOMETRY_PROBLEM_CODES) {
        expect(geometry[code.replace('geometry.', '')], `${lang} ${code}`).toBeTruthy();
      }
    }
  });

  it('shows each problem in words, with its path and position, latitude first', async () => {
    await i18n.changeLanguage('en');
    const html = render([
      {
        code: 'geometry.self_intersection',
        path: 'coordinates[0][3]',
        position: [-1.65, 6.25],
        message: 'the ring crosses itself',
      },
      { code: 'geometry.not_polygon', path: 'type', position: null, message: 'must be a polygon' },
    ]);
    expect(html).toContain('The boundary crosses or touches itself.');
    expect(html).toContain('coordinates[0][3]');
    expect(html).toContain('latitude 6.250000, longitude -1.650000');
    expect(html).toContain('The shape is not a polygon or a multipolygon.');
    expect(html).not.toContain('the ring crosses itself');
    await i18n.changeLanguage('fr');
    expect(
      render([{ code: 'geometry.winding', path: 'coordinates[0]', position: null, message: 'x' }]),
    ).toContain('Un anneau tourne dans le mauvais sens');
  });

  it("falls back to the server's text for a code it does not know, and shows nothing for no problem", async () => {
    await i18n.changeLanguage('en');
    expect(
      render([{ code: 'geometry.new_kind', path: 'x', position: null, message: 'a new problem' }]),
    ).toContain('a new problem');
    expect(render([])).toBe('');
  });
});
