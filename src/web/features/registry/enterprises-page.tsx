import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ENTERPRISE_FORMS, type EnterpriseDto } from '../../../shared/schemas/enterprises.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { usePageTitle } from './registry-shared.tsx';

const FILTERS = ['q', 'form', 'areaId'] as const;

/** Enterprises (cooperatives, associations, companies…) in the areas the user serves. */
export default function EnterprisesPage() {
  const { t } = useTranslation(['registry', 'common']);
  const { can } = useSession();
  const title = t('registry:enterprises.title');
  usePageTitle(title);

  const columns: DataTableColumn<EnterpriseDto>[] = [
    {
      key: 'name',
      header: t('registry:enterprise.name'),
      rowHeader: true,
      cell: (e) => <Link to={`/registry/enterprises/${e.id}`}>{e.name}</Link>,
    },
    { key: 'reference', header: t('registry:reference'), cell: (e) => <span dir="ltr">{e.reference}</span> },
    { key: 'form', header: t('registry:enterprise.form'), cell: (e) => t(`registry:forms.${e.form}`) },
    { key: 'area', header: t('registry:area'), cell: (e) => <AreaName id={e.areaId} /> },
    {
      key: 'status',
      header: t('registry:enterprise.status'),
      cell: (e) => t(`registry:enterpriseStatus.${e.status}`),
    },
  ];

  return (
    <section aria-labelledby="enterprises-title">
      <h1 id="enterprises-title">{title}</h1>
      <p>{t('registry:enterprises.intro')}</p>
      {can('registry.write') && (
        <p className="actions">
          <Link to="/registry/enterprises/new" className="button primary">
            {t('registry:enterprises.new')}
          </Link>
          <Link to="/registry/production-units/new" className="button secondary">
            {t('registry:unitNew.title')}
          </Link>
        </p>
      )}
      <DataTable<EnterpriseDto>
        endpoint="/enterprises"
        columns={columns}
        rowKey={(e) => e.id}
        caption={t('registry:enterprises.caption')}
        filterParams={FILTERS}
        csv
        csvFileName="enterprises.csv"
        filters={<EnterpriseFilters />}
        emptyText={t('registry:enterprises.empty')}
      />
    </section>
  );
}

function EnterpriseFilters() {
  const { t } = useTranslation(['registry', 'common']);
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('registry:enterprises.filters')}
      onApply={() => apply({ q: draft.q.trim().slice(0, 200), form: draft.form, areaId: draft.areaId })}
      onClear={() => {
        setDraft({ q: '', form: '', areaId: '' });
        clear();
      }}
    >
      <TextField
        label={t('registry:enterprises.search')}
        type="search"
        value={draft.q}
        maxLength={200}
        autoComplete="off"
        onChange={(q) => setDraft((d) => ({ ...d, q }))}
      />
      <SelectField
        label={t('registry:enterprise.form')}
        value={draft.form}
        placeholder={t('registry:any')}
        options={ENTERPRISE_FORMS.map((f) => ({ value: f, label: t(`registry:forms.${f}`) }))}
        onChange={(form) => setDraft((d) => ({ ...d, form }))}
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
