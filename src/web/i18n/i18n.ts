import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
// English is the fallback of every language, so it is in the entry itself: one round trip less
// before the first screen on a slow line. The other languages are fetched when chosen.
import { catalog as english } from './catalogs/en.ts';

/** The languages of the interface. A country profile chooses which it offers first. */
export const LANGUAGES = [
  { code: 'en', name: 'English' },
  { code: 'fr', name: 'Français' },
  { code: 'sw', name: 'Kiswahili' },
  { code: 'es', name: 'Español' },
  { code: 'pt', name: 'Português' },
] as const;
export type LanguageCode = (typeof LANGUAGES)[number]['code'];

const STORAGE_KEY = 'openasm.language';

type Catalog = Record<string, Record<string, unknown>>;
// One chunk per language, holding all its namespaces: one request on a slow line, not twenty.
const loaders: Record<LanguageCode, () => Promise<{ catalog: Catalog }>> = {
  en: async () => ({ catalog: english }),
  fr: () => import('./catalogs/fr.ts'),
  sw: () => import('./catalogs/sw.ts'),
  es: () => import('./catalogs/es.ts'),
  pt: () => import('./catalogs/pt.ts'),
};

export function isLanguage(code: string | null | undefined): code is LanguageCode {
  return LANGUAGES.some((l) => l.code === code);
}

export function initialLanguage(): LanguageCode {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (isLanguage(saved)) return saved;
  const browser = navigator.language.slice(0, 2);
  return isLanguage(browser) ? browser : 'en';
}

async function loadCatalog(code: LanguageCode): Promise<void> {
  if (i18next.hasResourceBundle(code, 'common')) return;
  const { catalog } = await loaders[code]();
  for (const [ns, resources] of Object.entries(catalog))
    i18next.addResourceBundle(code, ns, resources, true, true);
}

export async function initI18n(): Promise<typeof i18next> {
  const lng = initialLanguage();
  await i18next.use(initReactI18next).init({
    lng,
    fallbackLng: 'en',
    defaultNS: 'common',
    ns: ['common'],
    resources: {},
    interpolation: { escapeValue: false },
    returnNull: false,
  });
  await loadCatalog('en');
  if (lng !== 'en') await loadCatalog(lng);
  document.documentElement.lang = lng;
  return i18next;
}

/** Switches the language, remembers it on this device, and sets <html lang> for screen readers. */
export async function changeLanguage(code: LanguageCode): Promise<void> {
  await loadCatalog(code);
  await i18next.changeLanguage(code);
  localStorage.setItem(STORAGE_KEY, code);
  document.documentElement.lang = code;
}
