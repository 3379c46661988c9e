import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LICENCE_STATUSES, type LicenceDto } from '../../../shared/schemas/licensing.ts';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { formatDay, HolderName, StatusBadge, TierName, useTiers } from './licensing-common.tsx';

const FILTERS = ['status', 'tierCode', 'number'] as const;
/** Most cards on one A4 sheet request (the server's MAX_SHEET_CARDS). */
export const MAX_SHEET_CARDS = 200;

/** The licences of the areas this assignment serves: filter by status, tier and number. */
export default function LicencesPage() {
  const { t, i18n } = useTranslation(['licensing', 'common']);
  const title = t('licensing:licences.title');
  const locale = i18n.language;
  // The licences chosen for the card sheet, kept across pages and filters: id → number.
  const [selected, setSelected] = useState<ReadonlyMap<string, string>>(new Map());
  const full = selected.size >= MAX_SHEET_CARDS;

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const toggle = (l: LicenceDto, on: boolean) =>
    setSelected((current) => {
      const next = new Map(current);
      if (on && next.size < MAX_SHEET_CARDS) next.set(l.id, l.number);
      else next.delete(l.id);
      return next;
    });

  const columns: DataTableColumn<LicenceDto>[] = [
    {
      key: 'select',
      header: t('licensing:licences.select'),
      cell: (l) => (
        <input
          type="checkbox"
          className="row-select"
          checked={selected.has(l.id)}
          disabled={full && !selected.has(l.id)}
          aria-label={t('licensing:licences.selectOne', { number: l.number })}
          onChange={(e) => toggle(l, e.target.checked)}
        />
      ),
    },
    {
      key: 'number',
      header: t('licensing:fields.number'),
      rowHeader: true,
      cell: (l) => (
        <Link to={`/licensing/licences/${l.id}`} dir="ltr">
          {l.number}
        </Link>
      ),
    },
    {
      key: 'holder',
      header: t('licensing:fields.holder'),
      cell: (l) => <HolderName kind={l.holderKind} id={l.holderId} />,
    },
    { key: 'tier', header: t('licensing:fields.tier'), cell: (l) => <TierName code={l.tierCode} /> },
    {
      key: 'validity',
      header: t('licensing:fields.validity'),
      cell: (l) =>
        t('licensing:licence.fromTo', {
          from: formatDay(locale, l.validFrom),
          to: formatDay(locale, l.validTo),
        }),
    },
    {
      key: 'status',
      header: t('licensing:fields.status'),
      cell: (l) => <StatusBadge kind="licence" status={l.status} />,
    },
  ];

  return (
    <section aria-labelledby="licences-title" className="licensing-page">
      <h1 id="licences-title">{title}</h1>
      <p className="actions">
        <Link to="/licensing/queue" className="button secondary">
          {t('licensing:queue.title')}
        </Link>
      </p>
      <div className="selection-bar">
        <p aria-live="polite">
          {t('licensing:licences.selected', { count: selected.size, max: MAX_SHEET_CARDS })}
          {full && ` ${t('licensing:licences.selectionFull')}`}
        </p>
        {selected.size > 0 && (
          <p className="actions">
            <a
              className="button primary"
              href={`/api/v1/licences/cards.pdf?ids=${[...selected.keys()].join(',')}`}
              target="_blank"
              rel="noopener"
            >
              {t('licensing:licences.printSheet', { count: selected.size })}
            </a>
            <button type="button" className="button secondary" onClick={() => setSelected(new Map())}>
              {t('licensing:licences.clearSelection')}
            </button>
          </p>
        )}
      </div>
      <DataTable<LicenceDto>
        endpoint="/licences"
        columns={columns}
        rowKey={(l) => l.id}
        caption={t('licensing:licences.caption')}
        filterParams={FILTERS}
        filters={<LicenceFilters />}
        emptyText={t('licensing:licences.empty')}
      />
    </section>
  );
}

function LicenceFilters() {
  const { t } = useTranslation(['licensing', 'common']);
  const { tiers, pick } = useTiers();
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('licensing:licences.filters')}
      onApply={() =>
        apply({ status: draft.status, tierCode: draft.tierCode, number: draft.number.trim().slice(0, 40) })
      }
      onClear={() => {
        setDraft({ status: '', tierCode: '', number: '' });
        clear();
      }}
    >
      <TextField
        label={t('licensing:fields.number')}
        hint={t('licensing:licences.numberHint')}
        type="search"
        dir="ltr"
        value={draft.number}
        maxLength={40}
        autoComplete="off"
        onChange={(number) => setDraft((d) => ({ ...d, number }))}
      />
      <SelectField
        label={t('licensing:fields.status')}
        value={draft.status}
        placeholder={t('licensing:licences.anyStatus')}
        options={LICENCE_STATUSES.map((s) => ({ value: s, label: t(`licensing:statuses.licence.${s}`) }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
      <SelectField
        label={t('licensing:fields.tier')}
        value={draft.tierCode}
        placeholder={t('licensing:licences.anyTier')}
        options={tiers.map((x) => ({ value: x.code, label: pick(x.names).text }))}
        onChange={(tierCode) => setDraft((d) => ({ ...d, tierCode }))}
      />
    </FilterForm>
  );
}
