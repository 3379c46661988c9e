import './cadastre.css';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { formatNumber } from '../../../shared/format.ts';

/** A problem of a geometry as the server reports it (cadastre.invalid_geometry, import problems). */
export interface GeometryProblemItem {
  code: string;
  /** Where in the GeoJSON: `geometry.coordinates[0][5]`, `properties.designationDate`… */
  path: string;
  /** [lon, lat] of the point concerned, or null. */
  position: readonly [number, number] | null;
  /** The server's English text: shown only for a code this client does not know yet. */
  message: string;
}

/**
 * The translated text of a problem code. Codes carry their family (`geometry.winding`,
 * `csv.not_a_number`, `property.invalid_date`), which is also where they sit in cadastre.json.
 */
export function useProblemText(): (code: string, fallback: string) => string {
  const { t } = useTranslation('cadastre');
  return useCallback(
    (code: string, fallback: string) =>
      /^(geometry|csv|property)\.[a-z_]+$/.test(code)
        ? t(`cadastre:${code}`, { defaultValue: fallback })
        : fallback,
    [t],
  );
}

/** "lat, lon" of a position, in the reader's number format; latitude first, as people say it. */
export function usePositionText(): (position: readonly [number, number] | null) => string {
  const { t, i18n } = useTranslation('cadastre');
  return useCallback(
    (position: readonly [number, number] | null) =>
      position
        ? t('cadastre:problems.position', {
            lat: formatNumber(i18n.language, position[1], 6),
            lon: formatNumber(i18n.language, position[0], 6),
          })
        : '',
    [t, i18n.language],
  );
}

/** Where a problem is: the path into the data, and the point when there is one. */
export function ProblemWhere({ problem }: { problem: Pick<GeometryProblemItem, 'path' | 'position'> }) {
  const positionText = usePositionText();
  return (
    <>
      <code dir="ltr">{problem.path}</code>
      {problem.position && (
        <>
          {' '}
          <span dir="ltr">({positionText(problem.position)})</span>
        </>
      )}
    </>
  );
}

/**
 * The problems of one drawn or uploaded area, each translated and located. Used by the layer import
 * and by the review of an application whose area was refused (cadastre.invalid_geometry).
 */
export function GeometryProblems({ problems }: { problems: readonly GeometryProblemItem[] }) {
  const { t } = useTranslation('cadastre');
  const problemText = useProblemText();
  if (problems.length === 0) return null;
  return (
    <ul className="geometry-problems">
      {problems.map((p, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list from one answer; codes repeat
        <li key={i}>
          <strong>{problemText(p.code, p.message)}</strong>{' '}
          <span className="hint">
            {t('cadastre:problems.where')} <ProblemWhere problem={p} />
          </span>
        </li>
      ))}
    </ul>
  );
}
