import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime, formatNumber } from '../../../shared/format.ts';
import type { MissingDto, MissingItemDto } from '../../../shared/schemas/logbooks.ts';
import { get, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import { useTableFilters } from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { problemKey } from '../custody/custody-common.tsx';
import { formatDay } from '../custody/oversight-common.tsx';

const FILTERS = ['areaId', 'asOf', 'from', 'status'] as const;
/** Rows shown at first, and added by "show more": an office may owe hundreds of reports. */
const STEP = 100;

/**
 * The logbook reports an office is owed: periods whose due date passed without a report (missing)
 * and reports sent after it (late), per district and one by one, each leading to the screen where
 * the period is entered.
 */
export default function MissingLogbooksPage() {
  const { t, i18n } = useTranslation(['logbooks', 'errors', 'common']);
  const { active } = useSession();
  const { values } = useTableFilters(FILTERS);
  const title = t('logbooks:missing.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  // The office is the user's own area unless another one is chosen.
  const areaId = values.areaId || active?.areaId || '';
  const qs = query({ areaId, asOf: values.asOf || undefined, from: values.from || undefined });
  const result = useQuery({
    queryKey: ['logbooks-missing', qs],
    queryFn: ({ signal }) => get<MissingDto>(`/logbooks/missing${qs}`, signal),
    enabled: areaId !== '',
    placeholderData: keepPreviousData,
  });
  // Another office, window or status starts again with the first rows.
  const listKey = `${qs}|${values.status}`;
  const [more, setMore] = useState({ key: listKey, shown: STEP });
  const shown = more.key === listKey ? more.shown : STEP;

  const locale = i18n.language;
  const data = result.data;
  const items = (data?.items ?? []).filter((i) => !values.status || i.status === values.status);

  return (
    <section aria-labelledby="missing-title" className="oversight-page">
      <h1 id="missing-title">{title}</h1>
      <p>{t('logbooks:missing.intro')}</p>
      <MissingFilters defaultArea={active?.areaId ?? ''} />
      {result.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      <p role="status" className={data ? 'lead' : 'visually-hidden'}>
        {result.isPending
          ? t('common:loading')
          : data
            ? t('logbooks:missing.window', {
                from: formatDay(locale, data.from),
                asOf: formatDay(locale, data.asOf),
              })
            : ''}
      </p>
      {data && (
        <>
          <h2 id="by-area-title">{t('logbooks:missing.byArea')}</h2>
          {data.byArea.length === 0 ? (
            <p>{t('logbooks:missing.allIn')}</p>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
            <section className="table-wrap" aria-labelledby="by-area-title" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('logbooks:fields.area')}</th>
                    <th scope="col" className="num">
                      {t('logbooks:statuses.missing')}
                    </th>
                    <th scope="col" className="num">
                      {t('logbooks:statuses.late')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.byArea.map((a) => (
                    <tr key={a.areaId}>
                      <th scope="row" style={{ background: 'inherit' }}>
                        {a.areaName}
                      </th>
                      <td className="num">{formatNumber(locale, a.missing)}</td>
                      <td className="num">{formatNumber(locale, a.late)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}

          <h2 id="items-title">{t('logbooks:missing.items')}</h2>
          {data.truncated && <p className="notice">{t('logbooks:missing.truncated')}</p>}
          {items.length === 0 ? (
            <p>{t('logbooks:missing.none')}</p>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
            <section className="table-wrap" aria-labelledby="items-title" tabIndex={0}>
              <table>
                <caption className="visually-hidden">
                  {t('logbooks:missing.caption', { total: items.length })}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">{t('logbooks:fields.reference')}</th>
                    <th scope="col">{t('logbooks:fields.status')}</th>
                    <th scope="col">{t('logbooks:fields.area')}</th>
                    <th scope="col">{t('logbooks:fields.period')}</th>
                    <th scope="col">{t('logbooks:fields.dueOn')}</th>
                    <th scope="col" className="num">
                      {t('logbooks:fields.daysOverdue')}
                    </th>
                    <th scope="col">{t('logbooks:fields.submittedAt')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.slice(0, shown).map((i) => (
                    <tr key={`${i.licenceId ?? i.productionUnitId}-${i.periodStart}`}>
                      <th scope="row" style={{ background: 'inherit' }}>
                        <SubjectLink item={i} />
                      </th>
                      <td>
                        <span className={`badge ${i.status === 'missing' ? 'off' : 'pending'}`}>
                          {t(`logbooks:statuses.${i.status}`)}
                        </span>
                      </td>
                      <td>{i.areaName}</td>
                      <td>
                        {t('logbooks:missing.period', {
                          start: formatDay(locale, i.periodStart),
                          end: formatDay(locale, i.periodEnd),
                        })}
                      </td>
                      <td>{formatDay(locale, i.dueOn)}</td>
                      <td className="num">{formatNumber(locale, i.daysOverdue)}</td>
                      <td>{i.submittedAt ? formatDateTime(locale, i.submittedAt) : '—'}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          <p className="actions">
            {items.length > shown && (
              <button
                type="button"
                className="button secondary"
                onClick={() => setMore({ key: listKey, shown: shown + STEP })}
              >
                {t('logbooks:missing.showMore', { shown, total: items.length })}
              </button>
            )}
            <a
              className="button secondary"
              href={`/api/v1/logbooks/missing${query({
                areaId,
                asOf: values.asOf || undefined,
                from: values.from || undefined,
                format: 'csv',
              })}`}
              download={`logbooks-missing-${data.asOf}.csv`}
            >
              {t('logbooks:missing.csv')}
            </a>
          </p>
        </>
      )}
    </section>
  );
}

/** A licence's period opens its logbook entry screen; a production unit opens its record. */
function SubjectLink({ item }: { item: MissingItemDto }) {
  if (item.licenceId)
    return (
      <Link to={`/licensing/licences/${item.licenceId}/logbook`} dir="ltr">
        {item.reference}
      </Link>
    );
  return (
    <Link to={`/registry/production-units/${item.productionUnitId}`} dir="ltr">
      {item.reference}
    </Link>
  );
}

function MissingFilters({ defaultArea }: { defaultArea: string }) {
  const { t } = useTranslation(['logbooks', 'common']);
  const { active } = useSession();
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);
  // A national account may ask about the whole country; a district officer about their district.
  const national = (active?.areaPath ?? '').split('/').filter(Boolean).length <= 1;

  return (
    <FilterForm
      label={t('logbooks:missing.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        setDraft({ areaId: '', asOf: '', from: '', status: '' });
        clear();
      }}
    >
      <AreaSelect
        label={t('logbooks:fields.office')}
        value={draft.areaId || defaultArea}
        allowCountry={national}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
      <TextField
        label={t('logbooks:fields.from')}
        hint={t('logbooks:missing.fromHint')}
        optional
        type="date"
        value={draft.from}
        onChange={(from) => setDraft((d) => ({ ...d, from }))}
      />
      <TextField
        label={t('logbooks:fields.asOf')}
        hint={t('logbooks:missing.asOfHint')}
        optional
        type="date"
        value={draft.asOf}
        onChange={(asOf) => setDraft((d) => ({ ...d, asOf }))}
      />
      <SelectField
        label={t('logbooks:fields.status')}
        value={draft.status}
        placeholder={t('logbooks:missing.anyStatus')}
        options={(['missing', 'late'] as const).map((s) => ({
          value: s,
          label: t(`logbooks:statuses.${s}`),
        }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
    </FilterForm>
  );
}
