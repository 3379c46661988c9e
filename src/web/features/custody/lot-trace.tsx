import { useQuery } from '@tanstack/react-query';
import { type ReactNode, useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import type { LotDto, TraceDto } from '../../../shared/schemas/custody.ts';
import { get } from '../../api/client.ts';
import { HolderName } from '../licensing/licensing-common.tsx';
import { formatShare, LotStatusBadge, problemKey, useActors, useMass } from './custody-common.tsx';
import { BOX_HEIGHT, BOX_WIDTH, layoutGraph } from './trace-layout.ts';

type Direction = TraceDto['direction'];

/** Where the lot's mineral came from (every origin site with its share) and where it went. */
export function LotTrace({ lot }: { lot: LotDto }) {
  const { t } = useTranslation('custody');
  return (
    <section className="panel" aria-labelledby="trace-title">
      <h2 id="trace-title">{t('custody:trace.title')}</h2>
      <TraceDirection lot={lot} direction="upstream" />
      <TraceDirection lot={lot} direction="downstream" />
    </section>
  );
}

function TraceDirection({ lot, direction }: { lot: LotDto; direction: Direction }) {
  const { t, i18n } = useTranslation(['custody', 'errors']);
  const mass = useMass();
  const actors = useActors();
  const headingId = useId();
  const trace = useQuery({
    queryKey: ['custody-trace', lot.id, direction],
    queryFn: ({ signal }) => get<TraceDto>(`/lots/${lot.id}/trace?direction=${direction}`, signal),
  });
  const locale = i18n.language;
  const data = trace.data;

  return (
    <section aria-labelledby={headingId} className={`trace-${direction}`}>
      <h3 id={headingId}>{t(`custody:trace.${direction}`)}</h3>
      {trace.isPending && <p className="loading">{t('custody:loading')}</p>}
      {trace.isError && <p className="form-error">{t(problemKey(trace.error))}</p>}
      {data && direction === 'upstream' && (
        <ScrollBox label={t('custody:trace.originsCaption', { tag: lot.tag })}>
          <table>
            <caption className="visually-hidden">
              {t('custody:trace.originsCaption', { tag: lot.tag })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('custody:fields.originLot')}</th>
                <th scope="col">{t('custody:fields.site')}</th>
                <th scope="col" className="num">
                  {t('custody:fields.share')}
                </th>
                <th scope="col" className="num">
                  {t('custody:fields.mass')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.origins.map((o) => (
                <tr key={o.lotId}>
                  <th scope="row">
                    <Link to={`/custody/lots/${o.lotId}`} dir="ltr">
                      {o.tag}
                    </Link>
                  </th>
                  <td>
                    {o.originSiteId ? <HolderName kind="production_unit" id={o.originSiteId} link /> : '—'}
                  </td>
                  <td className="num">{formatShare(locale, o.share.value)}</td>
                  <td className="num">{mass(o.massMg)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {data && direction === 'downstream' && (
        <ScrollBox label={t('custody:trace.destinationsCaption', { tag: lot.tag })}>
          <table>
            <caption className="visually-hidden">
              {t('custody:trace.destinationsCaption', { tag: lot.tag })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('custody:fields.tag')}</th>
                <th scope="col">{t('custody:fields.status')}</th>
                <th scope="col">{t('custody:fields.holder')}</th>
                <th scope="col" className="num">
                  {t('custody:fields.share')}
                </th>
                <th scope="col" className="num">
                  {t('custody:fields.mass')}
                </th>
              </tr>
            </thead>
            <tbody>
              {data.destinations.map((d) => (
                <tr key={d.lotId}>
                  <th scope="row">
                    <Link to={`/custody/lots/${d.lotId}`} dir="ltr">
                      {d.tag}
                    </Link>
                  </th>
                  <td>
                    <LotStatusBadge status={d.status} />
                  </td>
                  <td>{actors.data?.find((a) => a.id === d.holderActorId)?.name ?? '—'}</td>
                  <td className="num">{formatShare(locale, d.share.value)}</td>
                  <td className="num">{mass(d.massMg)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollBox>
      )}
      {data && data.nodes.length > 1 && <TraceGraph trace={data} />}
    </section>
  );
}

/** A box that scrolls sideways on a small screen, reachable by keyboard so it can be scrolled. */
function ScrollBox({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
    <section className="table-wrap" aria-label={label} tabIndex={0} style={{ position: 'relative' }}>
      {children}
    </section>
  );
}

/**
 * The graph drawn left to right: origins first, the traced lot last (upstream) or first
 * (downstream). It repeats the table above for the eye, so it is one image to assistive technology.
 */
function TraceGraph({ trace }: { trace: TraceDto }) {
  const { t } = useTranslation('custody');
  const mass = useMass();
  const layout = useMemo(
    () =>
      layoutGraph(
        trace.nodes.map((n) => n.id),
        trace.edges,
      ),
    [trace],
  );
  const markerId = `arrow-${trace.direction}`;
  return (
    <figure className="trace-graph">
      <ScrollBox label={t('custody:trace.graphCaption')}>
        <svg
          role="img"
          aria-label={t('custody:trace.graphLabel', { lots: trace.nodes.length, links: trace.edges.length })}
          width={layout.width}
          height={layout.height}
          viewBox={`0 0 ${layout.width} ${layout.height}`}
        >
          <defs>
            <marker
              id={markerId}
              viewBox="0 0 10 10"
              refX="9"
              refY="5"
              markerWidth="8"
              markerHeight="8"
              orient="auto"
            >
              <path d="M0,0 L10,5 L0,10 z" fill="currentColor" />
            </marker>
          </defs>
          {layout.edges.map((e) => (
            <path key={`${e.from}-${e.to}`} d={e.d} markerEnd={`url(#${markerId})`} />
          ))}
          {trace.nodes.map((n) => {
            const p = layout.nodes.get(n.id)!;
            return (
              <g
                key={n.id}
                className={n.id === trace.lotId ? 'trace-node focus' : 'trace-node'}
                data-lot-id={n.id}
                transform={`translate(${p.x},${p.y})`}
              >
                <rect width={BOX_WIDTH} height={BOX_HEIGHT} rx={6} />
                <text x={8} y={20} direction="ltr">
                  {n.tag}
                </text>
                <text x={8} y={38}>
                  {mass(n.massMg)}
                </text>
              </g>
            );
          })}
        </svg>
      </ScrollBox>
      <figcaption className="hint">{t('custody:trace.graphCaption')}</figcaption>
    </figure>
  );
}
