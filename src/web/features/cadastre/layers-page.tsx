import { useClientConfig } from '../../api/client-config.ts';
import './cadastre.css';
import { useQueries, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Layer } from '../../../shared/schemas/cadastre.ts';
import { ApiError, get, NetworkError, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { LazyAreaMap } from '../../components/map/lazy-area-map.tsx';
import type { MapFeatureCollection, MapLayer } from '../../components/map/types.ts';
import { LayerCreateForm } from './layer-create-form.tsx';
import { LayerImport } from './layer-import.tsx';
import { KIND_COLOURS, KIND_DRAW_ORDER, MAP_FEATURE_CAP } from './layer-style.ts';

/** GET /cadastre/layers/:id/features.geojson: a FeatureCollection with `next` when more follow. */
interface FeaturePage {
  features: {
    id: string;
    properties: { externalRef: string | null; name: string | null };
    geometry: MapFeatureCollection['features'][number]['geometry'];
  }[];
  next: string | null;
}

function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

/** The country of an assignment at or under a country root (`/GH/…`), else null (`/`). */
const countryOfPath = (path: string | undefined) => /^\/([A-Z]{2})\//.exec(path ?? '')?.[1] ?? null;

const layersKey = (country: string | null) => ['cadastre-layers', country] as const;

function toCollection(page: FeaturePage): MapFeatureCollection {
  return {
    type: 'FeatureCollection',
    features: page.features.map((f) => ({
      type: 'Feature',
      properties: { id: f.id, name: f.properties.name ?? f.properties.externalRef ?? f.id },
      geometry: f.geometry,
    })),
  };
}

/**
 * The cadastre layers of the country on a map (one colour per kind, each layer switched on or off)
 * and in a table with their source, licence and GeoJSON export; a cadastre manager of the country
 * also creates layers and imports GeoJSON or CSV files into them.
 */
export default function LayersPage() {
  const { t, i18n } = useTranslation(['cadastre', 'errors']);
  const { active, can } = useSession();
  const queryClient = useQueryClient();
  const title = t('cadastre:layers.title');
  const [hidden, setHidden] = useState<ReadonlySet<string>>(new Set());
  const [importId, setImportId] = useState<string | null>(null);
  const count = (n: number) => new Intl.NumberFormat(i18n.language).format(n);

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const config = useClientConfig();
  // The assignment's country; an assignment over every country works on the installation's own.
  const country = countryOfPath(active?.areaPath) ?? config.data?.profile?.country ?? null;
  const canManage =
    can('cadastre.manage') &&
    country !== null &&
    (active?.areaPath === `/${country}/` || active?.areaPath === '/');

  const layersQuery = useQuery({
    queryKey: layersKey(country),
    queryFn: ({ signal }) => get<{ items: Layer[] }>(`/cadastre/layers${query({ country })}`, signal),
    enabled: country !== null,
  });
  const layers = useMemo(() => {
    const items = layersQuery.data?.items ?? [];
    return [...items].sort(
      (a, b) =>
        KIND_DRAW_ORDER.indexOf(a.kind) - KIND_DRAW_ORDER.indexOf(b.kind) || a.name.localeCompare(b.name),
    );
  }, [layersQuery.data]);
  const shown = layers.filter((l) => !hidden.has(l.id));

  // The layer's version is in the key: an import changes it, and the map fetches the layer again.
  const featureQueries = useQueries({
    queries: shown.map((l) => ({
      queryKey: ['cadastre-features', l.id, l.version],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        get<FeaturePage>(
          `/cadastre/layers/${l.id}/features.geojson${query({ limit: MAP_FEATURE_CAP })}`,
          signal,
        ),
      staleTime: 300_000,
    })),
  });

  const mapLayers: MapLayer[] = [];
  const capped: Layer[] = [];
  shown.forEach((l, i) => {
    const page = featureQueries[i]?.data;
    if (!page) return;
    if (page.next) capped.push(l);
    mapLayers.push({
      id: `layer-${l.id}`,
      label: t('cadastre:layers.legendLabel', { name: l.name, kind: t(`cadastre:kinds.${l.kind}`) }),
      data: toCollection(page),
      colour: KIND_COLOURS[l.kind],
      fillOpacity: l.kind === 'activity_detection' ? 0.45 : 0.2,
      interactive: false,
    });
  });
  const loadingFeatures = featureQueries.some((q) => q.isPending);
  const featureError = featureQueries.find((q) => q.error)?.error ?? null;

  const toggle = (id: string, on: boolean) =>
    setHidden((current) => {
      const next = new Set(current);
      if (on) next.delete(id);
      else next.add(id);
      return next;
    });
  const reload = () => queryClient.invalidateQueries({ queryKey: ['cadastre-layers'] });
  const importLayer = layers.find((l) => l.id === importId) ?? null;
  const error = layersQuery.error ?? featureError;

  return (
    <section aria-labelledby="layers-title" className="layers-page">
      <h1 id="layers-title">{title}</h1>
      <p>{t('cadastre:layers.intro')}</p>

      {error && (
        <p className="form-error" role="alert">
          {t(problemKey(error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {layersQuery.isPending && country !== null && <p role="status">{t('cadastre:layers.loading')}</p>}
      {layersQuery.data && layers.length === 0 && <p>{t('cadastre:layers.empty')}</p>}

      {layers.length > 0 && (
        <>
          <h2 id="layers-map">{t('cadastre:layers.mapHeading')}</h2>
          <LazyAreaMap label={t('cadastre:layers.map')} layers={mapLayers} featureList={false} />
          <p role="status" className="hint">
            {loadingFeatures ? t('cadastre:layers.loadingFeatures') : ''}
          </p>
          {capped.map((l) => (
            <p key={l.id} className="notice">
              {t('cadastre:layers.capped', {
                shown: count(MAP_FEATURE_CAP),
                total: count(l.featureCount),
                name: l.name,
              })}
            </p>
          ))}

          <h2 id="layers-list">{t('cadastre:layers.listHeading')}</h2>
          {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling table must be reachable by keyboard (WCAG 2.1.1) */}
          <section className="table-wrap" aria-labelledby="layers-list" tabIndex={0}>
            <table aria-labelledby="layers-list">
              <thead>
                <tr>
                  <th scope="col">{t('cadastre:layers.columns.show')}</th>
                  <th scope="col">{t('cadastre:layers.columns.name')}</th>
                  <th scope="col">{t('cadastre:layers.columns.kind')}</th>
                  <th scope="col" className="num">
                    {t('cadastre:layers.columns.features')}
                  </th>
                  <th scope="col">{t('cadastre:layers.columns.source')}</th>
                  <th scope="col">{t('cadastre:layers.columns.licence')}</th>
                  <th scope="col">{t('cadastre:layers.columns.export')}</th>
                  {canManage && <th scope="col">{t('cadastre:layers.columns.import')}</th>}
                </tr>
              </thead>
              <tbody>
                {layers.map((l) => (
                  <tr key={l.id}>
                    <td>
                      <input
                        type="checkbox"
                        className="layer-toggle"
                        checked={!hidden.has(l.id)}
                        aria-label={t('cadastre:layers.showOne', { name: l.name })}
                        onChange={(e) => toggle(l.id, e.target.checked)}
                      />
                    </td>
                    <th scope="row">{l.name}</th>
                    <td>
                      <span className="kind">
                        <span
                          className="legend-swatch"
                          aria-hidden="true"
                          style={{
                            borderColor: KIND_COLOURS[l.kind],
                            background: `${KIND_COLOURS[l.kind]}33`,
                          }}
                        />
                        {t(`cadastre:kinds.${l.kind}`)}
                      </span>
                    </td>
                    <td className="num" data-testid="feature-count">
                      {count(l.featureCount)}
                    </td>
                    <td>{l.source ?? '—'}</td>
                    <td>{l.licence ?? '—'}</td>
                    <td>
                      <a
                        href={`/api/v1/cadastre/layers/${l.id}/features.geojson?limit=50000`}
                        download={`${l.name.replace(/[^\p{L}\p{N}]+/gu, '-')}.geojson`}
                      >
                        {t('cadastre:layers.export')}
                        <span className="visually-hidden"> {l.name}</span>
                      </a>
                    </td>
                    {canManage && (
                      <td>
                        <button
                          type="button"
                          className="button secondary"
                          aria-pressed={importId === l.id}
                          onClick={() => setImportId(importId === l.id ? null : l.id)}
                        >
                          {t('cadastre:layers.import')}
                          <span className="visually-hidden"> {l.name}</span>
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <p className="hint">{t('cadastre:layers.exportHint')}</p>
        </>
      )}

      {canManage && importLayer && (
        <LayerImport key={importLayer.id} layer={importLayer} onImported={reload} />
      )}
      {canManage && country && (
        <LayerCreateForm
          country={country}
          onCreated={(layer) => {
            reload();
            setImportId(layer.id);
          }}
        />
      )}
    </section>
  );
}
