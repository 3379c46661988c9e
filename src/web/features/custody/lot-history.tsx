import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDateTime, formatMoney } from '../../../shared/format.ts';
import type { CustodyEventDto } from '../../../shared/schemas/custody.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { FormError } from '../../components/form.tsx';
import { problemKey, useActors, useMass } from './custody-common.tsx';

/**
 * Every event the lot took part in, oldest first. A transfer not yet confirmed by the other side
 * says so in words, with a Confirm button: the server decides who may confirm (not the recorder).
 */
export function LotHistory({ lotId, onConfirmed }: { lotId: string; onConfirmed(): void }) {
  const { t, i18n } = useTranslation(['custody', 'errors']);
  const { can, me } = useSession();
  const mass = useMass();
  const actors = useActors();
  const [alert, setAlert] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const events = useQuery({
    queryKey: ['custody-lot-events', lotId],
    queryFn: ({ signal }) => get<{ items: CustodyEventDto[] }>(`/lots/${lotId}/events`, signal),
  });
  const nameOf = (id: string | null) =>
    id === null ? '' : (actors.data?.find((a) => a.id === id)?.name ?? t('custody:history.someone'));

  async function confirm(eventId: string) {
    setBusy(eventId);
    setAlert(null);
    try {
      await api(`/custody/transfers/${eventId}/confirm`, { method: 'POST' });
      await events.refetch();
      onConfirmed();
    } catch (err) {
      setAlert(problemKey(err));
    } finally {
      setBusy(null);
    }
  }

  return (
    <section className="panel" aria-labelledby="history-title">
      <h2 id="history-title">{t('custody:history.title')}</h2>
      <FormError>{alert && t(alert, { defaultValue: t('errors:unknown') })}</FormError>
      {events.isPending && <p className="loading">{t('custody:loading')}</p>}
      {events.isError && <p className="form-error">{t(problemKey(events.error))}</p>}
      <ol className="custody-events">
        {(events.data?.items ?? []).map((e) => (
          <li key={e.id} data-kind={e.kind}>
            <p>
              <strong>{t(`custody:eventKinds.${e.kind}`)}</strong> ·{' '}
              {formatDateTime(i18n.language, e.occurredAt)}
              {e.place && ` · ${e.place}`}
            </p>
            <p>
              {e.kind === 'transfer'
                ? t('custody:history.fromTo', { from: nameOf(e.actorId), to: nameOf(e.counterpartId) })
                : t('custody:history.by', { name: nameOf(e.actorId) })}
            </p>
            <ul>
              {e.lots.map((l) => (
                <li key={`${l.lotId}-${l.role}`}>
                  {t(`custody:roles.${l.role}`)}:{' '}
                  {l.lotId === lotId ? (
                    <span dir="ltr">{l.tag}</span>
                  ) : (
                    <Link to={`/custody/lots/${l.lotId}`} dir="ltr">
                      {l.tag}
                    </Link>
                  )}{' '}
                  ({mass(l.massMg)})
                </li>
              ))}
            </ul>
            {e.kind === 'processing' && e.recovery !== null && (
              <p>
                {t('custody:history.recovery', {
                  recovery: new Intl.NumberFormat(i18n.language, {
                    style: 'percent',
                    maximumFractionDigits: 1,
                  }).format(e.recovery),
                  loss: mass(e.lossMg),
                })}
              </p>
            )}
            {e.priceMinor !== null && e.currency && (
              <p>
                {t('custody:history.price', { price: formatMoney(i18n.language, e.priceMinor, e.currency) })}
              </p>
            )}
            {e.kind === 'export' && (
              <p>
                {t('custody:history.exported', {
                  permit: e.exportPermit ?? '',
                  country: e.destinationCountry ?? '',
                })}
              </p>
            )}
            {e.documents.length > 0 && (
              <p>
                {t('custody:history.documents')}{' '}
                {e.documents.map((d) => `${d.kind} ${d.reference}`).join(' · ')}
              </p>
            )}
            {e.kind === 'transfer' &&
              (e.confirmedAt ? (
                <p>
                  {t('custody:history.confirmedAt', { at: formatDateTime(i18n.language, e.confirmedAt) })}
                </p>
              ) : (
                <p>
                  <span className="unconfirmed">
                    {t(`custody:history.unconfirmed.${e.recordedSide ?? 'seller'}`)}
                  </span>{' '}
                  {/* The recorder cannot confirm their own record (the server refuses it too). */}
                  {can('custody.record') && e.recordedBy !== me?.id && (
                    <button
                      type="button"
                      className="button secondary"
                      disabled={busy === e.id}
                      onClick={() => void confirm(e.id)}
                    >
                      {t('custody:history.confirm')}
                    </button>
                  )}
                </p>
              ))}
          </li>
        ))}
      </ol>
    </section>
  );
}
