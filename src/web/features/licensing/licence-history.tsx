import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDateTime } from '../../../shared/format.ts';
import type { LicenceEventDto } from '../../../shared/schemas/licensing.ts';
import { get } from '../../api/client.ts';
import { problemKey } from './licensing-common.tsx';

/** The query key of a history, to reload it after a step. */
export const historyKey = (kind: 'licence' | 'application', id: string) => ['licence-events', kind, id];

/** What one recorded step did, as a key of licensing:history.steps. */
export function stepOf(e: Pick<LicenceEventDto, 'fromStatus' | 'toStatus' | 'action'>): string {
  if (e.action === 'renewed') return 'renewed';
  // An application starts as a draft; a licence starts active when it is issued.
  if (e.fromStatus === null) return e.toStatus === 'draft' ? 'created' : 'activated';
  // The status did not move: the holder changed (a transfer) or another fact was recorded.
  if (e.fromStatus === e.toStatus) return 'changed';
  if (e.toStatus === 'active') return e.fromStatus === 'suspended' ? 'reinstated' : 'activated';
  return e.toStatus;
}

const STEPS = new Set([
  'created',
  'submitted',
  'under_review',
  'approved',
  'rejected',
  'issued',
  'renewed',
  'changed',
  'reinstated',
  'activated',
  'suspended',
  'revoked',
  'expired',
]);

/**
 * The history of an application or a licence as the server recorded it (licence_events), oldest
 * first: each step, when, and the reason given.
 */
export function EventHistory({ kind, id }: { kind: 'licence' | 'application'; id: string }) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const headingId = useId();
  const path = kind === 'licence' ? `/licences/${id}/events` : `/licence-applications/${id}/events`;
  const events = useQuery({
    queryKey: historyKey(kind, id),
    queryFn: ({ signal }) => get<{ items: LicenceEventDto[] }>(path, signal),
  });
  return (
    <section aria-labelledby={headingId} className="panel">
      <h2 id={headingId}>{t('licensing:history.title')}</h2>
      {events.isPending && <p className="loading">{t('licensing:history.loading')}</p>}
      {events.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(events.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {events.data && events.data.items.length === 0 && <p>{t('licensing:history.empty')}</p>}
      {events.data && events.data.items.length > 0 && (
        <ol className="history">
          {events.data.items.map((e) => {
            const step = stepOf(e);
            return (
              <li key={e.id}>
                <time dateTime={e.at}>{formatDateTime(i18n.language, e.at)}</time> —{' '}
                <strong>{t(`licensing:history.steps.${STEPS.has(step) ? step : 'changed'}`)}</strong>
                {e.reason && <>: {e.reason}</>}
              </li>
            );
          })}
        </ol>
      )}
    </section>
  );
}
