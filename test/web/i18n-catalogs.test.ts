/**
 * Every string of the web client lives in catalogs (src/shared/i18n/<language>/<namespace>.json).
 * This fails when a key is missing or extra in any language, when a translation drops a {{variable}},
 * when the code uses a literal key the English catalog lacks, or when the server can answer with a
 * problem code that has no translation.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const I18N = join(ROOT, 'src/shared/i18n');
const LANGUAGES = ['en', 'fr', 'sw', 'es', 'pt'];

type Tree = { [key: string]: string | Tree };
function leaves(tree: Tree, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(tree)) {
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'string') out.set(key, v);
    else for (const [kk, vv] of leaves(v, key)) out.set(kk, vv);
  }
  return out;
}
const load = (lang: string, ns: string) =>
  leaves(JSON.parse(readFileSync(join(I18N, lang, `${ns}.json`), 'utf8')) as Tree);
const namespaces = readdirSync(join(I18N, 'en'))
  .filter((f) => f.endsWith('.json'))
  .map((f) => f.replace(/\.json$/, ''));
const vars = (s: string) => [...s.matchAll(/\{\{\s*(\w+)/g)].map((m) => m[1]).sort();

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : /\.(ts|tsx)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

describe('translation catalogs', () => {
  it('have the same namespaces in every language', () => {
    for (const lang of LANGUAGES) {
      const files = readdirSync(join(I18N, lang))
        .filter((f) => f.endsWith('.json'))
        .map((f) => f.replace(/\.json$/, ''))
        .sort();
      expect(files, lang).toEqual([...namespaces].sort());
    }
  });

  // Plural forms (count_one, count_many…) differ by language: compare the base keys, then check that
  // each language has exactly the plural categories its grammar uses (Intl.PluralRules).
  const PLURAL = /_(zero|one|two|few|many|other)$/;
  const base = (key: string) => key.replace(PLURAL, '');
  const pluralForms = (keys: Iterable<string>) => {
    const forms = new Map<string, Set<string>>();
    for (const k of keys) {
      const m = PLURAL.exec(k);
      if (!m) continue;
      const set = forms.get(base(k)) ?? new Set<string>();
      set.add(m[1]!);
      forms.set(base(k), set);
    }
    return forms;
  };

  for (const ns of namespaces) {
    it(`${ns}: every key in every language, no extra keys, right plural forms, same variables, no empty text`, () => {
      const en = load('en', ns);
      const enBases = new Set([...en.keys()].map(base));
      const enVars = new Map([...en].map(([k, v]) => [base(k), vars(v)]));
      for (const lang of LANGUAGES) {
        const other = load(lang, ns);
        const bases = new Set([...other.keys()].map(base));
        const missing = [...enBases].filter((k) => !bases.has(k));
        const extra = [...bases].filter((k) => !enBases.has(k));
        expect({ lang, missing, extra }).toEqual({ lang, missing: [], extra: [] });
        const categories = new Intl.PluralRules(lang)
          .resolvedOptions()
          .pluralCategories.filter((c) => c !== 'zero' || lang === 'ar');
        for (const [key, forms] of pluralForms(other.keys())) {
          expect([...forms].sort(), `${lang}/${ns}:${key} plural forms`).toEqual([...categories].sort());
        }
        for (const [k, v] of other) {
          expect(v.trim(), `${lang}/${ns}:${k} is empty`).not.toBe('');
          expect(vars(v), `${lang}/${ns}:${k} variables`).toEqual(enVars.get(base(k)));
        }
      }
    });
  }

  it('have every literal key the web client uses', () => {
    const en = new Map(namespaces.map((ns) => [ns, load('en', ns)]));
    const problems: string[] = [];
    for (const file of walk(join(ROOT, 'src/web'))) {
      const src = readFileSync(file, 'utf8');
      // A file may hold several components, each with its own default namespace.
      const declared = [...src.matchAll(/useTranslation\(\s*(?:\[\s*)?'([a-z]+)'/g)].map((m) => m[1]!);
      const defaults = declared.length > 0 ? declared : ['common'];
      for (const m of src.matchAll(/\bt\(\s*'([a-zA-Z0-9_:.-]+)'/g)) {
        const raw = m[1]!;
        const candidates = raw.includes(':')
          ? [raw.split(':') as [string, string]]
          : defaults.map((ns) => [ns, raw] as [string, string]);
        const found = candidates.some(([ns, key]) => {
          const catalog = en.get(ns);
          return Boolean(
            catalog && (catalog.has(key) || catalog.has(`${key}_one`) || catalog.has(`${key}_other`)),
          );
        });
        if (!found) problems.push(`${file.replace(ROOT, '')}: ${raw}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('translate every problem code the server can answer with', () => {
    const errors = load('en', 'errors');
    const codes = new Set<string>();
    for (const file of walk(join(ROOT, 'src/server'))) {
      if (file.endsWith('.test.ts')) continue;
      const src = readFileSync(file, 'utf8');
      for (const m of src.matchAll(/new AppError\(\s*\d{3},\s*'([a-z_]+\.[a-z_]+)'/g)) codes.add(m[1]!);
      for (const m of src.matchAll(/problems\.conflict\(\s*'([a-z_]+\.[a-z_]+)'/g)) codes.add(m[1]!);
    }
    expect(codes.size).toBeGreaterThan(20);
    expect([...codes].filter((c) => !errors.has(c))).toEqual([]);
  });
});
