import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { MassBalanceDto } from '../../../shared/schemas/custody-oversight.ts';
import { AreaSelect } from '../../components/area-select.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { useActors, useMass } from './custody-common.tsx';
import { today } from './event-fields.tsx';
import { formatDay, monthBounds } from './oversight-common.tsx';

const FILTERS = ['from', 'to', 'areaId', 'actorId'] as const;
const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

/**
 * The mass balance of each actor over a month: what it held at the start, what came in (produced,
 * bought), what went out (sold, exported), what processing lost, what it held at the end. A row
 * the country's tolerances flag is highlighted and says why; the whole list downloads as CSV.
 */
export default function MassBalancePage() {
  const { t, i18n } = useTranslation(['custody-oversight', 'custody', 'common']);
  const mass = useMass();
  const [params, setParams] = useSearchParams();
  const from = params.get('from') ?? '';
  const to = params.get('to') ?? '';
  const title = t('custody-oversight:balance.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  // Without a period in the address, this month: the address then says which month is shown.
  useEffect(() => {
    if (from && to) return;
    const bounds = monthBounds(today().slice(0, 7));
    setParams(
      (current) => {
        const p = new URLSearchParams(current);
        p.set('from', bounds.from);
        p.set('to', bounds.to);
        return p;
      },
      { replace: true },
    );
  }, [from, to, setParams]);

  const signed = (mg: number) => (mg > 0 ? `+${mass(mg)}` : mg < 0 ? `−${mass(-mg)}` : mass(0));
  const columns: DataTableColumn<MassBalanceDto>[] = [
    {
      key: 'actor',
      header: t('custody-oversight:balance.actor'),
      rowHeader: true,
      cell: (b) => (
        <>
          {b.actorName} <span className="hint">({t(`custody:actorKinds.${b.actorKind}`)})</span>
        </>
      ),
    },
    {
      key: 'opening',
      header: t('custody-oversight:balance.opening'),
      numeric: true,
      cell: (b) => mass(b.openingMg),
    },
    {
      key: 'inputs',
      header: t('custody-oversight:balance.inputs'),
      numeric: true,
      cell: (b) => (
        <>
          {mass(b.producedMg + b.purchasedMg)}
          <br />
          <span className="hint">
            {t('custody-oversight:balance.inputsDetail', {
              produced: mass(b.producedMg),
              bought: mass(b.purchasedMg),
            })}
          </span>
        </>
      ),
    },
    {
      key: 'outputs',
      header: t('custody-oversight:balance.outputs'),
      numeric: true,
      cell: (b) => (
        <>
          {mass(b.soldMg + b.exportedMg)}
          <br />
          <span className="hint">
            {t('custody-oversight:balance.outputsDetail', {
              sold: mass(b.soldMg),
              exported: mass(b.exportedMg),
            })}
          </span>
        </>
      ),
    },
    {
      key: 'loss',
      header: t('custody-oversight:balance.loss'),
      numeric: true,
      cell: (b) => (
        <>
          {mass(b.processingLossMg)}
          {b.processingInputMg > 0 && (
            <>
              <br />
              <span className="hint">
                {t('custody-oversight:balance.lossDetail', { processed: mass(b.processingInputMg) })}
              </span>
            </>
          )}
        </>
      ),
    },
    {
      key: 'closing',
      header: t('custody-oversight:balance.closing'),
      numeric: true,
      cell: (b) => mass(b.closingMg),
    },
    {
      key: 'difference',
      header: t('custody-oversight:balance.difference'),
      numeric: true,
      cell: (b) => signed(b.producedMg + b.purchasedMg - b.soldMg - b.exportedMg - b.processingLossMg),
    },
    {
      key: 'flags',
      header: t('custody-oversight:balance.check'),
      cell: (b) =>
        b.flags.length === 0 ? (
          <span className="badge ok">{t('custody-oversight:balance.balanced')}</span>
        ) : (
          <ul className="concerns">
            {b.flags.map((f) => (
              <li key={f}>
                <span className="badge off balance-flag">{t(`custody-oversight:balanceFlags.${f}`)}</span>
              </li>
            ))}
          </ul>
        ),
    },
  ];

  return (
    <section aria-labelledby="balance-title" className="custody-page oversight-page">
      <h1 id="balance-title">{title}</h1>
      <p>{t('custody-oversight:balance.intro')}</p>
      {from && to && (
        <p className="lead">
          {t('custody-oversight:balance.period', {
            from: formatDay(i18n.language, from),
            to: formatDay(i18n.language, to),
          })}
        </p>
      )}
      <div className="balance-table">
        {from && to ? (
          <DataTable<MassBalanceDto>
            endpoint="/custody/mass-balance"
            columns={columns}
            rowKey={(b) => b.actorId}
            caption={t('custody-oversight:balance.caption')}
            filterParams={FILTERS}
            filters={<BalanceFilters />}
            emptyText={t('custody-oversight:balance.empty')}
            csv
            csvFileName={`mass-balance-${from}-${to}.csv`}
          />
        ) : (
          <p className="loading">{t('common:loading')}</p>
        )}
      </div>
      <p className="hint">{t('custody-oversight:balance.legend')}</p>
    </section>
  );
}

function BalanceFilters() {
  const { t } = useTranslation(['custody-oversight', 'custody', 'common']);
  const actors = useActors();
  const { values, apply } = useTableFilters(FILTERS);
  const [month, setMonth] = useState(values.from.slice(0, 7));
  const [areaId, setAreaId] = useState(values.areaId);
  const [actorId, setActorId] = useState(values.actorId);
  const [monthError, setMonthError] = useState(false);
  useEffect(() => {
    setMonth(values.from.slice(0, 7));
    setAreaId(values.areaId);
    setActorId(values.actorId);
  }, [values]);

  return (
    <FilterForm
      label={t('custody-oversight:balance.filters')}
      onApply={() => {
        if (!MONTH.test(month)) return setMonthError(true);
        setMonthError(false);
        apply({ ...monthBounds(month), areaId, actorId });
      }}
      onClear={() => {
        // The period stays: a balance is always of a period.
        setAreaId('');
        setActorId('');
        apply({ from: values.from, to: values.to, areaId: '', actorId: '' });
      }}
    >
      <TextField
        label={t('custody-oversight:balance.month')}
        hint={t('custody-oversight:balance.monthHint')}
        type="month"
        max={today().slice(0, 7)}
        value={month}
        onChange={setMonth}
        error={monthError ? t('custody-oversight:balance.monthInvalid') : undefined}
      />
      <AreaSelect
        label={t('custody-oversight:fields.area')}
        value={areaId}
        emptyLabel={t('custody-oversight:anyArea')}
        onChange={setAreaId}
      />
      <SelectField
        label={t('custody-oversight:fields.actor')}
        value={actorId}
        placeholder={t('custody-oversight:flagList.anyActor')}
        options={(actors.data ?? []).map((a) => ({
          value: a.id,
          label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
        }))}
        onChange={setActorId}
      />
    </FilterForm>
  );
}
