import { useQuery } from '@tanstack/react-query';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatMoney } from '../../../shared/format.ts';
import type { NextTierDto } from '../../../shared/schemas/licence-rights.ts';
import type { LicenceDto } from '../../../shared/schemas/licensing.ts';
import { get, query } from '../../api/client.ts';
import { type PickText, problemKey, useTiers } from './licensing-common.tsx';

const TONE = { met: 'ok', missing: 'off', to_check: 'pending' } as const;

/**
 * The supported step up: the next tier of the profile, each of its requirements met, missing or to
 * check (with the support the country offers), the incentives gained, and a link to apply for it.
 */
export function LicenceNextTier({ licence, apply }: { licence: LicenceDto; apply: boolean }) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const { pick } = useTiers();
  const headingId = useId();
  const result = useQuery({
    queryKey: ['licence-next-tier', licence.id, licence.holderId],
    queryFn: ({ signal }) => get<NextTierDto>(`/licences/${licence.id}/next-tier`, signal),
  });
  const next = result.data?.nextTier;
  if (result.data && !next) return null;
  const text = (names: Record<string, string>) => {
    const p = pick(names as Parameters<PickText>[0]);
    return <span lang={p.lang}>{p.text}</span>;
  };
  const name = next ? pick(next.names as Parameters<PickText>[0]).text : '';
  const met = next?.requirements.filter((r) => r.status === 'met').length ?? 0;

  return (
    <section className="panel next-tier" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:nextTier.title')}</h2>
      {result.isPending && <p className="loading">{t('licensing:nextTier.loading')}</p>}
      {result.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {next && (
        <>
          <p>
            {t('licensing:nextTier.intro')} <strong>{text(next.names)}</strong> (
            {t('licensing:nextTier.fee', {
              fee: formatMoney(i18n.language, next.fee.amountMinor, next.fee.currency),
            })}
            )
          </p>
          {!next.holderKindAllowed && (
            <p className="notice warning">
              {t('licensing:nextTier.holderKindNotAllowed', {
                kinds: next.holderKinds.map((k) => t(`licensing:holderKinds.${k}`)).join(', '),
              })}
            </p>
          )}
          <h3>{t('licensing:nextTier.requirements')}</h3>
          <p>{t('licensing:nextTier.progress', { met, total: next.requirements.length })}</p>
          <ul className="requirements">
            {next.requirements.map((r) => (
              <li key={r.code}>
                <p>
                  {text(r.names)}{' '}
                  <span className={`badge ${TONE[r.status]}`}>
                    {t(`licensing:nextTier.statuses.${r.status}`)}
                  </span>
                  {r.source && <span className="hint"> {t(`licensing:nextTier.sources.${r.source}`)}</span>}
                </p>
                {r.status !== 'met' && r.support.length > 0 && (
                  <div className="support">
                    <p className="hint">{t('licensing:nextTier.support')}</p>
                    <ul>
                      {r.support.map((s) => (
                        <li key={s.kind}>{text(s.names)}</li>
                      ))}
                    </ul>
                  </div>
                )}
              </li>
            ))}
          </ul>
          <h3>{t('licensing:nextTier.incentives')}</h3>
          {next.incentivesGained.length === 0 ? (
            <p>{t('licensing:tier.none')}</p>
          ) : (
            <ul>
              {next.incentivesGained.map((i) => (
                <li key={i.code}>{text(i.names)}</li>
              ))}
            </ul>
          )}
          {apply && next.holderKindAllowed && (
            <p className="actions">
              <Link
                className="button primary"
                to={`/licensing/applications/new${query({
                  holderKind: licence.holderKind,
                  holderId: licence.holderId,
                  tierCode: next.code,
                })}`}
              >
                {t('licensing:nextTier.apply', { tier: name })}
              </Link>
            </p>
          )}
        </>
      )}
    </section>
  );
}
