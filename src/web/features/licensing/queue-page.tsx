import { useQuery } from '@tanstack/react-query';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { formatUnit, HolderName, problemKey, StatusBadge, TierName } from './licensing-common.tsx';
import { fetchQueue } from './queue.ts';

/**
 * The office queue: what waits for a decision in the areas this assignment serves, oldest first,
 * with the days waited against the tier's service standard.
 */
export default function QueuePage() {
  const { t, i18n } = useTranslation(['licensing', 'errors', 'common']);
  const { can } = useSession();
  const title = t('licensing:queue.title');
  const locale = i18n.language;

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const queue = useQuery({ queryKey: ['licence-queue'], queryFn: ({ signal }) => fetchQueue(signal) });
  const items = queue.data?.items ?? [];

  return (
    <section aria-labelledby="queue-title" className="licensing-page">
      <h1 id="queue-title">{title}</h1>
      <p className="lead">{t('licensing:queue.intro')}</p>
      <p className="actions">
        {can('licensing.apply') && (
          <Link to="/licensing/applications/new" className="button primary">
            {t('licensing:queue.new')}
          </Link>
        )}
        <Link to="/licensing/licences" className="button secondary">
          {t('licensing:licences.title')}
        </Link>
      </p>
      {queue.isError && (
        <div className="form-error" role="alert">
          <p>{t(problemKey(queue.error), { defaultValue: t('errors:unknown') })}</p>
          <button type="button" className="button secondary" onClick={() => void queue.refetch()}>
            {t('common:actions.retry')}
          </button>
        </div>
      )}
      <p role="status">
        {queue.data &&
          (items.length === 0
            ? t('licensing:queue.empty')
            : t('licensing:queue.summary', {
                waiting: queue.data.counts.total.toLocaleString(locale),
                overdue: queue.data.counts.overdue.toLocaleString(locale),
              }))}
      </p>
      {queue.isPending && <p className="loading">{t('common:loading')}</p>}
      {items.length > 0 && (
        <section
          className="table-wrap"
          aria-labelledby="queue-caption"
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
          tabIndex={0}
        >
          <table>
            <caption id="queue-caption" className="visually-hidden">
              {t('licensing:queue.caption')}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('licensing:fields.reference')}</th>
                <th scope="col">{t('licensing:fields.holder')}</th>
                <th scope="col">{t('licensing:fields.tier')}</th>
                <th scope="col">{t('licensing:fields.area')}</th>
                <th scope="col">{t('licensing:fields.submittedAt')}</th>
                <th scope="col">{t('licensing:fields.waited')}</th>
                <th scope="col">{t('licensing:fields.status')}</th>
              </tr>
            </thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} className={a.overdue ? 'overdue' : undefined}>
                  <th scope="row" style={{ background: 'inherit' }}>
                    <Link to={`/licensing/applications/${a.id}`}>{a.reference}</Link>
                  </th>
                  <td>
                    <HolderName kind={a.holderKind} id={a.holderId} />
                  </td>
                  <td>
                    <TierName code={a.tierCode} />
                  </td>
                  <td>
                    <AreaName id={a.areaId} />
                  </td>
                  <td>
                    <time dateTime={a.submittedAt ?? undefined}>
                      {a.submittedAt ? formatDate(locale, a.submittedAt) : ''}
                    </time>
                  </td>
                  <td className="num">
                    {a.serviceStandardDays === null
                      ? formatUnit(locale, a.waitingDays, 'day')
                      : t('licensing:queue.waitedOf', {
                          waited: formatUnit(locale, a.waitingDays, 'day'),
                          standard: formatUnit(locale, a.serviceStandardDays, 'day'),
                        })}{' '}
                    {a.overdue && <span className="badge off">{t('licensing:queue.overdue')}</span>}
                  </td>
                  <td>
                    <StatusBadge kind="application" status={a.status} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
    </section>
  );
}
