import { useId, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { CheckResult } from '../../../shared/schemas/cadastre.ts';
import type { AreaCheckSummary } from '../../../shared/schemas/licensing.ts';

/** What a fresh check and a stored one have in common. */
type ShownCheck = Pick<
  CheckResult,
  'appliedAreaM2' | 'overlaps' | 'rules' | 'passed' | 'repairsApplied' | 'grid'
> & {
  free: { areaM2: number; percentOfApplied: number };
};

type Rule = ShownCheck['rules'][number];
const HECTARE = 10_000;
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);

/**
 * The check of an applied area in words and a table: each rule of the profile met or not with its
 * figures, every overlapped feature with m² and share of the area, and the free part. Shown for the
 * stored check (with when it ran) and for a drawing checked before it is saved.
 */
export function CheckSummary({
  check,
  preview,
  checkedAt,
}: {
  check: ShownCheck | AreaCheckSummary;
  preview: boolean;
  checkedAt: string | null;
}) {
  const { t, i18n } = useTranslation(['licensing', 'cadastre']);
  const id = useId();
  const grid = check.grid;
  const shared = new Map((grid?.overlaps ?? []).map((o) => [o.featureId, o.sharedCellCount]));
  const n = useMemo(
    () => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 2 }),
    [i18n.language],
  );
  const m2 = useMemo(
    () => new Intl.NumberFormat(i18n.language, { maximumFractionDigits: 0 }),
    [i18n.language],
  );
  const when = checkedAt
    ? new Intl.DateTimeFormat(i18n.language, { dateStyle: 'medium', timeStyle: 'short' }).format(
        new Date(checkedAt),
      )
    : null;

  const ruleText = (r: Rule): string => {
    const d = r.detail;
    switch (r.code) {
      case 'max_area':
        return t('licensing:area.ruleDetail.max_area', {
          applied: n.format(num(d.appliedHectares)),
          max: n.format(num(d.maxAreaHectares)),
        });
      case 'inside_designated_zone':
        return t('licensing:area.ruleDetail.inside_designated_zone', {
          outside: n.format(num(d.outsideZoneM2) / HECTARE),
        });
      case 'no_active_right':
        return t('licensing:area.ruleDetail.no_active_right', {
          overlap: n.format(num(d.overlapM2) / HECTARE),
        });
      case 'protected_area_buffer': {
        const within = Array.isArray(d.within)
          ? (d.within as { name?: string | null; distanceMetres?: number }[])
          : [];
        const nearest = within[0];
        return nearest
          ? t('cadastre:rules.protected_area_buffer_within', {
              name: nearest.name ?? t('licensing:area.unnamed'),
              distance: m2.format(num(nearest.distanceMetres)),
              buffer: m2.format(num(d.bufferMetres)),
            })
          : t('licensing:area.ruleDetail.protected_area_buffer', {
              overlap: n.format(num(d.overlapM2) / HECTARE),
              buffer: m2.format(num(d.bufferMetres)),
            });
      }
      default:
        return '';
    }
  };

  return (
    <div className="area-check">
      <h3 id={`${id}-title`}>
        {preview ? t('licensing:area.previewTitle') : t('licensing:area.checkTitle')}{' '}
        <span className={`badge ${check.passed ? 'ok' : 'warn'}`}>
          {check.passed ? t('licensing:area.passed') : t('licensing:area.notPassed')}
        </span>
      </h3>
      {when && <p className="hint">{t('licensing:area.checkedAt', { when })}</p>}
      {preview && <p>{t('licensing:area.previewText')}</p>}
      <p>
        {t('licensing:area.appliedSize', {
          hectares: n.format(check.appliedAreaM2 / HECTARE),
          free: n.format(check.free.areaM2 / HECTARE),
          percent: n.format(check.free.percentOfApplied),
        })}
      </p>
      {check.repairsApplied.length > 0 && <p className="hint">{t('licensing:area.repaired')}</p>}
      {grid && (
        <p>
          {grid.source === 'geometry' ? t('cadastre:grid.fromDrawing') : t('cadastre:grid.fromCells')}{' '}
          {t('cadastre:grid.cellCount')}: {n.format(grid.cellCount)}.
        </p>
      )}
      <ul className="area-rules" aria-labelledby={`${id}-title`}>
        {check.rules.map((r) => (
          <li key={r.code} className={r.passed ? 'ok' : 'failed'}>
            <strong>
              {r.passed ? '✓' : '✗'} {t(`licensing:area.rules.${r.code}`)}
            </strong>{' '}
            <span>{ruleText(r)}</span>
          </li>
        ))}
      </ul>
      {check.overlaps.length === 0 ? (
        <p>{t('licensing:area.noOverlaps')}</p>
      ) : (
        <div className="table-scroll">
          <table aria-labelledby={`${id}-overlaps`}>
            <caption id={`${id}-overlaps`}>
              {t('licensing:area.overlapsCaption', { count: check.overlaps.length })}
            </caption>
            <thead>
              <tr>
                <th scope="col">{t('licensing:area.columns.layer')}</th>
                <th scope="col">{t('licensing:area.columns.name')}</th>
                <th scope="col">{t('licensing:area.columns.status')}</th>
                <th scope="col" className="number">
                  {t('licensing:area.columns.overlapM2')}
                </th>
                <th scope="col" className="number">
                  {t('licensing:area.columns.percent')}
                </th>
                {grid && (
                  <th scope="col" className="number">
                    {t('cadastre:grid.sharedCells')}
                  </th>
                )}
              </tr>
            </thead>
            <tbody>
              {check.overlaps.map((o) => (
                <tr key={o.featureId}>
                  <td>{t(`licensing:area.kinds.${o.layerKind}`)}</td>
                  <td>
                    {[o.name, o.externalRef].filter(Boolean).join(' · ') || t('licensing:area.unnamed')}
                  </td>
                  <td>{o.status}</td>
                  <td className="number">{m2.format(o.overlapM2)}</td>
                  <td className="number">{n.format(o.percentOfApplied)} %</td>
                  {grid && <td className="number">{n.format(shared.get(o.featureId) ?? 0)}</td>}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
