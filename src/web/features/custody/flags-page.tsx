import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime } from '../../../shared/format.ts';
import { FLAG_CODES, type FlagDto } from '../../../shared/schemas/custody-oversight.ts';
import { AreaSelect } from '../../components/area-select.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField } from '../../components/form.tsx';
import { useActors } from './custody-common.tsx';
import { Concerns, FlagStatusBadge, useFlagReason } from './oversight-common.tsx';

const FILTERS = ['status', 'code', 'areaId', 'actorId'] as const;

/**
 * Risk flags raised on custody events and incidents in the user's areas, newest first: what each
 * is about and why it was raised; each opens on its evidence (and, for managers, its resolution).
 */
export default function FlagsPage() {
  const { t, i18n } = useTranslation(['custody-oversight', 'common']);
  const reason = useFlagReason();
  const title = t('custody-oversight:flagList.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<FlagDto>[] = [
    {
      key: 'code',
      header: t('custody-oversight:fields.kind'),
      rowHeader: true,
      cell: (f) => <Link to={`/custody/flags/${f.id}`}>{t(`custody-oversight:codes.${f.code}`)}</Link>,
    },
    { key: 'reason', header: t('custody-oversight:fields.reason'), cell: (f) => reason(f) },
    {
      key: 'concerns',
      header: t('custody-oversight:fields.concerns'),
      cell: (f) => (
        <Concerns lotId={f.lotId} actorId={f.actorId} siteId={f.siteId} incidentId={f.incidentId} />
      ),
    },
    {
      key: 'raised',
      header: t('custody-oversight:fields.raisedAt'),
      cell: (f) => formatDateTime(i18n.language, f.raisedAt),
    },
    {
      key: 'status',
      header: t('custody-oversight:fields.status'),
      cell: (f) => <FlagStatusBadge status={f.status} />,
    },
  ];

  return (
    <section aria-labelledby="flags-title" className="custody-page oversight-page">
      <h1 id="flags-title">{title}</h1>
      <p>{t('custody-oversight:flagList.intro')}</p>
      <DataTable<FlagDto>
        endpoint="/custody/flags"
        columns={columns}
        rowKey={(f) => f.id}
        caption={t('custody-oversight:flagList.caption')}
        filterParams={FILTERS}
        filters={<FlagFilters />}
        emptyText={t('custody-oversight:flagList.empty')}
      />
    </section>
  );
}

function FlagFilters() {
  const { t } = useTranslation(['custody-oversight', 'custody', 'common']);
  const actors = useActors();
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('custody-oversight:flagList.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        setDraft({ status: '', code: '', areaId: '', actorId: '' });
        clear();
      }}
    >
      <SelectField
        label={t('custody-oversight:fields.status')}
        value={draft.status}
        placeholder={t('custody-oversight:flagList.anyStatus')}
        options={(['open', 'resolved'] as const).map((s) => ({
          value: s,
          label: t(`custody-oversight:flagStatuses.${s}`),
        }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
      <SelectField
        label={t('custody-oversight:fields.kind')}
        value={draft.code}
        placeholder={t('custody-oversight:flagList.anyKind')}
        options={FLAG_CODES.map((c) => ({ value: c, label: t(`custody-oversight:codes.${c}`) }))}
        onChange={(code) => setDraft((d) => ({ ...d, code }))}
      />
      <AreaSelect
        label={t('custody-oversight:fields.area')}
        value={draft.areaId}
        emptyLabel={t('custody-oversight:anyArea')}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
      <SelectField
        label={t('custody-oversight:fields.actor')}
        value={draft.actorId}
        placeholder={t('custody-oversight:flagList.anyActor')}
        options={(actors.data ?? []).map((a) => ({
          value: a.id,
          label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
        }))}
        onChange={(actorId) => setDraft((d) => ({ ...d, actorId }))}
      />
    </FilterForm>
  );
}
