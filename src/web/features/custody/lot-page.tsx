import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDateTime, formatFineness } from '../../../shared/format.ts';
import type { LotDto } from '../../../shared/schemas/custody.ts';
import { get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { HolderName } from '../licensing/licensing-common.tsx';
import { LotStatusBadge, MineralName, problemKey, useActors, useMass } from './custody-common.tsx';
import { EligibilityLine, LotReportLinks } from './due-diligence.tsx';
import { LotActions } from './lot-actions.tsx';
import { LotHistory } from './lot-history.tsx';
import { LotTrace } from './lot-trace.tsx';

/** One lot: its facts and tag, what can be done with it, its history and its trace. */
export default function LotPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['custody', 'errors', 'common']);
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const mass = useMass();
  const actors = useActors();
  const arrived = (location.state as { notice?: string } | null)?.notice ?? null;
  const [notice, setNotice] = useState<string | null>(arrived);

  // The notice of the screen that sent us here is shown once, not again after a reload.
  useEffect(() => {
    if (arrived) {
      setNotice(arrived);
      navigate({ pathname: location.pathname }, { replace: true, state: null });
    }
  }, [arrived, location.pathname, navigate]);

  const result = useQuery({
    queryKey: ['custody-lot', id],
    queryFn: ({ signal }) => get<LotDto>(`/lots/${id}`, signal),
  });
  const tag = result.data?.tag;
  const title = tag ? t('custody:lot.title', { tag }) : t('custody:lot.titleLoading');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        <p>
          <Link to="/custody/lots">{t('custody:backToLots')}</Link>
        </p>
        <h1>{t('custody:lot.titleLoading')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }
  const lot = result.data;
  const holder = actors.data?.find((a) => a.id === lot.holderActorId);

  const changed = (message: string) => {
    setNotice(message);
    void queryClient.invalidateQueries({ queryKey: ['custody-lot'] });
    void queryClient.invalidateQueries({ queryKey: ['custody-lot-events'] });
    void queryClient.invalidateQueries({ queryKey: ['custody-trace'] });
    void queryClient.invalidateQueries({ queryKey: ['custody-eligibility'] });
    void queryClient.invalidateQueries({ queryKey: ['custody-lots-of'] });
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/lots') });
  };

  return (
    <section aria-labelledby="lot-title" className="custody-page">
      <p>
        <Link to="/custody/lots">{t('custody:backToLots')}</Link>
      </p>
      <h1 id="lot-title">
        {t('custody:lot.heading')} <LotStatusBadge status={lot.status} />
      </h1>
      <TagLine tag={lot.tag} />
      <div role="status">{notice && <p className="notice">{t(notice)}</p>}</div>

      <dl className="facts">
        <dt>{t('custody:fields.mineral')}</dt>
        <dd>
          <MineralName code={lot.mineral} />
        </dd>
        <dt>{t('custody:fields.form')}</dt>
        <dd>{t(`custody:forms.${lot.form}`)}</dd>
        <dt>{t('custody:fields.mass')}</dt>
        <dd>{mass(lot.massMg)}</dd>
        <dt>{t('custody:fields.fineness')}</dt>
        <dd>
          {lot.finenessPtt === null
            ? t('custody:lot.unknown')
            : formatFineness(i18n.language, lot.finenessPtt)}
        </dd>
        <dt>{t('custody:fields.holder')}</dt>
        <dd>
          {lot.holderName}
          {holder && ` (${t(`custody:actorKinds.${holder.kind}`)})`}
        </dd>
        <dt>{t('custody:fields.status')}</dt>
        <dd>{t(`custody:lotStatuses.${lot.status}`)}</dd>
        <dt>{t('custody:fields.origin')}</dt>
        <dd>
          {lot.originSiteId ? (
            <HolderName kind="production_unit" id={lot.originSiteId} link />
          ) : (
            t('custody:lot.fromOtherLots')
          )}
        </dd>
        <dt>{t('custody:fields.createdAt')}</dt>
        <dd>{formatDateTime(i18n.language, lot.createdAt)}</dd>
      </dl>
      <p className="actions">
        <a
          className="button secondary"
          href={`/api/v1/lots/${lot.id}/label.pdf`}
          download={`lot-${lot.tag}.pdf`}
        >
          {t('custody:lot.label')}
        </a>
        <LotReportLinks lot={lot} />
      </p>
      <EligibilityLine lotId={lot.id} />

      {can('custody.record') && lot.status === 'open' && holder && (
        <LotActions lot={lot} holder={holder} actors={actors.data ?? []} onChanged={changed} />
      )}

      <LotHistory lotId={lot.id} onConfirmed={() => changed('custody:history.confirmed')} />
      <LotTrace lot={lot} />
    </section>
  );
}

/** The tag, large enough to read off a label, with a button to copy it. */
function TagLine({ tag }: { tag: string }) {
  const { t } = useTranslation('custody');
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  async function copy() {
    try {
      await navigator.clipboard.writeText(tag);
      setCopied('yes');
    } catch {
      // Without clipboard access (plain http, old browsers) the tag can still be selected by hand.
      setCopied('no');
    }
  }
  return (
    <div className="tag-line">
      <span className="lot-tag" dir="ltr" data-testid="lot-tag">
        {tag}
      </span>
      <button type="button" className="button secondary" onClick={() => void copy()}>
        {t('custody:lot.copyTag')}
      </button>
      <span role="status">
        {copied === 'yes' ? t('custody:lot.copied') : copied === 'no' ? t('custody:lot.copyFailed') : ''}
      </span>
    </div>
  );
}
