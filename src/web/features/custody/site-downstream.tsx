import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { SiteDownstreamDto } from '../../../shared/schemas/custody.ts';
import { get } from '../../api/client.ts';
import { formatShare, LotStatusBadge, problemKey, useMass } from './custody-common.tsx';
import { ActorLink } from './oversight-common.tsx';

/**
 * Where a site's production went, for the production unit's page: how much was produced there, how
 * much is still held in open lots, exported, or lost in processing (the three add up to the first),
 * and the lots holding some of it now.
 */
export function SiteDownstreamPanel({ siteId }: { siteId: string }) {
  const { t, i18n } = useTranslation(['custody-oversight', 'custody', 'errors']);
  const mass = useMass();
  const result = useQuery({
    queryKey: ['custody-site-downstream', siteId],
    queryFn: ({ signal }) => get<SiteDownstreamDto>(`/custody/sites/${siteId}/downstream`, signal),
  });
  const data = result.data;

  return (
    <section className="panel" aria-labelledby="site-downstream-title">
      <h2 id="site-downstream-title">{t('custody-oversight:downstream.title')}</h2>
      {result.isPending && <p className="loading">{t('custody:loading')}</p>}
      {result.isError && (
        <p className="form-error">{t(problemKey(result.error), { defaultValue: t('errors:unknown') })}</p>
      )}
      {data && data.producedMg === 0 && <p>{t('custody-oversight:downstream.nothing')}</p>}
      {data && data.producedMg > 0 && (
        <>
          <dl className="summary-figures">
            <div>
              <dt>{t('custody-oversight:downstream.produced')}</dt>
              <dd>{mass(data.producedMg)}</dd>
            </div>
            <div>
              <dt>{t('custody-oversight:downstream.open')}</dt>
              <dd>{mass(data.openMg.value)}</dd>
            </div>
            <div>
              <dt>{t('custody-oversight:downstream.exported')}</dt>
              <dd>{mass(data.exportedMg.value)}</dd>
            </div>
            <div>
              <dt>{t('custody-oversight:downstream.lost')}</dt>
              <dd>{mass(data.lostMg.value)}</dd>
            </div>
          </dl>
          <p className="hint">{t('custody-oversight:downstream.hint')}</p>
          <h3 id="site-destinations-title">{t('custody-oversight:downstream.destinations')}</h3>
          {data.destinations.length === 0 ? (
            <p>{t('custody-oversight:downstream.noDestinations')}</p>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
            <section className="table-wrap" aria-labelledby="site-destinations-title" tabIndex={0}>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t('custody:fields.tag')}</th>
                    <th scope="col">{t('custody:fields.status')}</th>
                    <th scope="col">{t('custody:fields.holder')}</th>
                    <th scope="col" className="num">
                      {t('custody-oversight:downstream.fromSite')}
                    </th>
                    <th scope="col" className="num">
                      {t('custody-oversight:downstream.shareOfLot')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.destinations.map((d) => (
                    <tr key={d.lotId}>
                      <th scope="row" style={{ background: 'inherit' }}>
                        <Link to={`/custody/lots/${d.lotId}`} dir="ltr">
                          {d.tag}
                        </Link>
                      </th>
                      <td>
                        <LotStatusBadge status={d.status} />
                      </td>
                      <td>
                        <ActorLink id={d.holderActorId} />
                      </td>
                      <td className="num">{mass(d.massMg)}</td>
                      <td className="num">{formatShare(i18n.language, d.share.value)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
        </>
      )}
    </section>
  );
}
