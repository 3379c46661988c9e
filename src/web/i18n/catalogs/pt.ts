// Every namespace of one language, bundled together (see i18n.ts).
const files = import.meta.glob<Record<string, unknown>>('../../../shared/i18n/pt/*.json', {
  eager: true,
  import: 'default',
});

export const catalog: Record<string, Record<string, unknown>> = Object.fromEntries(
  Object.entries(files).map(([path, resources]) => [path.replace(/^.*\/([^/]+)\.json$/, '$1'), resources]),
);
