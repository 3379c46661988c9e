import { useClientConfig } from '../../api/client-config.ts';
import 'maplibre-gl/dist/maplibre-gl.css';
import './area-map.css';
import type { FeatureCollection } from 'geojson';
import {
  type GeoJSONSource,
  type LayerSpecification,
  Map as MapLibreMap,
  type MapMouseEvent,
  type StyleSpecification,
  setWorkerUrl,
} from 'maplibre-gl';
// The worker ships as its own module file; Vite copies it with a content hash next to the app, so
// the map works offline from the service worker's cache and never reaches for a CDN.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ClientConfigDto } from '../../../shared/schemas/client-config.ts';
import { bboxOf, sameBox } from './geo.ts';
import type { AreaMapProps, BBox, MapFeature, MapLayer } from './types.ts';

setWorkerUrl(workerUrl);

export type { AreaMapProps, BBox, MapFeature, MapLayer } from './types.ts';

const BACKGROUND = '#e4ebe6';
const SELECTED = '#0b3d91';
const SELECTION_SOURCE = 'selection';
const SELECTION_LAYERS = ['selection-fill', 'selection-casing', 'selection-line'] as const;
const EMPTY: FeatureCollection = { type: 'FeatureCollection', features: [] };

/**
 * A style that needs nothing from the network: a plain background, and raster tiles only when the
 * installation configured a tile server. No glyphs and no sprite, so no symbol layers: names are
 * in the HTML list next to the map, where screen readers and translation reach them anyway.
 */
function baseStyle(tiles: ClientConfigDto['mapTiles']): StyleSpecification {
  const layers: LayerSpecification[] = [
    { id: 'background', type: 'background', paint: { 'background-color': BACKGROUND } },
  ];
  if (tiles) layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  return {
    version: 8,
    sources: tiles ? { basemap: { type: 'raster', tiles: [tiles.url], tileSize: 256, maxzoom: 19 } } : {},
    layers,
  };
}

/** Attribution may come as HTML (links, &copy;): shown as text, never injected as markup. */
function plainText(html: string): string {
  return new DOMParser().parseFromString(html, 'text/html').body.textContent?.trim() ?? '';
}

function reducedMotion(): boolean {
  return window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;
}

const DRAWING = '#b3261e';
const DRAWING_SOURCE = 'drawing';

/** Seven decimals of a degree: about 1 cm, finer than any survey a miner brings. */
const round7 = (x: number) => Math.round(x * 1e7) / 1e7;

function drawingShape(points: [number, number][]): FeatureCollection {
  const path = points.length >= 3 ? [...points, points[0]!] : points;
  return {
    type: 'FeatureCollection',
    features: [
      ...(path.length >= 2
        ? [
            {
              type: 'Feature' as const,
              properties: {},
              geometry: { type: 'LineString' as const, coordinates: path },
            },
          ]
        : []),
      ...points.map((p) => ({
        type: 'Feature' as const,
        properties: {},
        geometry: { type: 'Point' as const, coordinates: p },
      })),
    ],
  };
}

const sourceId = (layerId: string) => `layer-${layerId}`;
const fillId = (layerId: string) => `layer-${layerId}-fill`;
const lineId = (layerId: string) => `layer-${layerId}-line`;

interface Entry {
  feature: MapFeature;
  layer: MapLayer;
}

function defaultLabel(feature: MapFeature): string {
  return feature.properties.name;
}

/**
 * A map of GeoJSON layers on maplibre-gl, usable without a mouse and without a network: every
 * feature is also a button in a list beside the map, the legend and the selected feature's details
 * are HTML outside the canvas, and the background needs no tiles. Load it with React.lazy (see
 * lazy-area-map.tsx) so maplibre stays out of the screens that have no map.
 */
export function AreaMap({
  layers,
  label,
  selectedId = null,
  onSelect,
  fitTo,
  attribution = [],
  featureList = true,
  featureLabel = defaultLabel,
  renderDetails,
  headingLevel = 2,
  className,
  drawing = null,
}: AreaMapProps) {
  const { t, i18n } = useTranslation('areas');
  const H = `h${headingLevel}` as const;
  const baseId = useId();
  const containerRef = useRef<HTMLDivElement>(null);
  const mapRef = useRef<MapLibreMap | null>(null);
  const [loaded, setLoaded] = useState(false);
  const [failed, setFailed] = useState(false);

  // The tile server is an installation setting; offline or unset, the map draws on a plain background.
  const config = useClientConfig();
  const tiles = config.data?.mapTiles ?? null;
  const configSettled = !config.isPending;

  const index = useMemo(() => {
    const byId = new Map<string, Entry>();
    for (const layer of layers)
      for (const feature of layer.data.features) byId.set(feature.properties.id, { feature, layer });
    return byId;
  }, [layers]);
  const selected = selectedId ? (index.get(selectedId) ?? null) : null;
  const home = useMemo<BBox | null>(() => fitTo ?? bboxOf(...layers.map((l) => l.data)), [fitTo, layers]);

  // The map's event handlers are registered once; they read the latest props through refs.
  const latest = useRef({ layers, index, onSelect, home, drawing });
  latest.current = { layers, index, onSelect, home, drawing };
  // What this map instance already draws: its layers, and the view it last moved to.
  const applied = useRef(new Map<string, MapLayer>());
  const shownBox = useRef<BBox | null>(null);

  // Create the map once the tile setting is known (a later change of tiles recreates it).
  useEffect(() => {
    const container = containerRef.current;
    if (!container || !configSettled) return;
    let map: MapLibreMap;
    try {
      const bounds = latest.current.home;
      shownBox.current = bounds;
      map = new MapLibreMap({
        container,
        style: baseStyle(tiles),
        ...(bounds ? { bounds, fitBoundsOptions: { padding: 24 } } : { center: [0, 0], zoom: 1 }),
        attributionControl: false,
        maplibreLogo: false,
        dragRotate: false,
        pitchWithRotate: false,
        touchPitch: false,
        maxPitch: 0,
        renderWorldCopies: false,
        fadeDuration: 0,
      });
    } catch {
      // No WebGL (old phone, blocked driver): the list and the details still work.
      setFailed(true);
      return;
    }
    map.touchZoomRotate.disableRotation();
    map.keyboard.disableRotation();
    mapRef.current = map;
    setFailed(false);

    map.on('load', () => {
      map.addSource(SELECTION_SOURCE, { type: 'geojson', data: EMPTY });
      map.addLayer({
        id: 'selection-fill',
        type: 'fill',
        source: SELECTION_SOURCE,
        paint: { 'fill-color': SELECTED, 'fill-opacity': 0.25 },
      });
      map.addLayer({
        id: 'selection-casing',
        type: 'line',
        source: SELECTION_SOURCE,
        paint: { 'line-color': '#ffffff', 'line-width': 6 },
        layout: { 'line-join': 'round' },
      });
      map.addLayer({
        id: 'selection-line',
        type: 'line',
        source: SELECTION_SOURCE,
        paint: { 'line-color': SELECTED, 'line-width': 3 },
        layout: { 'line-join': 'round' },
      });
      // The corners being drawn, above everything else.
      map.addSource(DRAWING_SOURCE, { type: 'geojson', data: EMPTY });
      map.addLayer({
        id: 'drawing-line',
        type: 'line',
        source: DRAWING_SOURCE,
        paint: { 'line-color': DRAWING, 'line-width': 2.5, 'line-dasharray': [2, 1] },
        layout: { 'line-join': 'round' },
      });
      map.addLayer({
        id: 'drawing-corners',
        type: 'circle',
        source: DRAWING_SOURCE,
        filter: ['==', ['geometry-type'], 'Point'],
        paint: {
          'circle-radius': 5,
          'circle-color': DRAWING,
          'circle-stroke-color': '#ffffff',
          'circle-stroke-width': 2,
        },
      });
      setLoaded(true);
    });

    const hitLayers = () =>
      latest.current.layers
        .filter((l) => l.interactive !== false)
        .flatMap((l) => [fillId(l.id), lineId(l.id)])
        .filter((id) => map.getLayer(id));
    const hitAt = (e: MapMouseEvent): Entry | null => {
      const ids = hitLayers();
      if (ids.length === 0) return null;
      // Topmost first: a district drawn over its region wins the click.
      for (const hit of map.queryRenderedFeatures(e.point, { layers: ids })) {
        const entry = latest.current.index.get(String(hit.properties?.id ?? hit.id ?? ''));
        if (entry && entry.layer.interactive !== false) return entry;
      }
      return null;
    };
    map.on('click', (e) => {
      const draw = latest.current.drawing;
      if (draw) {
        draw.onAdd([round7(e.lngLat.lng), round7(e.lngLat.lat)]);
        return;
      }
      const entry = hitAt(e);
      if (entry) latest.current.onSelect?.(entry.feature, entry.layer.id);
    });
    map.on('mousemove', (e) => {
      map.getCanvas().style.cursor = latest.current.drawing ? 'crosshair' : hitAt(e) ? 'pointer' : '';
    });
    map.on('error', (e) => {
      // Tiles fail offline; the boundaries are local data and keep drawing. Nothing to tell the user.
      if (import.meta.env.DEV) console.warn('map:', e.error?.message);
    });
    map.on('webglcontextlost', () => setFailed(true));
    map.on('webglcontextrestored', () => setFailed(false));

    return () => {
      map.remove();
      mapRef.current = null;
      applied.current.clear();
      shownBox.current = null;
      setLoaded(false);
    };
  }, [configSettled, tiles]);

  // The canvas takes keyboard focus (arrows move, + and − zoom): tell screen reader users so.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `loaded` flips once per new map instance
  useEffect(() => {
    mapRef.current?.getCanvas().setAttribute('aria-label', t('map.canvasLabel'));
  }, [t, loaded]);

  // Add, update and remove the drawn layers; later layers draw above earlier ones.
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded) return;
    const wanted = new Set(layers.map((l) => l.id));
    for (const id of [...applied.current.keys()]) {
      if (wanted.has(id)) continue;
      for (const layerId of [fillId(id), lineId(id)]) if (map.getLayer(layerId)) map.removeLayer(layerId);
      if (map.getSource(sourceId(id))) map.removeSource(sourceId(id));
      applied.current.delete(id);
    }
    for (const layer of layers) {
      const previous = applied.current.get(layer.id);
      const source = map.getSource<GeoJSONSource>(sourceId(layer.id));
      if (!source) map.addSource(sourceId(layer.id), { type: 'geojson', data: layer.data });
      else if (previous?.data !== layer.data) source.setData(layer.data);

      const fill = fillId(layer.id);
      if (layer.fill === false) {
        if (map.getLayer(fill)) map.removeLayer(fill);
      } else if (!map.getLayer(fill)) {
        map.addLayer(
          {
            id: fill,
            type: 'fill',
            source: sourceId(layer.id),
            paint: { 'fill-color': layer.colour, 'fill-opacity': layer.fillOpacity ?? 0.18 },
          },
          SELECTION_LAYERS[0],
        );
      } else {
        map.setPaintProperty(fill, 'fill-color', layer.colour);
        map.setPaintProperty(fill, 'fill-opacity', layer.fillOpacity ?? 0.18);
      }

      const line = lineId(layer.id);
      if (layer.line === false) {
        if (map.getLayer(line)) map.removeLayer(line);
      } else if (!map.getLayer(line)) {
        map.addLayer(
          {
            id: line,
            type: 'line',
            source: sourceId(layer.id),
            paint: { 'line-color': layer.colour, 'line-width': layer.lineWidth ?? 1.5 },
            layout: { 'line-join': 'round' },
          },
          SELECTION_LAYERS[0],
        );
      } else {
        map.setPaintProperty(line, 'line-color', layer.colour);
        map.setPaintProperty(line, 'line-width', layer.lineWidth ?? 1.5);
      }
      applied.current.set(layer.id, layer);
    }
    // Keep the order of the props: each layer in turn moves up to just under the selection.
    for (const layer of layers) {
      for (const id of [fillId(layer.id), lineId(layer.id)]) {
        if (map.getLayer(id)) map.moveLayer(id, SELECTION_LAYERS[0]);
      }
    }
  }, [layers, loaded]);

  // The selected feature is drawn again on top, outlined, whichever layer it comes from.
  useEffect(() => {
    const source = loaded ? mapRef.current?.getSource<GeoJSONSource>(SELECTION_SOURCE) : undefined;
    source?.setData(selected ? { type: 'FeatureCollection', features: [selected.feature] } : EMPTY);
  }, [selected, loaded]);

  // The corners drawn so far: points, the path between them, closed from the third corner on.
  const corners = drawing?.points;
  useEffect(() => {
    const source = loaded ? mapRef.current?.getSource<GeoJSONSource>(DRAWING_SOURCE) : undefined;
    source?.setData(corners ? drawingShape(corners) : EMPTY);
  }, [corners, loaded]);

  // Move to the requested view when it changes (by value, not by array identity).
  useEffect(() => {
    const map = mapRef.current;
    if (!map || !loaded || !home || sameBox(shownBox.current, home)) return;
    shownBox.current = home;
    map.fitBounds(home, { padding: 24, maxZoom: 12, duration: reducedMotion() ? 0 : 600 });
  }, [home, loaded]);

  const zoom = (by: 1 | -1) => {
    const map = mapRef.current;
    if (!map) return;
    const options = { duration: reducedMotion() ? 0 : 250 };
    if (by > 0) map.zoomIn(options);
    else map.zoomOut(options);
  };
  const showAll = () => {
    const map = mapRef.current;
    if (map && home) map.fitBounds(home, { padding: 24, maxZoom: 12, duration: reducedMotion() ? 0 : 600 });
  };

  const credits = [...attribution, ...(tiles?.attribution ? [plainText(tiles.attribution)] : [])].filter(
    Boolean,
  );
  const listLayers = featureList
    ? layers.filter((l) => l.interactive !== false && l.data.features.length > 0)
    : [];
  const collator = useMemo(() => new Intl.Collator(i18n.language), [i18n.language]);
  const detailsShown = renderDetails !== null && selected !== null;
  const hasSide = listLayers.length > 0 || detailsShown;
  const hintId = `${baseId}-hint`;

  return (
    <div className={['area-map', hasSide ? 'with-side' : '', className ?? ''].filter(Boolean).join(' ')}>
      <div className="area-map-main">
        <div className="area-map-frame">
          {/* biome-ignore lint/a11y/useSemanticElements: maplibre owns this box; a div keeps its CSS simple */}
          <div
            ref={containerRef}
            className="map area-map-canvas"
            role="region"
            aria-label={label}
            aria-describedby={hintId}
            hidden={failed}
          />
          {failed ? (
            <p className="notice area-map-failed" role="status">
              {t('map.unavailable')}
            </p>
          ) : (
            <div className="area-map-controls">
              <button
                type="button"
                onClick={() => zoom(1)}
                aria-label={t('map.zoomIn')}
                title={t('map.zoomIn')}
              >
                <span aria-hidden="true">+</span>
              </button>
              <button
                type="button"
                onClick={() => zoom(-1)}
                aria-label={t('map.zoomOut')}
                title={t('map.zoomOut')}
              >
                <span aria-hidden="true">−</span>
              </button>
              <button type="button" onClick={showAll} aria-label={t('map.showAll')} title={t('map.showAll')}>
                <svg aria-hidden="true" viewBox="0 0 24 24" width="22" height="22" focusable="false">
                  <path
                    d="M4 9V4h5M20 9V4h-5M4 15v5h5M20 15v5h-5"
                    fill="none"
                    stroke="currentColor"
                    strokeWidth="2.2"
                    strokeLinecap="round"
                  />
                </svg>
              </button>
            </div>
          )}
        </div>
        <p id={hintId} className="hint area-map-hint" hidden={failed}>
          {drawing ? t('map.hintDrawing') : featureList ? t('map.hintList') : t('map.hint')}
        </p>
        {credits.length > 0 && (
          <p className="area-map-attribution">
            {t('map.attribution')} {credits.join(' · ')}
          </p>
        )}
        <Legend layers={layers} selected={selected !== null} />
      </div>

      {hasSide && (
        <div className="area-map-side">
          {detailsShown && selected && (
            <section className="panel area-map-details" aria-labelledby={`${baseId}-details`}>
              <H id={`${baseId}-details`}>{featureLabel(selected.feature)}</H>
              {renderDetails ? (
                renderDetails(selected.feature, selected.layer)
              ) : (
                <DefaultDetails feature={selected.feature} layer={selected.layer} />
              )}
            </section>
          )}
          {listLayers.map((layer) => {
            const headingId = `${baseId}-list-${layer.id}`;
            const features = [...layer.data.features].sort((a, b) =>
              collator.compare(featureLabel(a), featureLabel(b)),
            );
            return (
              <section key={layer.id} className="area-map-list" aria-labelledby={headingId}>
                <H id={headingId}>
                  {layer.label} <span className="area-map-count">({features.length})</span>
                </H>
                <ul>
                  {features.map((f) => {
                    const isSelected = f.properties.id === selectedId;
                    return (
                      <li key={f.properties.id}>
                        <button
                          type="button"
                          className="area-map-item"
                          aria-current={isSelected ? 'true' : undefined}
                          onClick={() => onSelect?.(f, layer.id)}
                        >
                          {featureLabel(f)}
                        </button>
                      </li>
                    );
                  })}
                </ul>
              </section>
            );
          })}
        </div>
      )}

      <p className="visually-hidden" role="status" aria-live="polite">
        {selected ? t('map.selected', { name: featureLabel(selected.feature) }) : ''}
      </p>
    </div>
  );
}

/** The legend is HTML, so it is translated, zoomable text and read by screen readers. */
function Legend({ layers, selected }: { layers: MapLayer[]; selected: boolean }) {
  const { t } = useTranslation('areas');
  const id = useId();
  if (layers.length === 0) return null;
  return (
    <div className="area-map-legend">
      <p id={id} className="area-map-legend-title">
        {t('map.legend')}
      </p>
      <ul className="legend" aria-labelledby={id}>
        {layers.map((layer) => (
          <li key={layer.id}>
            <span
              className="legend-swatch"
              aria-hidden="true"
              style={{
                borderColor: layer.line === false ? 'transparent' : layer.colour,
                background:
                  layer.fill === false ? 'transparent' : tint(layer.colour, layer.fillOpacity ?? 0.18),
              }}
            />
            {layer.label}
          </li>
        ))}
        {selected && (
          <li>
            <span
              className="legend-swatch"
              aria-hidden="true"
              style={{ borderColor: SELECTED, borderWidth: 3, background: tint(SELECTED, 0.25) }}
            />
            {t('map.selectedLegend')}
          </li>
        )}
      </ul>
    </div>
  );
}

/** #rrggbb at an opacity over the map background, as the canvas would show it. */
function tint(hex: string, opacity: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  const bg = [0xe4, 0xeb, 0xe6];
  const mix = [m[1], m[2], m[3]].map((c, i) =>
    Math.round(Number.parseInt(c ?? '0', 16) * opacity + (bg[i] ?? 255) * (1 - opacity)),
  );
  return `rgb(${mix.join(' ')})`;
}

function DefaultDetails({ feature, layer }: { feature: MapFeature; layer: MapLayer }) {
  const { t } = useTranslation('areas');
  const p = feature.properties;
  return (
    <>
      <dl className="facts">
        {typeof p.code === 'string' && (
          <>
            <dt>{t('details.code')}</dt>
            <dd>
              <code>{p.code}</code>
            </dd>
          </>
        )}
        <dt>{t('details.level')}</dt>
        <dd>
          {typeof p.levelName === 'string'
            ? t(`levels.${p.levelName}`, { defaultValue: p.levelName })
            : layer.label}
        </dd>
      </dl>
      {p.isDemo === true && (
        <p>
          <span className="badge demo">{t('demo.badge')}</span> {t('demo.explanation')}
        </p>
      )}
    </>
  );
}

export default AreaMap;
