import { useQuery } from '@tanstack/react-query';
import { Suspense, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, Navigate, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { get, onSessionEnded } from '../api/client.ts';
import { LanguagePicker } from '../components/language-picker.tsx';
import { NAVIGATION } from './navigation.ts';
import { useSession } from './session.tsx';

/** The frame around every signed-in screen: skip link, header, navigation, account menu. */
export function Shell() {
  const { t } = useTranslation();
  const { me, loading, can, signedOut } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const mainRef = useRef<HTMLElement>(null);

  // When the server says the session ended, go to sign-in and come back here afterwards.
  useEffect(
    () =>
      onSessionEnded(() => {
        const returnTo = `${location.pathname}${location.search}`;
        navigate(`/sign-in?reason=expired&returnTo=${encodeURIComponent(returnTo)}`, { replace: true });
      }),
    [location, navigate],
  );

  // Move focus to the page content after navigation, so screen readers announce the new page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each navigation on purpose
  useEffect(() => {
    mainRef.current?.focus({ preventScroll: true });
  }, [location.pathname]);

  if (loading) return <p className="loading">{t('loading')}</p>;
  if (!me && signedOut) return <Navigate to="/sign-in?reason=signedOut" replace />;
  if (!me) {
    const returnTo = `${location.pathname}${location.search}`;
    return <Navigate to={`/sign-in?returnTo=${encodeURIComponent(returnTo)}`} replace />;
  }

  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        {t('skipToContent')}
      </a>
      <header className="topbar">
        <Link to="/" className="brand">
          <img src="/icon.svg" alt="" width="32" height="32" />
          <span>OpenASM</span>
        </Link>
        <nav aria-label={t('nav.label')} className="mainnav">
          <ul>
            {NAVIGATION.filter((n) => n.permission === null || can(n.permission)).map((n) => (
              <li key={n.path}>
                <NavLink to={n.path}>{t(n.label)}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-tools">
          <LanguagePicker compact />
          <AccountMenu />
        </div>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        <Suspense fallback={<p className="loading">{t('loading')}</p>}>
          <Outlet />
        </Suspense>
      </main>
    </div>
  );
}

function AccountMenu() {
  const { t } = useTranslation();
  const { me, active, setActive, signOut } = useSession();
  const navigate = useNavigate();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const buttonRef = useRef<HTMLButtonElement>(null);
  // Escape closes the menu and gives focus back to its button.
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [open]);
  if (!me) return null;

  return (
    <div className="account">
      <button
        ref={buttonRef}
        type="button"
        className="account-button"
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen((o) => !o)}
      >
        <span className="account-name">{me.name ?? me.phone}</span>
        {active && <span className="account-role">{t(`roles.${active.roleCode}`)}</span>}
      </button>
      {open && (
        <div id={menuId} className="account-panel">
          <p className="account-detail">
            {me.name}
            <br />
            <span dir="ltr">{me.phone}</span>
          </p>
          {me.grants.length > 1 ? (
            <fieldset>
              <legend>{t('account.workAs')}</legend>
              {me.grants.map((g, i) => (
                <label key={`${g.roleCode}-${g.areaId}`} className="radio">
                  <input
                    type="radio"
                    name="active-assignment"
                    checked={active === g}
                    onChange={() => {
                      setActive(i);
                      setOpen(false);
                    }}
                  />
                  {t(`roles.${g.roleCode}`)} · <AreaName id={g.areaId} />
                </label>
              ))}
            </fieldset>
          ) : (
            active && (
              <p>
                {t(`roles.${active.roleCode}`)} · <AreaName id={active.areaId} />
              </p>
            )
          )}
          <button type="button" className="button secondary" onClick={() => void signOut()}>
            {t('account.signOut')}
          </button>
        </div>
      )}
    </div>
  );
}

/** An area's name in the interface language when the profile gives one. */
export function AreaName({ id }: { id: string }) {
  const { i18n } = useTranslation();
  const area = useQuery({
    queryKey: ['admin-area', id],
    queryFn: ({ signal }) =>
      get<{ name: string; names: Record<string, string> }>(`/admin-areas/${id}`, signal),
    staleTime: 3_600_000,
  });
  if (!area.data) return <span>…</span>;
  return <span>{area.data.names[i18n.language] ?? area.data.name}</span>;
}
