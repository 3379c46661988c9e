import './register.css';
import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate } from '../../../shared/format.ts';
import type { PublicLicenceDto } from '../../../shared/schemas/public-register.ts';
import { query } from '../../api/client.ts';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { TextField } from '../../components/form.tsx';
import { LanguagePicker } from '../../components/language-picker.tsx';

const FILTERS = ['country', 'area', 'tier', 'number'] as const;

/** A name in the reader's language when the profile has it, else English, else the first given. */
function nameIn(names: Record<string, string>, language: string, fallback: string): string {
  return names[language] ?? names.en ?? Object.values(names)[0] ?? fallback;
}

/**
 * The public register of licences, without sign-in: active licences with what their card shows,
 * filtered by country, area, tier and number, and the whole filtered list as CSV.
 */
export default function RegisterPage() {
  const { t, i18n } = useTranslation('register');
  const { values } = useTableFilters(FILTERS);
  const title = t('title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);
  const day = (d: string) => formatDate(i18n.language, `${d}T12:00:00Z`);

  const columns: DataTableColumn<PublicLicenceDto>[] = [
    {
      key: 'number',
      header: t('number'),
      rowHeader: true,
      cell: (l) => <span dir="ltr">{l.number}</span>,
    },
    { key: 'holder', header: t('holder'), cell: (l) => l.holderDisplay },
    { key: 'tier', header: t('tier'), cell: (l) => nameIn(l.tierNames, i18n.language, l.tierCode) },
    {
      key: 'area',
      header: t('area'),
      cell: (l) => (
        <>
          {l.areaName} <span dir="ltr">({l.areaCode})</span>
        </>
      ),
    },
    {
      key: 'validity',
      header: t('validity'),
      cell: (l) => t('fromTo', { from: day(l.validFrom), to: day(l.validTo) }),
    },
  ];

  return (
    <main id="main" className="public-register">
      <header className="public-register-header">
        <h1>
          <img src="/icon.svg" alt="" width="40" height="40" /> {title}
        </h1>
        <LanguagePicker />
      </header>
      <p>{t('intro')}</p>
      <DataTable<PublicLicenceDto>
        endpoint="/public/licences"
        columns={columns}
        rowKey={(l) => l.number}
        caption={t('caption')}
        filterParams={FILTERS}
        filters={<RegisterFilters />}
        emptyText={t('empty')}
      />
      <p className="actions">
        <a className="button secondary" href={`/api/v1/public/licences.csv${query(values)}`} download>
          {t('csv')}
        </a>
      </p>
      <p className="hint">{t('privacy')}</p>
    </main>
  );
}

function RegisterFilters() {
  const { t } = useTranslation('register');
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  function submit(e: FormEvent) {
    e.preventDefault();
    apply({
      country: draft.country.trim().toUpperCase().slice(0, 2),
      area: draft.area.trim().toUpperCase().slice(0, 40),
      tier: draft.tier.trim().toLowerCase().slice(0, 64),
      number: draft.number.trim().slice(0, 40),
    });
  }
  const field = (key: (typeof FILTERS)[number], maxLength: number) => (
    <TextField
      label={t(`filters.${key}`)}
      hint={t(`filters.${key}Hint`)}
      type="search"
      dir="ltr"
      value={draft[key]}
      maxLength={maxLength}
      autoComplete="off"
      onChange={(v) => setDraft((d) => ({ ...d, [key]: v }))}
    />
  );

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not a landmark in older browsers
    <form role="search" aria-label={t('filters.label')} className="filters" onSubmit={submit}>
      {field('country', 2)}
      {field('area', 40)}
      {field('tier', 64)}
      {field('number', 40)}
      <div className="actions" style={{ margin: 0 }}>
        <button type="submit" className="button primary">
          {t('filters.search')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setDraft({ country: '', area: '', tier: '', number: '' });
            clear();
          }}
        >
          {t('filters.clear')}
        </button>
      </div>
    </form>
  );
}
