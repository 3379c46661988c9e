import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type PersonDto, SEXES } from '../../../shared/schemas/people.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { usePageTitle } from './registry-shared.tsx';

const FILTERS = ['q', 'sex', 'areaId'] as const;

/** Birth as the record knows it: a date, a year or an age band. */
export function birthText(p: Pick<PersonDto, 'birthDate' | 'birthYear' | 'ageBand'>): string | null {
  return p.birthDate ?? (p.birthYear !== null ? String(p.birthYear) : p.ageBand);
}

/**
 * The people (miners, workers) in the areas the user serves. The search forgives typos and also
 * finds a reference or a phone number; the best match comes first.
 */
export default function PeoplePage() {
  const { t } = useTranslation(['registry', 'common']);
  const { can } = useSession();
  const title = t('registry:people.title');
  usePageTitle(title);

  const columns: DataTableColumn<PersonDto>[] = [
    {
      key: 'name',
      header: t('registry:person.name'),
      rowHeader: true,
      cell: (p) => (
        <Link to={`/registry/people/${p.id}`}>
          {p.givenName} {p.familyName}
        </Link>
      ),
    },
    { key: 'reference', header: t('registry:reference'), cell: (p) => <span dir="ltr">{p.reference}</span> },
    { key: 'sex', header: t('registry:person.sex'), cell: (p) => t(`registry:sexes.${p.sex}`) },
    { key: 'birth', header: t('registry:person.birth'), cell: (p) => birthText(p) ?? '' },
    { key: 'phone', header: t('registry:person.phone'), cell: (p) => <span dir="ltr">{p.phone ?? ''}</span> },
    { key: 'area', header: t('registry:area'), cell: (p) => <AreaName id={p.areaId} /> },
  ];

  return (
    <section aria-labelledby="people-title">
      <h1 id="people-title">{title}</h1>
      <p>{t('registry:people.intro')}</p>
      {can('registry.write') && (
        <p className="actions">
          <Link to="/registry/people/new" className="button primary">
            {t('registry:people.new')}
          </Link>
        </p>
      )}
      <DataTable<PersonDto>
        endpoint="/people"
        columns={columns}
        rowKey={(p) => p.id}
        caption={t('registry:people.caption')}
        filterParams={FILTERS}
        csv
        csvFileName="people.csv"
        filters={<PeopleFilters />}
        emptyText={t('registry:people.empty')}
      />
    </section>
  );
}

function PeopleFilters() {
  const { t } = useTranslation(['registry', 'common']);
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('registry:people.filters')}
      onApply={() => apply({ q: draft.q.trim().slice(0, 200), sex: draft.sex, areaId: draft.areaId })}
      onClear={() => {
        setDraft({ q: '', sex: '', areaId: '' });
        clear();
      }}
    >
      <TextField
        label={t('registry:people.search')}
        hint={t('registry:people.searchHint')}
        type="search"
        value={draft.q}
        maxLength={200}
        autoComplete="off"
        onChange={(q) => setDraft((d) => ({ ...d, q }))}
      />
      <SelectField
        label={t('registry:person.sex')}
        value={draft.sex}
        placeholder={t('registry:any')}
        options={SEXES.map((s) => ({ value: s, label: t(`registry:sexes.${s}`) }))}
        onChange={(sex) => setDraft((d) => ({ ...d, sex }))}
      />
      <AreaSelect
        label={t('registry:area')}
        value={draft.areaId}
        emptyLabel={t('registry:anyArea')}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
    </FilterForm>
  );
}
