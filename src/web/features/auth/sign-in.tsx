import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { loginBody } from '../../../shared/schemas/accounts.ts';
import { ApiError, NetworkError } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { LanguagePicker } from '../../components/language-picker.tsx';

/** Only same-site paths: a returnTo of another origin would make sign-in an open redirect. */
function safeReturnTo(value: string | null): string {
  return value?.startsWith('/') && !value.startsWith('//') ? value : '/';
}

export default function SignInPage() {
  const { t } = useTranslation(['auth', 'errors', 'common']);
  const { me, signIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const returnTo = safeReturnTo(params.get('returnTo'));
  const reason = params.get('reason');
  const [phone, setPhone] = useState('');
  const [password, setPassword] = useState('');
  const [fieldErrors, setFieldErrors] = useState<{ phone?: string; password?: string }>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const phoneId = useId();
  const passwordId = useId();

  if (me) return <Navigate to={returnTo} replace />;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    // The same schema as the server: the person hears about a mistyped number before a round trip.
    const parsed = loginBody.safeParse({ phone: phone.replace(/[\s-]/g, ''), password });
    if (!parsed.success) {
      const errs: typeof fieldErrors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] as 'phone' | 'password';
        errs[field] = t(field === 'phone' ? 'auth:phoneInvalid' : 'auth:passwordRequired');
      }
      setFieldErrors(errs);
      return;
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await signIn(parsed.data.phone, parsed.data.password);
      navigate(returnTo, { replace: true });
    } catch (err) {
      if (err instanceof ApiError) setError(t(`errors:${err.code}`, { defaultValue: t('errors:unknown') }));
      else if (err instanceof NetworkError) setError(t('errors:network'));
      else setError(t('errors:unknown'));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="sign-in">
      <div className="sign-in-card">
        <h1>
          <img src="/icon.svg" alt="" width="40" height="40" /> OpenASM
        </h1>
        <p className="lead">{t('auth:tagline')}</p>
        <LanguagePicker />
        {reason === 'expired' && (
          <p className="notice" role="status">
            {t('auth:sessionEnded')}
          </p>
        )}
        {reason === 'signedOut' && (
          <p className="notice" role="status">
            {t('auth:signedOut')}
          </p>
        )}
        <form onSubmit={submit} noValidate aria-describedby={error ? 'sign-in-error' : undefined}>
          <div className="field">
            <label htmlFor={phoneId}>{t('auth:phone')}</label>
            <input
              id={phoneId}
              name="phone"
              type="tel"
              inputMode="tel"
              autoComplete="username"
              placeholder="+233…"
              value={phone}
              onChange={(e) => setPhone(e.target.value)}
              aria-invalid={Boolean(fieldErrors.phone)}
              aria-describedby={fieldErrors.phone ? `${phoneId}-error` : `${phoneId}-hint`}
              required
            />
            {fieldErrors.phone ? (
              <p id={`${phoneId}-error`} className="field-error">
                {fieldErrors.phone}
              </p>
            ) : (
              <p id={`${phoneId}-hint`} className="hint">
                {t('auth:phoneHint')}
              </p>
            )}
          </div>
          <div className="field">
            <label htmlFor={passwordId}>{t('auth:password')}</label>
            <input
              id={passwordId}
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={Boolean(fieldErrors.password)}
              aria-describedby={fieldErrors.password ? `${passwordId}-error` : undefined}
              required
            />
            {fieldErrors.password && (
              <p id={`${passwordId}-error`} className="field-error">
                {fieldErrors.password}
              </p>
            )}
          </div>
          {error && (
            <p id="sign-in-error" className="form-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('auth:signingIn') : t('auth:signIn')}
          </button>
        </form>
      </div>
    </main>
  );
}
