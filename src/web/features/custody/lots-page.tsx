import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import { LOT_STATUSES, type LotDto } from '../../../shared/schemas/custody.ts';
import { useSession } from '../../app/session.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField } from '../../components/form.tsx';
import { LotStatusBadge, MineralName, useActors, useCustodyProfile, useMass } from './custody-common.tsx';

const FILTERS = ['mineral', 'status', 'holderActorId'] as const;

/** The lots held in the user's areas, newest first, filtered by mineral, status and holder. */
export default function LotsPage() {
  const { t, i18n } = useTranslation(['custody', 'common']);
  const { can } = useSession();
  const mass = useMass();
  const title = t('custody:lots.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<LotDto>[] = [
    {
      key: 'tag',
      header: t('custody:fields.tag'),
      rowHeader: true,
      cell: (l) => (
        <Link to={`/custody/lots/${l.id}`} dir="ltr">
          {l.tag}
        </Link>
      ),
    },
    { key: 'mineral', header: t('custody:fields.mineral'), cell: (l) => <MineralName code={l.mineral} /> },
    { key: 'form', header: t('custody:fields.form'), cell: (l) => t(`custody:forms.${l.form}`) },
    { key: 'mass', header: t('custody:fields.mass'), numeric: true, cell: (l) => mass(l.massMg) },
    { key: 'holder', header: t('custody:fields.holder'), cell: (l) => l.holderName },
    { key: 'status', header: t('custody:fields.status'), cell: (l) => <LotStatusBadge status={l.status} /> },
    {
      key: 'created',
      header: t('custody:fields.createdAt'),
      cell: (l) => formatDate(i18n.language, l.createdAt),
    },
  ];

  return (
    <section aria-labelledby="lots-title" className="custody-page">
      <h1 id="lots-title">{title}</h1>
      <p className="actions">
        {can('custody.record') && (
          <Link to="/custody/lots/new" className="button primary">
            {t('custody:production.open')}
          </Link>
        )}
        <Link to="/custody/actors" className="button secondary">
          {t('custody:actors.title')}
        </Link>
      </p>
      <DataTable<LotDto>
        endpoint="/lots"
        columns={columns}
        rowKey={(l) => l.id}
        caption={t('custody:lots.caption')}
        filterParams={FILTERS}
        filters={<LotFilters />}
        emptyText={t('custody:lots.empty')}
      />
    </section>
  );
}

function LotFilters() {
  const { t } = useTranslation(['custody', 'common']);
  const { minerals } = useCustodyProfile();
  const actors = useActors();
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('custody:lots.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        setDraft({ mineral: '', status: '', holderActorId: '' });
        clear();
      }}
    >
      <SelectField
        label={t('custody:fields.mineral')}
        value={draft.mineral}
        placeholder={t('custody:lots.anyMineral')}
        options={minerals.map((m) => ({ value: m, label: t(`custody:minerals.${m}`, { defaultValue: m }) }))}
        onChange={(mineral) => setDraft((d) => ({ ...d, mineral }))}
      />
      <SelectField
        label={t('custody:fields.status')}
        value={draft.status}
        placeholder={t('custody:lots.anyStatus')}
        options={LOT_STATUSES.map((s) => ({ value: s, label: t(`custody:lotStatuses.${s}`) }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
      <SelectField
        label={t('custody:fields.holder')}
        value={draft.holderActorId}
        placeholder={t('custody:lots.anyHolder')}
        options={(actors.data ?? []).map((a) => ({
          value: a.id,
          label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
        }))}
        onChange={(holderActorId) => setDraft((d) => ({ ...d, holderActorId }))}
      />
    </FilterForm>
  );
}
