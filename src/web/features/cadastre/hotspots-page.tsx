import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../shared/format.ts';
import type { Layer } from '../../../shared/schemas/cadastre.ts';
import type { Hotspot, HotspotDistrict, HotspotsResult } from '../../../shared/schemas/hotspots.ts';
import { ApiError, get, NetworkError, query } from '../../api/client.ts';
import { LazyAreaMap } from '../../components/map/lazy-area-map.tsx';
import type { MapFeatureCollection } from '../../components/map/types.ts';

const PAGE = 100;

function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

/**
 * Mining activity to reach: where satellite imagery showed mining outside any licence area or ASM
 * zone, by district, for district offices to plan outreach visits (licences, training, support).
 */
export default function HotspotsPage() {
  const { t, i18n } = useTranslation(['cadastre', 'common', 'errors']);
  const locale = i18n.language;
  const title = t('cadastre:hotspots.title');
  const [layers, setLayers] = useState<Layer[] | null>(null);
  const [layerId, setLayerId] = useState<string>('');
  const [result, setResult] = useState<HotspotsResult | null>(null);
  const [items, setItems] = useState<Hotspot[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  useEffect(() => {
    const abort = new AbortController();
    get<{ items: Layer[] }>(`/cadastre/layers${query({ kind: 'activity_detection' })}`, abort.signal)
      .then((r) => {
        setLayers(r.items);
        setLayerId((current) => current || r.items[0]?.id || '');
      })
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      });
    return () => abort.abort();
  }, []);

  useEffect(() => {
    if (!layerId) return;
    const abort = new AbortController();
    setResult(null);
    setItems([]);
    get<HotspotsResult>(`/cadastre/hotspots${query({ layerId, limit: PAGE })}`, abort.signal)
      .then((r) => {
        setResult(r);
        setItems(r.items);
      })
      .catch((e) => {
        if ((e as Error).name !== 'AbortError') setError(e);
      });
    return () => abort.abort();
  }, [layerId]);

  async function more() {
    const after = result?.next;
    if (!after) return;
    setLoadingMore(true);
    try {
      const r = await get<HotspotsResult>(`/cadastre/hotspots${query({ layerId, limit: PAGE, after })}`);
      setItems((current) => [...current, ...r.items]);
      setResult(r);
    } catch (e) {
      setError(e);
    } finally {
      setLoadingMore(false);
    }
  }

  const ha = (n: number) => formatNumber(locale, n, 1);
  const district = (d: { areaName: string | null }) => d.areaName ?? t('cadastre:hotspots.noDistrict');
  const layer = layers?.find((l) => l.id === layerId);

  return (
    <section aria-labelledby="hotspots-title" className="hotspots-page">
      <h1 id="hotspots-title">{title}</h1>
      <p>{t('cadastre:hotspots.intro')}</p>
      <p>{t('cadastre:hotspots.purpose')}</p>
      <p className="hint">{t('cadastre:hotspots.caution')}</p>

      {error !== null && (
        <p className="form-error" role="alert">
          {t(problemKey(error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {layers !== null && layers.length === 0 && <p>{t('cadastre:hotspots.noLayer')}</p>}
      {layers !== null && layers.length > 1 && (
        <p>
          <label htmlFor="hotspots-layer">{t('cadastre:hotspots.layer')}</label>{' '}
          <select id="hotspots-layer" value={layerId} onChange={(e) => setLayerId(e.target.value)}>
            {layers.map((l) => (
              <option key={l.id} value={l.id}>
                {l.name}
              </option>
            ))}
          </select>
        </p>
      )}

      {layerId && result === null && error === null && <p role="status">{t('cadastre:hotspots.loading')}</p>}

      {result && (
        <>
          <p role="status">
            {t('cadastre:hotspots.summary', {
              count: result.totals.count,
              hectares: ha(result.totals.outsideHectares),
              covered: result.totals.coveredCount,
            })}
          </p>
          <p className="actions">
            <a
              className="button secondary"
              href={`/api/v1/cadastre/hotspots${query({ layerId, format: 'csv' })}`}
              download
            >
              {t('cadastre:hotspots.downloadCsv')}
            </a>
          </p>

          {items.length > 0 && (
            <LazyAreaMap
              label={t('cadastre:hotspots.map')}
              layers={[
                {
                  id: 'hotspots',
                  label: t('cadastre:hotspots.places'),
                  data: toCollection(items, district),
                  colour: '#b35c00',
                  fillOpacity: 0.45,
                },
              ]}
              featureList={false}
              attribution={[
                t('cadastre:hotspots.credit', {
                  source: result.layer.source ?? result.layer.name,
                  licence: result.layer.licence ?? '',
                }),
              ]}
            />
          )}

          <h2 id="hotspots-districts">{t('cadastre:hotspots.byDistrict')}</h2>
          <DistrictTable districts={result.districts} ha={ha} name={district} />

          <h2 id="hotspots-places">{t('cadastre:hotspots.places')}</h2>
          {items.length === 0 ? (
            <p>{t('cadastre:hotspots.empty')}</p>
          ) : (
            // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (WCAG 2.1.1)
            <section className="table-wrap" aria-labelledby="hotspots-places" tabIndex={0}>
              <table aria-labelledby="hotspots-places">
                <thead>
                  <tr>
                    <th scope="col">{t('cadastre:hotspots.columns.district')}</th>
                    <th scope="col">{t('cadastre:hotspots.columns.outsideHectares')}</th>
                    <th scope="col">{t('cadastre:hotspots.columns.detectedHectares')}</th>
                    <th scope="col">{t('cadastre:hotspots.columns.centre')}</th>
                  </tr>
                </thead>
                <tbody>
                  {items.map((h) => (
                    <tr key={h.featureId}>
                      <th scope="row">{district(h)}</th>
                      <td>{ha(h.outsideHectares)}</td>
                      <td>{ha(h.detectedHectares)}</td>
                      <td dir="ltr">
                        <a
                          href={`https://www.openstreetmap.org/?mlat=${h.centre[1]}&mlon=${h.centre[0]}#map=15/${h.centre[1]}/${h.centre[0]}`}
                          target="_blank"
                          rel="noopener noreferrer"
                        >
                          {formatNumber(locale, h.centre[1], 5)}, {formatNumber(locale, h.centre[0], 5)}
                        </a>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </section>
          )}
          {result.next && (
            <p className="actions">
              <button type="button" className="button secondary" disabled={loadingMore} onClick={more}>
                {t('cadastre:hotspots.more')}
              </button>
            </p>
          )}
          <p className="hint">
            {t('cadastre:hotspots.credit', {
              source: result.layer.source ?? result.layer.name,
              licence: result.layer.licence ?? '',
            })}
          </p>
        </>
      )}
      {!result && layer && (
        <p className="hint">
          {t('cadastre:hotspots.credit', {
            source: layer.source ?? layer.name,
            licence: layer.licence ?? '',
          })}
        </p>
      )}
    </section>
  );
}

function toCollection(items: Hotspot[], name: (h: Hotspot) => string): MapFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: items.map((h) => ({
      type: 'Feature',
      properties: { id: h.featureId, name: name(h), outsideHectares: h.outsideHectares },
      geometry: h.outside as MapFeatureCollection['features'][number]['geometry'],
    })),
  };
}

function DistrictTable({
  districts,
  ha,
  name,
}: {
  districts: HotspotDistrict[];
  ha: (n: number) => string;
  name: (d: HotspotDistrict) => string;
}) {
  const { t } = useTranslation('cadastre');
  if (districts.length === 0) return <p>{t('hotspots.empty')}</p>;
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap" aria-labelledby="hotspots-districts" tabIndex={0}>
      <table aria-labelledby="hotspots-districts">
        <thead>
          <tr>
            <th scope="col">{t('hotspots.columns.district')}</th>
            <th scope="col">{t('hotspots.columns.places')}</th>
            <th scope="col">{t('hotspots.columns.outsideHectares')}</th>
            <th scope="col">{t('hotspots.columns.insideHectares')}</th>
            <th scope="col">{t('hotspots.columns.covered')}</th>
          </tr>
        </thead>
        <tbody>
          {districts.map((d) => (
            <tr key={d.areaId ?? 'none'}>
              <th scope="row">{name(d)}</th>
              <td>{d.count}</td>
              <td>{ha(d.outsideHectares)}</td>
              <td>{ha(d.insideHectares)}</td>
              <td>{d.coveredCount}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
