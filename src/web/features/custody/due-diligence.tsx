import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { LotDto } from '../../../shared/schemas/custody.ts';
import type { EligibilityDto } from '../../../shared/schemas/due-diligence.ts';
import { get } from '../../api/client.ts';

/** Reasons shown on the lot page; the report lists them all. */
const SHOWN_REASONS = 3;

/** The due-diligence report of a lot, printed or as data (the same content and hash). */
export function LotReportLinks({ lot }: { lot: LotDto }) {
  const { t } = useTranslation('due-diligence');
  return (
    <>
      <a
        className="button secondary"
        href={`/api/v1/lots/${lot.id}/due-diligence.pdf`}
        download={`due-diligence-${lot.tag}.pdf`}
      >
        {t('due-diligence:reportPdf')}
      </a>
      <a
        className="button secondary"
        href={`/api/v1/lots/${lot.id}/due-diligence`}
        target="_blank"
        rel="noopener noreferrer"
      >
        {t('due-diligence:reportJson')}
      </a>
    </>
  );
}

/** Whether an exporter may take the lot under the country's rules, and the first reasons why not. */
export function EligibilityLine({ lotId }: { lotId: string }) {
  const { t } = useTranslation('due-diligence');
  const result = useQuery({
    queryKey: ['custody-eligibility', lotId],
    queryFn: ({ signal }) => get<EligibilityDto>(`/lots/${lotId}/eligibility?buyerKind=exporter`, signal),
  });
  const label = <strong>{t('due-diligence:eligibility.label')}: </strong>;
  if (result.isPending)
    return (
      <p data-testid="eligibility">
        {label}
        {t('due-diligence:eligibility.loading')}
      </p>
    );
  if (result.isError)
    return (
      <p data-testid="eligibility">
        {label}
        {t('due-diligence:eligibility.failed')}
      </p>
    );
  const e = result.data;
  if (e.eligible)
    return (
      <p data-testid="eligibility">
        {label}
        <span className="badge ok">{t('due-diligence:eligibility.eligible')}</span>
      </p>
    );
  const unknown = t('due-diligence:eligibility.unknown');
  const more = e.reasons.length - SHOWN_REASONS + e.reasonsMore;
  return (
    <div data-testid="eligibility">
      <p>
        {label}
        <span className="badge off">{t('due-diligence:eligibility.notEligible')}</span>
      </p>
      <ul>
        {e.reasons.slice(0, SHOWN_REASONS).map((r) => (
          <li key={`${r.code} ${r.siteId ?? ''} ${r.incidentId ?? ''} ${r.level ?? ''}`}>
            {t(`due-diligence:eligibility.reasons.${r.code}`, {
              tag: r.lotTag ?? unknown,
              site: r.siteName ?? unknown,
            })}
          </li>
        ))}
        {more > 0 && <li>{t('due-diligence:eligibility.more', { count: more })}</li>}
      </ul>
    </div>
  );
}
