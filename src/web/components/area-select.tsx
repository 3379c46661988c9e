import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useId } from 'react';
import { useTranslation } from 'react-i18next';
import type { AdminAreaDto } from '../../shared/schemas/admin-areas.ts';
import { get, query } from '../api/client.ts';

/**
 * Choosing an admin area in two steps: a region (province…), then one of its districts (territories…),
 * each a labelled select in a fieldset named by `label`. The value is the most precise area chosen:
 * a district, or a whole region, or (with allowCountry) the whole country; '' when none.
 */
export interface AreaSelectProps {
  /** Names the group (a legend), e.g. "Office area". */
  label: string;
  /** The chosen area's id, or ''. */
  value: string;
  onChange(areaId: string): void;
  hint?: string;
  error?: string | undefined;
  /** Offer the whole country in the first select (national accounts). */
  allowCountry?: boolean;
  /** Text of the empty choice of the first select; a "Choose…" text by default. */
  emptyLabel?: string;
  /** 1: regions only; 2 (default): regions, then districts. */
  depth?: 1 | 2;
  /** Id of the first select, for a label or error summary pointing at it. */
  id?: string;
  optional?: boolean;
  disabled?: boolean;
}

type Area = AdminAreaDto;

const AREA_STALE = 3_600_000;

/** Every page of an area list (the server pages at 1000; a level is rarely that long). */
async function allAreas(params: Record<string, string | number>, signal: AbortSignal): Promise<Area[]> {
  const out: Area[] = [];
  let cursor: string | undefined;
  do {
    const page = await get<{ items: Area[]; nextCursor: string | null }>(
      `/admin-areas${query({ ...params, limit: 1000, cursor })}`,
      signal,
    );
    out.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return out;
}

/** An area list at one level or under one parent; its areas also fill the one-area cache (AreaName). */
function useAreaList(params: Record<string, string | number> | null) {
  const queryClient = useQueryClient();
  const result = useQuery({
    queryKey: ['admin-areas', params],
    queryFn: ({ signal }) => allAreas(params!, signal),
    enabled: params !== null,
    staleTime: AREA_STALE,
  });
  useEffect(() => {
    for (const a of result.data ?? []) {
      if (!queryClient.getQueryData(['admin-area', a.id])) queryClient.setQueryData(['admin-area', a.id], a);
    }
  }, [result.data, queryClient]);
  return result;
}

/** The name of an area in the interface language, when the profile gives one. */
export function areaLabel(area: Pick<Area, 'name' | 'names'>, language: string): string {
  return area.names[language] ?? area.name;
}

export function AreaSelect({
  label,
  value,
  onChange,
  hint,
  error,
  allowCountry = false,
  emptyLabel,
  depth = 2,
  id,
  optional = false,
  disabled = false,
}: AreaSelectProps) {
  const { t, i18n } = useTranslation('forms');
  const language = i18n.language;
  const autoId = useId();
  const firstId = id ?? `${autoId}-region`;
  const secondId = `${autoId}-district`;
  const hintId = hint ? `${autoId}-hint` : undefined;
  const errorId = error ? `${autoId}-error` : undefined;
  const describedBy = [errorId, hintId].filter(Boolean).join(' ') || undefined;

  const countries = useAreaList(allowCountry ? { level: 0 } : null);
  const regions = useAreaList({ level: 1 });
  // The chosen area tells which region (and district) the selects show.
  const chosen = useQuery({
    queryKey: ['admin-area', value],
    queryFn: ({ signal }) => get<Area>(`/admin-areas/${value}`, signal),
    enabled: value !== '',
    staleTime: AREA_STALE,
  });
  const area = value !== '' ? chosen.data : undefined;
  const firstValue = area ? (area.level <= 1 ? area.id : (area.parentId ?? '')) : '';
  const secondValue = area && area.level >= 2 ? area.id : firstValue;
  const regionId = area && area.level === 1 ? area.id : area && area.level >= 2 ? (area.parentId ?? '') : '';
  const districts = useAreaList(depth === 2 && regionId ? { parentId: regionId } : null);

  const byName = (a: Area, b: Area) => areaLabel(a, language).localeCompare(areaLabel(b, language), language);
  const regionOptions = [...(regions.data ?? [])].sort(byName);
  const districtOptions = [...(districts.data ?? [])].sort(byName);
  const region = regions.data?.find((r) => r.id === regionId);

  const levelName = (key: string | undefined, fallback: 'forms:area.region' | 'forms:area.district') =>
    key ? t(`forms:area.levels.${key}`, { defaultValue: t(fallback) }) : t(fallback);
  const firstLabel = levelName(regionOptions[0]?.levelName, 'forms:area.region');
  const secondLabel = levelName(districtOptions[0]?.levelName, 'forms:area.district');
  const loadFailed = regions.isError || countries.isError || districts.isError;

  return (
    <fieldset
      className="field area-select"
      aria-describedby={describedBy}
      style={{ border: 0, padding: 0, marginInline: 0, marginTop: 0, minWidth: 0 }}
    >
      <legend style={{ fontWeight: 600, padding: 0, marginBottom: '0.25rem' }}>
        {label}
        {optional && <span className="hint"> {t('forms:optional')}</span>}
      </legend>
      {hint && (
        <p id={hintId} className="hint">
          {hint}
        </p>
      )}
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: '0 0.75rem' }}>
        <div className="field" style={{ marginBottom: 0 }}>
          <label htmlFor={firstId} style={{ fontWeight: 400 }}>
            {firstLabel}
          </label>
          <select
            id={firstId}
            value={firstValue}
            disabled={disabled || regions.isPending || (value !== '' && chosen.isPending)}
            onChange={(e) => onChange(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={describedBy}
          >
            <option value="">{emptyLabel ?? t('forms:area.choose')}</option>
            {(countries.data ?? []).map((c) => (
              <option key={c.id} value={c.id}>
                {t('forms:area.wholeCountry', { name: areaLabel(c, language) })}
              </option>
            ))}
            {regionOptions.map((r) => (
              <option key={r.id} value={r.id}>
                {areaLabel(r, language)}
              </option>
            ))}
          </select>
        </div>
        {depth === 2 && (
          <div className="field" style={{ marginBottom: 0 }}>
            <label htmlFor={secondId} style={{ fontWeight: 400 }}>
              {secondLabel}
            </label>
            <select
              id={secondId}
              value={regionId ? secondValue : ''}
              disabled={disabled || !regionId || districts.isPending}
              onChange={(e) => onChange(e.target.value)}
              aria-invalid={error && regionId ? true : undefined}
              aria-describedby={describedBy}
            >
              {regionId && region ? (
                <option value={regionId}>
                  {t('forms:area.wholeRegion', { name: areaLabel(region, language) })}
                </option>
              ) : (
                <option value="">{t('forms:area.chooseFirst')}</option>
              )}
              {districtOptions.map((d) => (
                <option key={d.id} value={d.id}>
                  {areaLabel(d, language)}
                </option>
              ))}
            </select>
          </div>
        )}
      </div>
      {loadFailed && (
        <p className="field-error" role="alert">
          {t('forms:area.loadFailed')}
        </p>
      )}
      {error && (
        <p id={errorId} className="field-error">
          {error}
        </p>
      )}
    </fieldset>
  );
}
