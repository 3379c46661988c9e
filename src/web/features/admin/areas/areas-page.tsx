import './areas-page.css';
import { useQuery } from '@tanstack/react-query';
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import type { AdminAreaDto } from '../../../../shared/schemas/admin-areas.ts';
import { ApiError, get, NetworkError, query } from '../../../api/client.ts';
import { bboxOfFeatures } from '../../../components/map/geo.ts';
import { LazyAreaMap } from '../../../components/map/lazy-area-map.tsx';
import type { MapFeature, MapFeatureCollection, MapLayer } from '../../../components/map/types.ts';

type Area = AdminAreaDto;

const REGION_COLOUR = '#1d4d3a';
const DISTRICT_COLOUR = '#8a4500';

/** The whole tree, every page of it: a country has tens to a few thousand areas. */
async function fetchAllAreas(signal: AbortSignal): Promise<Area[]> {
  const items: Area[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{ items: Area[]; nextCursor: string | null }>(
      `/admin-areas${query({ limit: 1000, cursor })}`,
      signal,
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

function fetchLevel(level: number, signal: AbortSignal): Promise<MapFeatureCollection> {
  return get<MapFeatureCollection>(`/admin-areas.geojson${query({ level })}`, signal);
}

/** Lower case without accents, so "sao" finds "São" and "ACCRA" finds "Greater Accra". */
function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLocaleLowerCase();
}

function useErrorText() {
  const { t } = useTranslation(['errors']);
  return (error: unknown) => {
    if (error instanceof ApiError) return t(`errors:${error.code}`, { defaultValue: t('errors:unknown') });
    if (error instanceof NetworkError) return t('errors:network');
    return t('errors:unknown');
  };
}

export default function AreasPage() {
  const { t, i18n } = useTranslation(['areas', 'common']);
  const errorText = useErrorText();
  const [params, setParams] = useSearchParams();
  const selectedId = params.get('area');
  const select = (id: string | null) => {
    setParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        if (id) next.set('area', id);
        else next.delete('area');
        return next;
      },
      { replace: true },
    );
  };

  const areas = useQuery({
    queryKey: ['admin-areas', 'all'],
    queryFn: ({ signal }) => fetchAllAreas(signal),
    staleTime: 3_600_000,
  });
  const byId = useMemo(() => new Map((areas.data ?? []).map((a) => [a.id, a])), [areas.data]);
  const nameOf = useCallback(
    (area: Area | undefined) => (area ? (area.names[i18n.language] ?? area.name) : ''),
    [i18n.language],
  );
  // Children in alphabetical order of the name the reader sees.
  const childrenOf = useMemo(() => {
    const map = new Map<string | null, Area[]>();
    const collator = new Intl.Collator(i18n.language, { numeric: true });
    for (const a of areas.data ?? []) map.set(a.parentId, [...(map.get(a.parentId) ?? []), a]);
    for (const list of map.values()) list.sort((a, b) => collator.compare(nameOf(a), nameOf(b)));
    return map;
  }, [areas.data, i18n.language, nameOf]);
  const selected = selectedId ? byId.get(selectedId) : undefined;

  // The level-1 area the selection lies in: its children are drawn on the map.
  const selectedRegion = useMemo(() => {
    let a = selected;
    while (a && a.level > 1) a = a.parentId ? byId.get(a.parentId) : undefined;
    return a?.level === 1 ? a : undefined;
  }, [selected, byId]);

  const regions = useQuery({
    queryKey: ['admin-areas.geojson', 1],
    queryFn: ({ signal }) => fetchLevel(1, signal),
    staleTime: 3_600_000,
  });
  const districts = useQuery({
    queryKey: ['admin-areas.geojson', 2],
    queryFn: ({ signal }) => fetchLevel(2, signal),
    staleTime: 3_600_000,
    enabled: selectedRegion !== undefined,
  });

  const layers = useMemo<MapLayer[]>(() => {
    const out: MapLayer[] = [];
    if (regions.data) {
      const levelName = regions.data.features[0]?.properties.levelName;
      out.push({
        id: 'regions',
        label: t(`areas:levelsPlural.${String(levelName ?? 'region')}`, { defaultValue: String(levelName) }),
        data: regions.data,
        colour: REGION_COLOUR,
        fillOpacity: 0.12,
        lineWidth: 1.5,
      });
    }
    if (selectedRegion && districts.data) {
      const features = districts.data.features.filter((f) => f.properties.parentId === selectedRegion.id);
      const levelName = features[0]?.properties.levelName;
      if (features.length > 0) {
        out.push({
          id: 'districts',
          label: t('areas:map.childrenOf', {
            children: t(`areas:levelsPlural.${String(levelName)}`, { defaultValue: String(levelName) }),
            name: nameOf(selectedRegion),
          }),
          data: { type: 'FeatureCollection', features },
          colour: DISTRICT_COLOUR,
          fillOpacity: 0.2,
          lineWidth: 2,
        });
      }
    }
    return out;
  }, [regions.data, districts.data, selectedRegion, t, nameOf]);

  const fitTo = useMemo(() => {
    if (!selectedRegion || !regions.data) return null;
    const feature = regions.data.features.find((f) => f.properties.id === selectedRegion.id);
    return feature ? bboxOfFeatures([feature]) : null;
  }, [selectedRegion, regions.data]);

  // Who drew the boundaries on screen: shown with the map, as their licences ask.
  const attribution = useMemo(() => {
    const levels = new Set([1, ...(selectedRegion ? [2] : [])]);
    const sources = new Set<string>();
    for (const a of areas.data ?? []) if (levels.has(a.level) && a.source) sources.add(a.source);
    return [...sources];
  }, [areas.data, selectedRegion]);

  const country = childrenOf.get(null)?.[0];

  return (
    <section aria-labelledby="areas-title" className="areas-page">
      <h1 id="areas-title">{t('areas:title')}</h1>
      <p className="lead">{t('areas:intro')}</p>
      {areas.isError && (
        <div className="form-error" role="alert">
          <p>{errorText(areas.error)}</p>
          <button type="button" className="button secondary" onClick={() => void areas.refetch()}>
            {t('common:actions.retry')}
          </button>
        </div>
      )}
      {regions.isError && !areas.isError && (
        <p className="form-error" role="alert">
          {t('areas:mapError')} {errorText(regions.error)}
        </p>
      )}
      <div className="areas-layout">
        <div className="areas-map">
          {regions.isPending ? (
            <div className="map areas-map-wait" role="status">
              {t('common:loading')}
            </div>
          ) : (
            <LazyAreaMap
              label={t('areas:map.label', { country: nameOf(country) })}
              layers={layers}
              selectedId={selectedId}
              onSelect={(f: MapFeature) => select(f.properties.id)}
              fitTo={fitTo}
              attribution={attribution}
              featureList={false}
              featureLabel={(f) => nameOf(byId.get(f.properties.id)) || f.properties.name}
              renderDetails={null}
            />
          )}
        </div>
        <AreaDetails area={selected} byId={byId} childrenOf={childrenOf} nameOf={nameOf} onSelect={select} />
        <div className="areas-tree">
          {areas.isPending ? (
            <p className="loading">{t('common:loading')}</p>
          ) : (
            <AreaTree
              roots={childrenOf.get(null) ?? []}
              childrenOf={childrenOf}
              byId={byId}
              selectedId={selectedId}
              onSelect={select}
              nameOf={nameOf}
            />
          )}
        </div>
      </div>
    </section>
  );
}

interface TreeProps {
  roots: Area[];
  childrenOf: Map<string | null, Area[]>;
  byId: Map<string, Area>;
  selectedId: string | null;
  onSelect: (id: string) => void;
  nameOf: (area: Area | undefined) => string;
}

/**
 * The area tree as nested lists of buttons: one selects the area, the other (aria-expanded) opens
 * its sub-areas. A filter narrows it to the matching areas and the areas that contain them.
 */
function AreaTree({ roots, childrenOf, byId, selectedId, onSelect, nameOf }: TreeProps) {
  const { t } = useTranslation('areas');
  const headingId = useId();
  const filterId = useId();
  const scrollRef = useRef<HTMLDivElement>(null);
  const [filter, setFilter] = useState('');
  const [expanded, setExpanded] = useState<Set<string>>(() => new Set(roots.map((r) => r.id)));

  // Open the way to the selection (from the map, a link or the details panel) and the selection itself.
  useEffect(() => {
    if (!selectedId) return;
    setExpanded((prev) => {
      const next = new Set(prev);
      for (let a = byId.get(selectedId); a; a = a.parentId ? byId.get(a.parentId) : undefined) next.add(a.id);
      return next.size === prev.size ? prev : next;
    });
  }, [selectedId, byId]);

  // Bring the selected row into view inside the tree's own scroll box, without scrolling the page.
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-run once the rows have opened
  useEffect(() => {
    const box = scrollRef.current;
    if (!box || !selectedId || box.scrollHeight <= box.clientHeight) return;
    const row = box.querySelector<HTMLElement>(`[data-area-id="${CSS.escape(selectedId)}"]`);
    if (!row) return;
    const b = box.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    if (r.top < b.top) box.scrollTop -= b.top - r.top + 8;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom + 8;
  }, [selectedId, expanded]);

  const needle = fold(filter.trim());
  // The matching areas, and every area that contains one (so the match shows in its place).
  const { visible, matches } = useMemo(() => {
    if (!needle) return { visible: null, matches: 0 };
    const keep = new Set<string>();
    let count = 0;
    for (const a of byId.values()) {
      const texts = [a.name, a.code, ...Object.values(a.names)];
      if (!texts.some((text) => fold(text).includes(needle))) continue;
      count += 1;
      for (let p: Area | undefined = a; p; p = p.parentId ? byId.get(p.parentId) : undefined) keep.add(p.id);
    }
    return { visible: keep, matches: count };
  }, [needle, byId]);

  const toggle = (id: string) =>
    setExpanded((prev) => {
      const next = new Set(prev);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const renderNodes = (nodes: Area[]) =>
    nodes
      .filter((a) => !visible || visible.has(a.id))
      .map((area) => {
        const kids = childrenOf.get(area.id) ?? [];
        const open = visible !== null || expanded.has(area.id);
        const groupId = `${headingId}-g-${area.id}`;
        const name = nameOf(area);
        const kidLevel = kids[0]?.levelName;
        return (
          <li key={area.id}>
            <div className="area-tree-row">
              {kids.length > 0 ? (
                <button
                  type="button"
                  className="area-tree-toggle"
                  aria-expanded={open}
                  aria-controls={groupId}
                  aria-label={t('tree.toggle', {
                    name,
                    children: t(`levelsPlural.${kidLevel}`, { defaultValue: kidLevel }),
                  })}
                  disabled={visible !== null}
                  onClick={() => toggle(area.id)}
                >
                  <svg aria-hidden="true" viewBox="0 0 16 16" width="16" height="16" focusable="false">
                    <path d="M5 3l6 5-6 5z" fill="currentColor" />
                  </svg>
                </button>
              ) : (
                <span className="area-tree-spacer" aria-hidden="true" />
              )}
              <button
                type="button"
                className="area-tree-item"
                data-area-id={area.id}
                aria-current={area.id === selectedId ? 'true' : undefined}
                onClick={() => onSelect(area.id)}
              >
                <span>{name}</span>
                <span className="area-tree-code">{area.code}</span>
                {area.isDemo && <span className="badge demo">{t('demo.badge')}</span>}
              </button>
            </div>
            {kids.length > 0 && (
              <ul id={groupId} hidden={!open}>
                {renderNodes(kids)}
              </ul>
            )}
          </li>
        );
      });

  return (
    <section aria-labelledby={headingId} className="panel area-tree">
      <h2 id={headingId}>{t('tree.title')}</h2>
      <div className="field">
        <label htmlFor={filterId}>{t('tree.filter')}</label>
        <input
          id={filterId}
          type="search"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-describedby={`${filterId}-count`}
          autoComplete="off"
        />
        <p id={`${filterId}-count`} className="hint" role="status">
          {visible ? t('tree.matches', { count: matches }) : t('tree.filterHint')}
        </p>
      </div>
      <div ref={scrollRef} className="area-tree-scroll">
        <ul className="area-tree-root">{renderNodes(roots)}</ul>
      </div>
    </section>
  );
}

interface DetailsProps {
  area: Area | undefined;
  byId: Map<string, Area>;
  childrenOf: Map<string | null, Area[]>;
  nameOf: (area: Area | undefined) => string;
  onSelect: (id: string) => void;
}

function AreaDetails({ area, byId, childrenOf, nameOf, onSelect }: DetailsProps) {
  const { t, i18n } = useTranslation('areas');
  const headingId = useId();
  const languageNames = useMemo(() => {
    try {
      return new Intl.DisplayNames([i18n.language], { type: 'language' });
    } catch {
      return null;
    }
  }, [i18n.language]);

  if (!area) {
    return (
      <section className="panel areas-details" aria-labelledby={headingId}>
        <h2 id={headingId}>{t('details.title')}</h2>
        <p>{t('details.none')}</p>
      </section>
    );
  }
  const parent = area.parentId ? byId.get(area.parentId) : undefined;
  const kids = childrenOf.get(area.id) ?? [];
  const kidLevel = kids[0]?.levelName;
  const names = Object.entries(area.names);

  return (
    <section className="panel areas-details" aria-labelledby={headingId}>
      <h2 id={headingId}>
        {nameOf(area)} {area.isDemo && <span className="badge demo">{t('demo.badge')}</span>}
      </h2>
      {area.isDemo && <p className="areas-demo-note">{t('demo.explanation')}</p>}
      <dl className="facts">
        <dt>{t('details.code')}</dt>
        <dd>
          <code>{area.code}</code>
        </dd>
        <dt>{t('details.names', { count: names.length })}</dt>
        <dd>
          {names.length > 1 ? (
            <ul className="areas-names">
              {names.map(([lang, text]) => (
                <li key={lang}>
                  <span lang={lang}>{text}</span>{' '}
                  <span className="areas-lang">({languageNames?.of(lang) ?? lang})</span>
                </li>
              ))}
            </ul>
          ) : (
            <span lang={names[0]?.[0]}>{names[0]?.[1] ?? area.name}</span>
          )}
        </dd>
        <dt>{t('details.level')}</dt>
        <dd>
          {t('details.levelValue', {
            name: t(`levels.${area.levelName}`, { defaultValue: area.levelName }),
            level: area.level,
          })}
        </dd>
        <dt>{t('details.parent')}</dt>
        <dd>
          {parent ? (
            <button type="button" className="link-button" onClick={() => onSelect(parent.id)}>
              {nameOf(parent)}
            </button>
          ) : (
            t('details.noParent')
          )}
        </dd>
        {kids.length > 0 && (
          <>
            <dt>{t('details.children')}</dt>
            <dd>
              {t('details.childrenValue', {
                n: kids.length,
                children: t(`levelsPlural.${kidLevel}`, { defaultValue: kidLevel }),
              })}
            </dd>
          </>
        )}
        <dt>{t('details.source')}</dt>
        <dd>{area.source ?? t('details.noSource')}</dd>
      </dl>
    </section>
  );
}
