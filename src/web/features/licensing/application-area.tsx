import { useQuery } from '@tanstack/react-query';
import { type ChangeEvent, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { parseCoordinateCsv } from '../../../shared/geo/coordinates-csv.ts';
import type { AreaGeometry } from '../../../shared/geo/types.ts';
import type { ApplicationAreaView, NearbyFeature } from '../../../shared/schemas/application-area.ts';
import { type CheckResult, type LayerKind, RIGHT_KINDS } from '../../../shared/schemas/cadastre.ts';
import type { LicenceApplicationDto } from '../../../shared/schemas/licensing.ts';
import { ApiError, type ApiResponse, api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { LazyAreaMap } from '../../components/map/lazy-area-map.tsx';
import type { MapFeature, MapLayer } from '../../components/map/types.ts';
import { type GeometryProblemItem, GeometryProblems } from '../cadastre/geometry-problems.tsx';
import { CheckSummary } from './area-check-summary.tsx';
import { problemKey } from './licensing-common.tsx';

type Corner = [number, number];
type Preview = { geometry: AreaGeometry; result: CheckResult };

/** Colours of the cadastre layers on the review map (also in the legend). */
export const KIND_COLOURS: Record<LayerKind, string> = {
  licence_area: '#6d4c41',
  asm_zone: '#0277bd',
  lsm_title: '#6a1b9a',
  protected_area: '#00695c',
  customary_land: '#9e9d24',
  activity_detection: '#ef6c00',
  armed_group_presence: '#424242',
};
const CONFLICT_KINDS = new Set<LayerKind>([...RIGHT_KINDS, 'protected_area']);
const APPLIED = '#0b3d91';
const CONFLICT = '#b3261e';
const FREE = '#2e7d32';

const polygonOf = (corners: Corner[]): AreaGeometry => ({
  type: 'Polygon',
  coordinates: [[...corners, corners[0]!]],
});

/**
 * Typed corners: "longitude, latitude" per line, or a CSV with a header naming the columns. Without
 * a header one is added, and `added` takes it off the line numbers of errors again.
 */
function cornersText(text: string): { csv: string; added: number } {
  const first = text.trim().split(/\r?\n/)[0] ?? '';
  return /[a-z]/i.test(first) ? { csv: text.trim(), added: 0 } : { csv: `lon,lat\n${text.trim()}`, added: 1 };
}

const asMapFeature = (f: NearbyFeature, label: string): MapFeature => ({
  type: 'Feature',
  id: f.id,
  geometry: f.geometry as MapFeature['geometry'],
  properties: { ...f.properties, name: label },
});

/**
 * The applied area on the map (issue 5): the cadastre around it, the features it overlaps in red,
 * the free part in green, and its check. Before the decision, whoever may apply draws the area by
 * clicking its corners, types them, or loads a GeoJSON or CSV file; the check runs before saving.
 */
export function ApplicationArea({
  application: a,
  onSaved,
}: {
  application: LicenceApplicationDto;
  onSaved(res: ApiResponse<LicenceApplicationDto>): void;
}) {
  const { t, i18n } = useTranslation(['licensing', 'errors', 'common']);
  const { can } = useSession();
  const baseId = useId();
  const [corners, setCorners] = useState<Corner[] | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [problems, setProblems] = useState<GeometryProblemItem[] | null>(null);
  const [error, setError] = useState<{ key: string; values?: Record<string, string | number> } | null>(null);
  const [busy, setBusy] = useState(false);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [typed, setTyped] = useState('');

  const view = useQuery({
    queryKey: ['application-area', a.id, a.version],
    queryFn: ({ signal }) => get<ApplicationAreaView>(`/licence-applications/${a.id}/area`, signal),
  });
  const data = view.data;
  const editable = (data?.editable ?? false) && can('licensing.apply');
  const number = useMemo(
    () => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }),
    [i18n.language],
  );

  const shownGeometry = preview?.geometry ?? (data?.geometry as AreaGeometry | null | undefined) ?? null;
  // Drawn in red: the rights and protected areas the area overlaps. An overlapped zone keeps its
  // colour, since lying inside a zone is what a zone-bound tier asks for.
  const conflictIds = useMemo(() => {
    const overlaps = preview ? preview.result.overlaps : (data?.check?.overlaps ?? []);
    return new Set(overlaps.filter((o) => CONFLICT_KINDS.has(o.layerKind)).map((o) => o.featureId));
  }, [preview, data]);

  const layers = useMemo<MapLayer[]>(() => {
    if (!data) return [];
    const label = (f: NearbyFeature) =>
      [f.properties.name, f.properties.externalRef].filter(Boolean).join(' · ') ||
      t(`licensing:area.kinds.${f.properties.layerKind}`);
    const byKind = new Map<LayerKind, MapFeature[]>();
    const conflicts: MapFeature[] = [];
    for (const f of data.nearby.features) {
      const feature = asMapFeature(f, label(f));
      if (conflictIds.has(f.id)) conflicts.push(feature);
      else byKind.set(f.properties.layerKind, [...(byKind.get(f.properties.layerKind) ?? []), feature]);
    }
    const out: MapLayer[] = [...byKind.entries()].map(([kind, features]) => ({
      id: `kind-${kind}`,
      label: t(`licensing:area.kinds.${kind}`),
      colour: KIND_COLOURS[kind],
      data: { type: 'FeatureCollection', features },
      interactive: false,
    }));
    if (shownGeometry) {
      out.push({
        id: 'applied',
        label: preview ? t('licensing:area.layers.drawn') : t('licensing:area.layers.applied'),
        colour: APPLIED,
        lineWidth: 3,
        fillOpacity: 0.12,
        interactive: false,
        data: {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              geometry: shownGeometry as MapFeature['geometry'],
              properties: { id: 'applied', name: t('licensing:area.layers.applied') },
            },
          ],
        },
      });
    }
    const free = preview?.result.free.geometry;
    if (free) {
      out.push({
        id: 'free',
        label: t('licensing:area.layers.free'),
        colour: FREE,
        fillOpacity: 0.35,
        line: false,
        interactive: false,
        data: {
          type: 'FeatureCollection',
          features: [
            {
              type: 'Feature',
              geometry: free as MapFeature['geometry'],
              properties: { id: 'free', name: t('licensing:area.layers.free') },
            },
          ],
        },
      });
    }
    if (conflicts.length > 0) {
      out.push({
        id: 'conflicts',
        label: t('licensing:area.layers.conflicts'),
        colour: CONFLICT,
        lineWidth: 3,
        fillOpacity: 0.3,
        data: { type: 'FeatureCollection', features: conflicts },
      });
    }
    return out;
  }, [data, conflictIds, shownGeometry, preview, t]);

  function reset() {
    setPreview(null);
    setProblems(null);
    setError(null);
  }
  function startDrawing() {
    reset();
    setCorners([]);
  }

  /** Checks a shape before it is saved; an officer without the cadastre permission saves at once. */
  async function check(geometry: AreaGeometry) {
    reset();
    if (!can('cadastre.read')) return save(geometry);
    setBusy(true);
    try {
      const res = await api<CheckResult>('/cadastre/checks', {
        method: 'POST',
        body: { country: data?.country, geometry, tierCode: a.tierCode },
      });
      setPreview({ geometry, result: res.data });
      setCorners(null);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  }

  async function save(geometry: AreaGeometry) {
    setBusy(true);
    try {
      const res = await api<LicenceApplicationDto>(`/licence-applications/${a.id}/area`, {
        method: 'PUT',
        body: { geometry },
      });
      setPreview(null);
      setCorners(null);
      onSaved(res);
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  }

  function failed(err: unknown) {
    if (err instanceof ApiError && err.code === 'cadastre.invalid_geometry') {
      setProblems((err.body.problems as GeometryProblemItem[] | undefined) ?? []);
      return;
    }
    setError({ key: problemKey(err) });
  }

  function checkTypedCorners() {
    const { csv, added } = cornersText(typed);
    const parsed = parseCoordinateCsv(csv);
    if (parsed.errors.length > 0 || !parsed.geometry) {
      const first = parsed.errors[0];
      reset();
      setError(
        first
          ? {
              key: 'licensing:area.typedError',
              values: {
                line: first.line - added,
                message: t(`cadastre:${first.code}`, { defaultValue: first.message }),
              },
            }
          : { key: 'licensing:area.typedEmpty' },
      );
      return;
    }
    void check(parsed.geometry);
  }

  async function loadFile(e: ChangeEvent<HTMLInputElement>) {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    reset();
    const text = await file.text();
    if (/\.csv$/i.test(file.name) || file.type === 'text/csv') {
      setTyped(text);
      const parsed = parseCoordinateCsv(text);
      if (parsed.geometry && parsed.errors.length === 0) void check(parsed.geometry);
      else setError({ key: 'licensing:area.fileUnreadable' });
      return;
    }
    try {
      const json = JSON.parse(text) as {
        type?: string;
        geometry?: unknown;
        features?: { geometry?: unknown }[];
      };
      const geometry =
        json.type === 'FeatureCollection'
          ? json.features?.[0]?.geometry
          : json.type === 'Feature'
            ? json.geometry
            : json;
      void check(geometry as AreaGeometry);
    } catch {
      setError({ key: 'licensing:area.fileUnreadable' });
    }
  }

  const drawing = corners !== null;
  const shownCheck = preview?.result ?? data?.check ?? null;

  return (
    <section className="panel application-area" aria-labelledby={`${baseId}-title`}>
      <h2 id={`${baseId}-title`}>{t('licensing:area.title')}</h2>
      {view.isPending && <p className="loading">{t('common:loading')}</p>}
      {view.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(view.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {data && (
        <>
          {!shownGeometry && !drawing && <p>{t('licensing:area.none')}</p>}
          {data.truncated && <p className="hint">{t('licensing:area.truncated')}</p>}
          <LazyAreaMap
            layers={layers}
            label={t('licensing:area.mapLabel')}
            fitTo={data.view}
            selectedId={selectedId}
            onSelect={(f) => setSelectedId(String(f.properties.id))}
            headingLevel={3}
            featureLabel={(f) => f.properties.name}
            renderDetails={(f) => <ConflictDetails feature={f} number={number} />}
            drawing={drawing ? { points: corners, onAdd: (p) => setCorners((c) => [...(c ?? []), p]) } : null}
          />

          <div role="status" aria-live="polite">
            {drawing && (
              <p className="notice">{t('licensing:area.cornerCount', { count: corners.length })}</p>
            )}
          </div>
          {error && (
            <p className="form-error" role="alert">
              {t(error.key, { ...error.values, defaultValue: t('errors:unknown') })}
            </p>
          )}
          {problems && (
            <div role="alert">
              <p className="form-error">{t('licensing:area.invalid')}</p>
              <GeometryProblems problems={problems} />
            </div>
          )}

          {editable && (
            <div className="actions">
              {!drawing && !preview && (
                <button type="button" className="button" onClick={startDrawing} disabled={busy}>
                  {shownGeometry ? t('licensing:area.redraw') : t('licensing:area.draw')}
                </button>
              )}
              {drawing && (
                <>
                  <button
                    type="button"
                    className="button primary"
                    disabled={busy || corners.length < 3}
                    onClick={() => void check(polygonOf(corners))}
                  >
                    {t('licensing:area.finish')}
                  </button>
                  <button
                    type="button"
                    className="button"
                    disabled={corners.length === 0}
                    onClick={() => setCorners(corners.slice(0, -1))}
                  >
                    {t('licensing:area.undo')}
                  </button>
                  <button type="button" className="button" onClick={() => setCorners(null)}>
                    {t('common:actions.cancel')}
                  </button>
                </>
              )}
              {preview && (
                <>
                  <button
                    type="button"
                    className="button primary"
                    disabled={busy}
                    onClick={() => void save(preview.geometry)}
                  >
                    {t('licensing:area.save')}
                  </button>
                  <button type="button" className="button" onClick={startDrawing} disabled={busy}>
                    {t('licensing:area.redraw')}
                  </button>
                  <button type="button" className="button" onClick={reset} disabled={busy}>
                    {t('licensing:area.discard')}
                  </button>
                </>
              )}
            </div>
          )}

          {editable && (
            <details className="area-alternatives">
              <summary>{t('licensing:area.otherWays')}</summary>
              <label htmlFor={`${baseId}-typed`}>{t('licensing:area.typedLabel')}</label>
              <p className="hint" id={`${baseId}-typed-hint`}>
                {t('licensing:area.typedHint')}
              </p>
              <textarea
                id={`${baseId}-typed`}
                aria-describedby={`${baseId}-typed-hint`}
                rows={5}
                value={typed}
                onChange={(e) => setTyped(e.target.value)}
              />
              <div className="actions">
                <button
                  type="button"
                  className="button"
                  disabled={busy || !typed.trim()}
                  onClick={checkTypedCorners}
                >
                  {t('licensing:area.checkTyped')}
                </button>
              </div>
              <label htmlFor={`${baseId}-file`}>{t('licensing:area.fileLabel')}</label>
              <input
                id={`${baseId}-file`}
                type="file"
                accept=".geojson,.json,.csv,application/geo+json,application/json,text/csv"
                onChange={(e) => void loadFile(e)}
              />
            </details>
          )}

          {shownCheck && (
            <CheckSummary
              check={shownCheck}
              preview={preview !== null}
              checkedAt={preview ? null : (data.check?.checkedAt ?? null)}
            />
          )}
        </>
      )}
    </section>
  );
}

function ConflictDetails({ feature, number }: { feature: MapFeature; number: Intl.NumberFormat }) {
  const { t } = useTranslation('licensing');
  const p = feature.properties as unknown as NearbyFeature['properties'];
  return (
    <dl className="facts">
      <dt>{t('area.columns.layer')}</dt>
      <dd>
        {t(`area.kinds.${p.layerKind}`)} ({p.layerName})
      </dd>
      <dt>{t('area.columns.status')}</dt>
      <dd>{p.status}</dd>
      {p.overlapM2 !== null && (
        <>
          <dt>{t('area.columns.overlap')}</dt>
          <dd>
            {t('area.overlapValue', {
              m2: number.format(p.overlapM2),
              percent: number.format(p.percentOfApplied ?? 0),
            })}
          </dd>
        </>
      )}
    </dl>
  );
}
