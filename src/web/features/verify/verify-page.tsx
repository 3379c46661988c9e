import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { useLocation } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import { ApiError, get } from '../../api/client.ts';
import { LanguagePicker } from '../../components/language-picker.tsx';

interface Verification {
  valid: boolean;
  status: string;
  number: string;
  tierCode: string;
  validFrom: string;
  validTo: string;
  holderDisplay: string;
  areaName: string;
}

/**
 * What anyone sees after scanning a licence card's QR code, without signing in: whether the
 * licence is valid today, and only facts that are not sensitive.
 */
export default function VerifyPage() {
  const { t, i18n } = useTranslation('verify');
  const { pathname } = useLocation();
  const token = pathname.replace(/^\/verify\//, '');
  const result = useQuery({
    queryKey: ['verify', token],
    queryFn: ({ signal }) => get<Verification>(`/verify/${token}`, signal),
    retry: false,
  });
  const date = (d: string) => formatDate(i18n.language, `${d}T12:00:00Z`);

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>
          <img src="/icon.svg" alt="" width="40" height="40" /> {t('title')}
        </h1>
        <LanguagePicker />
        {result.isPending && <p role="status">{t('checking')}</p>}
        {result.isError && (
          <p className="form-error" role="alert">
            {result.error instanceof ApiError && result.error.status === 404 ? t('notFound') : t('invalid')}
          </p>
        )}
        {result.data && (
          <section aria-live="polite">
            <p className={result.data.valid ? 'notice' : 'form-error'} role="status">
              <strong>{result.data.valid ? t('valid') : t('notValid')}</strong>
            </p>
            <dl className="facts">
              <dt>{t('number')}</dt>
              <dd>{result.data.number}</dd>
              <dt>{t('holder')}</dt>
              <dd>{result.data.holderDisplay}</dd>
              <dt>{t('tier')}</dt>
              <dd>{result.data.tierCode}</dd>
              <dt>{t('area')}</dt>
              <dd>{result.data.areaName}</dd>
              <dt>{t('validity')}</dt>
              <dd>{t('fromTo', { from: date(result.data.validFrom), to: date(result.data.validTo) })}</dd>
              <dt>{t('status')}</dt>
              <dd>{t(`statuses.${result.data.status}`, { defaultValue: result.data.status })}</dd>
            </dl>
            <p className="hint">{t('recorded')}</p>
          </section>
        )}
      </div>
    </main>
  );
}
