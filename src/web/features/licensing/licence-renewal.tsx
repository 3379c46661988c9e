import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { LicenceApplicationDto, LicenceDto } from '../../../shared/schemas/licensing.ts';
import { ApiError, api } from '../../api/client.ts';
import { useClientConfig } from '../../api/client-config.ts';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, useIdempotencyKey } from '../../components/form.tsx';
import { formatDay, problemKey } from './licensing-common.tsx';

/** The server's renewal window (licensing/lifecycle.ts): from 90 days before the end to 180 after. */
export const RENEWAL_OPENS_DAYS_BEFORE = 90;
export const RENEWAL_CLOSES_DAYS_AFTER = 180;

const DAY = 86_400_000;
const dayNumber = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY;
const isoOf = (n: number) => new Date(n * DAY).toISOString().slice(0, 10);

/** Where a licence ending on validTo stands on a day: before, in or after its renewal window. */
export function renewalWindow(
  validTo: string,
  today: string,
): { state: 'too_early' | 'open' | 'too_late'; opens: string; closes: string } {
  const end = dayNumber(validTo);
  const days = end - dayNumber(today);
  const opens = isoOf(end - RENEWAL_OPENS_DAYS_BEFORE);
  const closes = isoOf(end + RENEWAL_CLOSES_DAYS_AFTER);
  if (days > RENEWAL_OPENS_DAYS_BEFORE) return { state: 'too_early', opens, closes };
  if (-days > RENEWAL_CLOSES_DAYS_AFTER) return { state: 'too_late', opens, closes };
  return { state: 'open', opens, closes };
}

/**
 * Today in a time zone, YYYY-MM-DD: the server counts a licence's days in its country's zone
 * (platform/calendar.ts), so the page does too, not in the browser's.
 */
export function todayIn(timeZone: string, now = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}

/**
 * Renewal of an active or expired licence: a "Renew" button while the window is open, which starts
 * a renewal application (the normal workflow) and opens it; when the window is not open, when it is.
 */
export function LicenceRenewal({ licence }: { licence: LicenceDto }) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const headingId = useId();
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const [error, setError] = useState<{ key: string; pendingId?: string } | null>(null);
  // The profile's time zone (the same query as the map's); UTC until it is known or when unset.
  const config = useClientConfig();
  if (licence.status !== 'active' && licence.status !== 'expired') return null;
  const locale = i18n.language;
  const window = renewalWindow(licence.validTo, todayIn(config.data?.profile?.timeZone || 'UTC'));

  async function renew() {
    setBusy(true);
    setError(null);
    try {
      const res = await api<LicenceApplicationDto>(`/licences/${licence.id}/renew`, {
        method: 'POST',
        // The same key for a retry from this page; a new visit asks again (and is told of a pending one).
        idempotencyKey: keyFor({ renew: licence.id }),
      });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/licence-applications') });
      navigate(`/licensing/applications/${res.data.id}`, { state: { renewalStarted: true } });
    } catch (err) {
      const pendingId =
        err instanceof ApiError && typeof err.body.applicationId === 'string'
          ? err.body.applicationId
          : undefined;
      setError({ key: problemKey(err), ...(pendingId ? { pendingId } : {}) });
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:renewal.title')}</h2>
      {window.state === 'open' && (
        <>
          <p>{t('licensing:renewal.open', { closes: formatDay(locale, window.closes) })}</p>
          <button type="button" className="button primary" disabled={busy} onClick={() => void renew()}>
            {t('licensing:renewal.renew')}
          </button>
        </>
      )}
      {window.state === 'too_early' && (
        <p>{t('licensing:renewal.opensOn', { opens: formatDay(locale, window.opens) })}</p>
      )}
      {window.state === 'too_late' && <p>{t('errors:licensing.renewal_too_late')}</p>}
      <FormError>
        {error && (
          <>
            {t(error.key, { defaultValue: t('errors:unknown') })}
            {error.pendingId && (
              <>
                {' '}
                <Link to={`/licensing/applications/${error.pendingId}`}>
                  {t('licensing:renewal.openPending')}
                </Link>
              </>
            )}
          </>
        )}
      </FormError>
    </section>
  );
}
