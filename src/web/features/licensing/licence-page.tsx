import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import type { LicenceCardDto } from '../../../shared/schemas/licence-cards.ts';
import type { LicenceDto } from '../../../shared/schemas/licensing.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField } from '../../components/form.tsx';
import { LicenceCardPreview } from './licence-card.tsx';
import { LicenceConditions } from './licence-conditions.tsx';
import { EventHistory, historyKey } from './licence-history.tsx';
import { LicenceNextTier } from './licence-next-tier.tsx';
import { LicenceRenewal } from './licence-renewal.tsx';
import { EncumbranceRegister, LicenceTransfers } from './licence-rights.tsx';
import {
  formatDay,
  type HolderKind,
  HolderName,
  problemKey,
  StatusBadge,
  TierName,
  useTiers,
} from './licensing-common.tsx';

type Message = { key: string } | null;
type Action = 'suspend' | 'reinstate' | 'revoke';

/** What can be done to a licence in each status (the server's table, for the choices shown). */
const ACTIONS: Record<LicenceDto['status'], Action[]> = {
  active: ['suspend', 'revoke'],
  suspended: ['reinstate', 'revoke'],
  revoked: [],
  expired: [],
};
const REASON_REQUIRED: Record<Action, boolean> = { suspend: true, reinstate: false, revoke: true };

/** One licence: its facts, suspend / reinstate / revoke with a reason, and its card. */
export default function LicencePage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['licensing', 'errors', 'common']);
  const { can } = useSession();
  const { tier } = useTiers();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const issued = Boolean((location.state as { issued?: boolean } | null)?.issued);
  const [notice, setNotice] = useState<Message>(issued ? { key: 'licensing:licence.issued' } : null);
  const [alert, setAlert] = useState<Message>(null);
  const [showCard, setShowCard] = useState(false);
  const locale = i18n.language;

  useEffect(() => {
    if (issued) navigate({ pathname: location.pathname }, { replace: true, state: null });
  }, [issued, location.pathname, navigate]);

  const result = useQuery({
    queryKey: ['licence', id],
    queryFn: ({ signal }) => get<LicenceDto>(`/licences/${id}`, signal),
  });
  const number = result.data?.number;
  const title = number ? t('licensing:licence.title', { number }) : t('licensing:licence.titleLoading');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        <p>
          <Link to="/licensing/licences">{t('licensing:backToLicences')}</Link>
        </p>
        <h1>{t('licensing:licence.titleLoading')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }
  const l = result.data;
  const tierDef = tier(l.tierCode);
  // The rights the tier grants, as the profile says (the server refuses with right_not_granted).
  const grants = (code: string) => Boolean(tierDef?.incentives.some((i) => i.code === code));
  const decide = can('licensing.decide');
  const licenceChanged = (next: LicenceDto) => {
    queryClient.setQueryData(['licence', id], next);
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/licences') });
    void queryClient.invalidateQueries({ queryKey: ['licence-card', id] });
    void queryClient.invalidateQueries({ queryKey: historyKey('licence', id) });
    void queryClient.invalidateQueries({ queryKey: ['licence-next-tier', id] });
  };

  return (
    <section aria-labelledby="licence-title" className="licensing-page">
      <p>
        <Link to="/licensing/licences">{t('licensing:backToLicences')}</Link>
      </p>
      <h1 id="licence-title">
        <span dir="ltr">{title}</span> <StatusBadge kind="licence" status={l.status} />
      </h1>
      <div role="status">{notice && <p className="notice">{t(notice.key)}</p>}</div>
      <FormError>{alert && t(alert.key, { defaultValue: t('errors:unknown') })}</FormError>

      <dl className="facts">
        <dt>{t('licensing:fields.number')}</dt>
        <dd dir="ltr">{l.number}</dd>
        <dt>{t('licensing:fields.holder')}</dt>
        <dd>
          <HolderName kind={l.holderKind} id={l.holderId} link />
        </dd>
        <dt>{t('licensing:fields.tier')}</dt>
        <dd>
          <TierName code={l.tierCode} />
        </dd>
        <dt>{t('licensing:fields.area')}</dt>
        <dd>
          <AreaName id={l.areaId} />
        </dd>
        <dt>{t('licensing:fields.validity')}</dt>
        <dd>
          {t('licensing:licence.fromTo', {
            from: formatDay(locale, l.validFrom),
            to: formatDay(locale, l.validTo),
          })}
        </dd>
        <dt>{t('licensing:fields.status')}</dt>
        <dd>{t(`licensing:statuses.licence.${l.status}`)}</dd>
        <dt>{t('licensing:fields.application')}</dt>
        <dd>
          <Link to={`/licensing/applications/${l.applicationId}`}>
            {t('licensing:licence.openApplication')}
          </Link>
        </dd>
      </dl>

      <section className="panel" aria-labelledby="card-title">
        <h2 id="card-title">{t('licensing:card.title')}</h2>
        {showCard ? (
          <CardSection licenceId={l.id} number={l.number} />
        ) : (
          <button type="button" className="button primary" onClick={() => setShowCard(true)}>
            {t('licensing:card.print')}
          </button>
        )}
      </section>

      {can('logbooks.read') && (
        <section className="panel" aria-labelledby="logbook-title">
          <h2 id="logbook-title">{t('licensing:logbook.title')}</h2>
          <p>{t('licensing:logbook.panelText')}</p>
          <p className="actions">
            {can('logbooks.record') && (
              <Link to={`/licensing/licences/${l.id}/logbook`} className="button primary">
                {t('licensing:logbook.open')}
              </Link>
            )}{' '}
            <a href={`/api/v1/licences/${l.id}/logbook.pdf`} className="button secondary">
              {t('licensing:logbook.blankPdf')}
            </a>
          </p>
        </section>
      )}

      {can('licensing.apply') && <LicenceRenewal licence={l} />}

      <LicenceConditions licenceId={l.id} decide={decide} />

      {grants('mortgage_right') && (
        <EncumbranceRegister licence={l} decide={decide} defaultCurrency={tierDef?.fee.currency ?? ''} />
      )}
      <LicenceTransfers
        licence={l}
        decide={decide}
        holderKinds={(tierDef?.holderKinds ?? []) as HolderKind[]}
        showForm={grants('transfer_right')}
        onTransferred={licenceChanged}
      />

      <LicenceNextTier licence={l} apply={can('licensing.apply')} />

      {decide && ACTIONS[l.status].length > 0 && (
        <StatusChange
          licence={l}
          onDone={(next, action) => {
            licenceChanged(next);
            setAlert(null);
            setNotice({ key: `licensing:licence.done.${action}` });
          }}
          onFail={(err) => {
            setNotice(null);
            setAlert({ key: problemKey(err) });
          }}
        />
      )}

      <EventHistory kind="licence" id={l.id} />
    </section>
  );
}

function CardSection({ licenceId, number }: { licenceId: string; number: string }) {
  const { t } = useTranslation(['licensing', 'errors']);
  const card = useQuery({
    queryKey: ['licence-card', licenceId],
    queryFn: ({ signal }) => get<LicenceCardDto>(`/licences/${licenceId}/card`, signal),
  });
  return (
    <>
      {card.isPending && <p className="loading">{t('licensing:card.preparing')}</p>}
      {card.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(card.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {card.data && <LicenceCardPreview card={card.data} />}
      <p className="actions">
        <a
          className="button primary"
          href={`/api/v1/licences/${licenceId}/card.pdf`}
          download={`licence-${number}.pdf`}
        >
          {t('licensing:card.downloadPdf')}
        </a>
        {card.data && (
          <button type="button" className="button secondary" onClick={() => window.print()}>
            {t('licensing:card.printPage')}
          </button>
        )}
      </p>
    </>
  );
}

/** Suspend, reinstate or revoke: the action, a reason when it needs one, then apply. */
function StatusChange({
  licence,
  onDone,
  onFail,
}: {
  licence: LicenceDto;
  onDone(next: LicenceDto, action: Action): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation(['licensing', 'forms']);
  const allowed = ACTIONS[licence.status];
  const [action, setAction] = useState<Action>(allowed[0]!);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  const reasonId = useId();
  const current = allowed.includes(action) ? action : allowed[0]!;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (REASON_REQUIRED[current] && reason.trim() === '') {
      setReasonError(true);
      document.getElementById(reasonId)?.focus();
      return;
    }
    setBusy(true);
    try {
      const res = await api<LicenceDto>(`/licences/${licence.id}/${current}`, {
        method: 'POST',
        body: reason.trim() ? { reason: reason.trim() } : {},
      });
      setReason('');
      onDone(res.data, current);
    } catch (err) {
      onFail(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h2 id={headingId}>{t('licensing:licence.changeTitle')}</h2>
      <SelectField
        label={t('licensing:licence.action')}
        value={current}
        options={allowed.map((a) => ({ value: a, label: t(`licensing:licence.actions.${a}`) }))}
        onChange={(v) => setAction(v as Action)}
      />
      <div className="field">
        <label htmlFor={reasonId}>
          {t('licensing:licence.reason')}
          {!REASON_REQUIRED[current] && <span className="hint"> {t('forms:optional')}</span>}
        </label>
        <textarea
          id={reasonId}
          rows={3}
          maxLength={2000}
          value={reason}
          aria-invalid={reasonError ? true : undefined}
          aria-describedby={reasonError ? `${reasonId}-error` : undefined}
          onChange={(e) => {
            setReason(e.target.value);
            if (e.target.value.trim()) setReasonError(false);
          }}
        />
        {reasonError && (
          <p id={`${reasonId}-error`} className="field-error">
            {t('licensing:licence.reasonRequired')}
          </p>
        )}
      </div>
      <button
        type="submit"
        className={current === 'reinstate' ? 'button primary' : 'button danger'}
        disabled={busy}
      >
        {t(`licensing:licence.apply.${current}`)}
      </button>
    </form>
  );
}
