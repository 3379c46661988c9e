import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { NAVIGATION } from '../../app/navigation.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';

/** The page each role lands on: what this assignment can do, one card per module. */
export default function HomePage() {
  const { t } = useTranslation(['home', 'common']);
  const { me, active, can } = useSession();
  const entries = NAVIGATION.filter((n) => n.permission === null || can(n.permission));
  return (
    <section aria-labelledby="home-title">
      <h1 id="home-title">{t('home:welcome', { name: me?.name ?? '' })}</h1>
      {active && (
        <p className="lead">
          {t(`common:roles.${active.roleCode}`)} · <AreaName id={active.areaId} />
        </p>
      )}
      <p>{t(`home:intro.${active?.roleCode ?? 'none'}`, { defaultValue: t('home:intro.default') })}</p>
      <ul className="cards">
        {entries.map((n) => (
          <li key={n.path}>
            <Link to={n.path} className="card">
              <span className="card-title">{t(`common:${n.label}`)}</span>
              <span className="card-text">{t(`home:${n.description}`)}</span>
            </Link>
          </li>
        ))}
      </ul>
    </section>
  );
}
