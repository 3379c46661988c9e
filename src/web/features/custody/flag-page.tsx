import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { formatDateTime } from '../../../shared/format.ts';
import { type FlagDto, resolveFlagBody } from '../../../shared/schemas/custody-oversight.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { TextAreaField } from '../registry/registry-shared.tsx';
import { problemKey } from './custody-common.tsx';
import { Concerns, EvidenceView, FlagStatusBadge, useFlagReason } from './oversight-common.tsx';

/** One risk flag: why it was raised, on what evidence, and how it was resolved (or resolving it). */
export default function FlagPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['custody-oversight', 'errors', 'common']);
  const { can } = useSession();
  const reason = useFlagReason();
  const [notice, setNotice] = useState(false);
  const result = useQuery({
    queryKey: ['custody-flag', id],
    queryFn: ({ signal }) => get<FlagDto>(`/custody/flags/${id}`, signal),
  });
  const title = result.data
    ? t('custody-oversight:flag.title', { kind: t(`custody-oversight:codes.${result.data.code}`) })
    : t('custody-oversight:flag.heading');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const back = (
    <p>
      <Link to="/custody/flags">{t('custody-oversight:flag.back')}</Link>
    </p>
  );
  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        {back}
        <h1>{t('custody-oversight:flag.heading')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }
  const flag = result.data;

  return (
    <section aria-labelledby="flag-title" className="custody-page">
      {back}
      <h1 id="flag-title">
        {title} <FlagStatusBadge status={flag.status} />
      </h1>
      <div role="status">{notice && <p className="notice">{t('custody-oversight:flag.resolved')}</p>}</div>
      <p className="lead">{reason(flag)}</p>
      <dl className="facts">
        <dt>{t('custody-oversight:fields.kind')}</dt>
        <dd>{t(`custody-oversight:codes.${flag.code}`)}</dd>
        <dt>{t('custody-oversight:fields.status')}</dt>
        <dd>{t(`custody-oversight:flagStatuses.${flag.status}`)}</dd>
        <dt>{t('custody-oversight:fields.raisedAt')}</dt>
        <dd>{formatDateTime(i18n.language, flag.raisedAt)}</dd>
        <dt>{t('custody-oversight:fields.area')}</dt>
        <dd>
          <AreaName id={flag.areaId} />
        </dd>
        <dt>{t('custody-oversight:fields.concerns')}</dt>
        <dd>
          <Concerns
            lotId={flag.lotId}
            actorId={flag.actorId}
            siteId={flag.siteId}
            incidentId={flag.incidentId}
          />
        </dd>
      </dl>

      <section className="panel" aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t('custody-oversight:flag.evidence')}</h2>
        <p className="hint">{t('custody-oversight:flag.evidenceHint')}</p>
        <EvidenceView value={flag.evidence} />
      </section>

      {flag.status === 'resolved' ? (
        <section className="panel" aria-labelledby="resolution-title">
          <h2 id="resolution-title">{t('custody-oversight:flag.resolution')}</h2>
          {flag.resolvedAt && (
            <p>
              {t('custody-oversight:flag.resolvedAt', { at: formatDateTime(i18n.language, flag.resolvedAt) })}
            </p>
          )}
          <p className="pre-line">{flag.resolution}</p>
        </section>
      ) : can('incidents.manage') ? (
        <ResolveForm flag={flag} onResolved={() => setNotice(true)} />
      ) : (
        <p className="hint">{t('custody-oversight:flag.onlyManagers')}</p>
      )}
    </section>
  );
}

function ResolveForm({ flag, onResolved }: { flag: FlagDto; onResolved(): void }) {
  const { t } = useTranslation(['custody-oversight', 'forms', 'errors']);
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const initial = useMemo(() => ({ reason: '' }), []);
  const form = useZodForm(resolveFlagBody, initial);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<FlagDto>(`/custody/flags/${flag.id}/resolve`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      queryClient.setQueryData(['custody-flag', flag.id], res.data);
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/flags') });
      onResolved();
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form.formRef} className="panel" aria-labelledby="resolve-title" onSubmit={submit} noValidate>
      <h2 id="resolve-title">{t('custody-oversight:flag.resolve')}</h2>
      <FormError>{form.formError}</FormError>
      <TextAreaField
        label={t('custody-oversight:flag.reasonLabel')}
        hint={t('custody-oversight:flag.reasonHint')}
        maxLength={2000}
        {...form.bind('reason')}
      />
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody-oversight:flag.resolveSubmit')}
      </button>
    </form>
  );
}
