import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { z } from 'zod';
import { formatMoney } from '../../../shared/format.ts';
import type { LicenceTier } from '../../../shared/profile-schema.ts';
import {
  type LicenceApplicationDto,
  type LicenceDto,
  updateApplicationBody,
} from '../../../shared/schemas/licensing.ts';
import { ApiError, type ApiResponse, api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useZodForm } from '../../components/form.tsx';
import { ApplicationArea } from './application-area.tsx';
import { FeePanel } from './fee-panel.tsx';
import { EventHistory, historyKey } from './licence-history.tsx';
import {
  formatUnit,
  HolderName,
  type PickText,
  problemKey,
  StatusBadge,
  TierFacts,
  TierName,
  useTiers,
} from './licensing-common.tsx';

type Message = { key: string; values?: Record<string, string> } | null;
type Loaded = { application: LicenceApplicationDto; etag: string | null };

const ARRIVAL_MESSAGES = ['saved', 'submitted', 'submitFailed', 'renewalStarted'] as const;

/**
 * One application and the decision on it: its facts, the holder, the tier's checklist (met or not,
 * with a note), approve, reject with a reason, issue; and what happened to it so far.
 */
export default function ApplicationPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['licensing', 'errors', 'common']);
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const { tier, pick } = useTiers();
  const arrival = ARRIVAL_MESSAGES.find((k) => (location.state as Record<string, boolean> | null)?.[k]);
  const [notice, setNotice] = useState<Message>(
    arrival && arrival !== 'submitFailed' ? { key: `licensing:application.${arrival}` } : null,
  );
  const [alert, setAlert] = useState<Message>(
    arrival === 'submitFailed' ? { key: 'licensing:application.submitFailed' } : null,
  );
  const [busy, setBusy] = useState(false);
  const locale = i18n.language;

  // The arrival message is said once: going back to this entry later must not repeat it.
  useEffect(() => {
    if (arrival) navigate({ pathname: location.pathname }, { replace: true, state: null });
  }, [arrival, location.pathname, navigate]);

  const result = useQuery({
    queryKey: ['licence-application', id],
    queryFn: async ({ signal }): Promise<Loaded> => {
      const res = await api<LicenceApplicationDto>(`/licence-applications/${id}`, { signal });
      return { application: res.data, etag: res.etag };
    },
  });
  const reference = result.data?.application.reference;
  const title = reference
    ? t('licensing:application.title', { reference })
    : t('licensing:application.titleLoading');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        <p>
          <Link to="/licensing/queue">{t('licensing:backToQueue')}</Link>
        </p>
        <h1>{t('licensing:application.titleLoading')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }

  const { application: a } = result.data;
  const tierDef = tier(a.tierCode);
  const decide = can('licensing.decide');
  const apply = can('licensing.apply');

  const changed = (res: ApiResponse<LicenceApplicationDto>, message: Message) => {
    queryClient.setQueryData<Loaded>(['licence-application', id], { application: res.data, etag: res.etag });
    void queryClient.invalidateQueries({ queryKey: ['licence-queue'] });
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/licence-applications') });
    void queryClient.invalidateQueries({ queryKey: historyKey('application', id) });
    setAlert(null);
    setNotice(message);
  };
  const failed = (err: unknown) => {
    setNotice(null);
    setAlert({ key: problemKey(err) });
  };
  /** One step of the workflow (submit, review, decision); the answer replaces what is shown. */
  async function step(path: string, body: object | undefined, message: string) {
    setBusy(true);
    try {
      changed(
        await api<LicenceApplicationDto>(`/licence-applications/${a.id}/${path}`, { method: 'POST', body }),
        { key: message },
      );
    } catch (err) {
      failed(err);
    } finally {
      setBusy(false);
    }
  }
  async function issue() {
    setBusy(true);
    try {
      const res = await api<LicenceDto>(`/licence-applications/${a.id}/issue`, { method: 'POST' });
      void queryClient.invalidateQueries({ queryKey: ['licence-application', id] });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/licences') });
      void queryClient.invalidateQueries({ queryKey: ['licence-queue'] });
      navigate(`/licensing/licences/${res.data.id}`, { state: { issued: true } });
    } catch (err) {
      failed(err);
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="application-title" className="licensing-page">
      <p>
        <Link to="/licensing/queue">{t('licensing:backToQueue')}</Link>
      </p>
      <h1 id="application-title">
        {title} <StatusBadge kind="application" status={a.status} />
      </h1>
      {a.kind === 'renewal' && a.licenceId && <RenewalOf licenceId={a.licenceId} />}
      <div role="status">{notice && <p className="notice">{t(notice.key, notice.values)}</p>}</div>
      <FormError>{alert && t(alert.key, { ...alert.values, defaultValue: t('errors:unknown') })}</FormError>

      <dl className="facts">
        <dt>{t('licensing:fields.holder')}</dt>
        <dd>
          <HolderName kind={a.holderKind} id={a.holderId} link />{' '}
          <span className="hint">({t(`licensing:holderKinds.${a.holderKind}`)})</span>
        </dd>
        <dt>{t('licensing:fields.tier')}</dt>
        <dd>
          <TierName code={a.tierCode} />
        </dd>
        <dt>{t('licensing:fields.area')}</dt>
        <dd>
          <AreaName id={a.areaId} />
        </dd>
        <dt>{t('licensing:fields.requestedAreaHectares')}</dt>
        <dd>{formatUnit(locale, a.requestedAreaHectares, 'hectare')}</dd>
        <dt>{t('licensing:fields.fee')}</dt>
        <dd>
          {a.feeAssessedMinor !== null && a.currency
            ? formatMoney(locale, a.feeAssessedMinor, a.currency)
            : t('licensing:application.feeOnSubmit')}
        </dd>
        {a.decisionReason && (
          <>
            <dt>{t('licensing:fields.decisionReason')}</dt>
            <dd>{a.decisionReason}</dd>
          </>
        )}
        {a.licenceId && a.kind !== 'renewal' && (
          <>
            <dt>{t('licensing:fields.licence')}</dt>
            <dd>
              <Link to={`/licensing/licences/${a.licenceId}`}>{t('licensing:application.openLicence')}</Link>
            </dd>
          </>
        )}
      </dl>

      <ApplicationArea application={a} onSaved={(res) => changed(res, { key: 'licensing:area.saved' })} />

      {a.status === 'draft' && apply && (
        <section className="panel" aria-labelledby="draft-title">
          <h2 id="draft-title">{t('licensing:application.draftTitle')}</h2>
          <p>{t('licensing:application.draftText')}</p>
          <DraftEdit
            // A new form for each saved version of the draft.
            key={a.version}
            application={a}
            etag={result.data.etag}
            onDone={(res) => changed(res, { key: 'licensing:application.saved' })}
            onConflict={() => {
              void queryClient.invalidateQueries({ queryKey: ['licence-application', id] });
              failed(new ApiError(412, 'precondition.failed', ''));
            }}
          />
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={() => void step('submit', undefined, 'licensing:application.submitted')}
          >
            {t('licensing:application.submit')}
          </button>
        </section>
      )}

      {a.status === 'submitted' && decide && (
        <section className="panel" aria-labelledby="review-title">
          <h2 id="review-title">{t('licensing:application.reviewTitle')}</h2>
          <p>{t('licensing:application.reviewText')}</p>
          <button
            type="button"
            className="button primary"
            disabled={busy}
            onClick={() => void step('review', undefined, 'licensing:application.reviewStarted')}
          >
            {t('licensing:application.startReview')}
          </button>
        </section>
      )}

      {a.status === 'under_review' && decide && (
        <>
          <Checklist application={a} tier={tierDef} pick={pick} onDone={changed} onFail={failed} />
          <Decision
            application={a}
            busy={busy}
            onApprove={() => void step('decision', { outcome: 'approve' }, 'licensing:application.approved')}
            onReject={(reason) =>
              void step('decision', { outcome: 'reject', reason }, 'licensing:application.rejected')
            }
          />
        </>
      )}

      {a.feeAssessedMinor !== null && <FeePanel applicationId={a.id} />}

      {a.status === 'approved' && decide && (
        <section className="panel" aria-labelledby="issue-title">
          <h2 id="issue-title">{t('licensing:application.issueTitle')}</h2>
          <p>{t('licensing:application.issueText')}</p>
          <button type="button" className="button primary" disabled={busy} onClick={() => void issue()}>
            {t('licensing:application.issue')}
          </button>
        </section>
      )}

      {a.status !== 'under_review' && Object.keys(a.checklist).length > 0 && (
        <ChecklistSummary application={a} tier={tierDef} pick={pick} />
      )}

      <EventHistory kind="application" id={a.id} />

      {tierDef && (
        <details className="panel">
          <summary>{t('licensing:application.tierDetails')}</summary>
          <TierFacts tier={tierDef} pick={pick} />
        </details>
      )}
    </section>
  );
}

/** Change the tier or the area of a draft (sent with If-Match: a newer version is not overwritten). */
function DraftEdit({
  application: a,
  etag,
  onDone,
  onConflict,
}: {
  application: LicenceApplicationDto;
  etag: string | null;
  onDone(res: ApiResponse<LicenceApplicationDto>): void;
  onConflict(): void;
}) {
  const { t } = useTranslation(['licensing', 'forms']);
  const { tiers, tier, pick } = useTiers();
  const [busy, setBusy] = useState(false);
  const [tierCode, setTierCode] = useState(a.tierCode);
  const selected = tier(tierCode);
  const schema = useMemo(
    () =>
      selected
        ? updateApplicationBody.extend({
            requestedAreaHectares: z.number().positive().max(selected.maxAreaHectares).optional(),
          })
        : updateApplicationBody,
    [selected],
  );
  const initial = useMemo(
    () => ({ tierCode: a.tierCode, hectares: String(a.requestedAreaHectares) }),
    [a.tierCode, a.requestedAreaHectares],
  );
  const form = useZodForm(schema, initial, {
    toInput: (v) => {
      const text = v.hectares.trim().replace(',', '.');
      const hectares = /^\d+(\.\d+)?$/.test(text) ? Number(text) : text === '' ? undefined : Number.NaN;
      return {
        ...(v.tierCode !== a.tierCode ? { tierCode: v.tierCode } : {}),
        ...(hectares !== a.requestedAreaHectares ? { requestedAreaHectares: hectares } : {}),
      };
    },
    fieldOf: (path) => (path === 'requestedAreaHectares' ? 'hectares' : undefined),
  });
  const allowed = tiers.filter((x) => (x.holderKinds as string[]).includes(a.holderKind));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    if (Object.keys(body).length === 0) {
      form.setFormError('licensing:application.nothingChanged');
      return;
    }
    setBusy(true);
    try {
      onDone(
        await api<LicenceApplicationDto>(`/licence-applications/${a.id}`, {
          method: 'PATCH',
          body,
          ifMatch: etag ?? undefined,
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 'precondition.failed') onConflict();
      else form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate aria-label={t('licensing:application.editDraft')}>
      <SelectField
        label={t('licensing:fields.tier')}
        options={allowed.map((x) => ({ value: x.code, label: pick(x.names).text }))}
        name="tierCode"
        value={form.values.tierCode}
        error={form.error('tierCode')}
        onChange={(code) => {
          form.setField('tierCode', code);
          setTierCode(code);
        }}
      />
      <TextField
        label={t('licensing:fields.requestedAreaHectares')}
        hint={selected ? t('licensing:new.hectaresHint', { max: selected.maxAreaHectares }) : undefined}
        inputMode="decimal"
        autoComplete="off"
        required
        {...form.bind('hectares')}
      />
      <FormError>{form.formError}</FormError>
      <button type="submit" className="button secondary" disabled={busy}>
        {t('licensing:application.saveDraft')}
      </button>
    </form>
  );
}

/** The requirements of the tier, each met or not with a note, saved one at a time. */
function Checklist({
  application,
  tier,
  pick,
  onDone,
  onFail,
}: {
  application: LicenceApplicationDto;
  tier: LicenceTier | undefined;
  pick: PickText;
  onDone(res: ApiResponse<LicenceApplicationDto>, message: Message): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation('licensing');
  const headingId = useId();
  if (!tier) return <p className="form-error">{t('licensing:tiersFailed')}</p>;
  const met = tier.requirements.filter((r) => application.checklist[r.code]?.met).length;
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:checklist.title')}</h2>
      <p>
        {t('licensing:checklist.progress', { met: String(met), total: String(tier.requirements.length) })}
      </p>
      <ul className="checklist">
        {tier.requirements.map((r) => (
          <ChecklistItem
            key={r.code}
            applicationId={application.id}
            code={r.code}
            label={pick(r.names)}
            saved={application.checklist[r.code] ?? null}
            onDone={onDone}
            onFail={onFail}
          />
        ))}
      </ul>
    </section>
  );
}

function ChecklistItem({
  applicationId,
  code,
  label,
  saved,
  onDone,
  onFail,
}: {
  applicationId: string;
  code: string;
  label: { text: string; lang: string };
  saved: { met: boolean; note: string | null } | null;
  onDone(res: ApiResponse<LicenceApplicationDto>, message: Message): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation('licensing');
  const [met, setMet] = useState(saved?.met ?? false);
  const [note, setNote] = useState(saved?.note ?? '');
  const [busy, setBusy] = useState(false);
  const checkId = useId();
  const unchanged = (saved?.met ?? false) === met && (saved?.note ?? '') === note.trim() && saved !== null;

  async function save(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    try {
      const res = await api<LicenceApplicationDto>(`/licence-applications/${applicationId}/checklist`, {
        method: 'POST',
        body: { code, met, note: note.trim() || null },
      });
      onDone(res, { key: 'licensing:checklist.saved', values: { requirement: label.text } });
    } catch (err) {
      onFail(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <li>
      <form onSubmit={save} className="checklist-item" aria-label={label.text}>
        <div className="radio">
          <input id={checkId} type="checkbox" checked={met} onChange={(e) => setMet(e.target.checked)} />
          <label htmlFor={checkId} lang={label.lang}>
            {label.text}
          </label>
        </div>
        <p className="hint">
          {saved === null
            ? t('licensing:checklist.notChecked')
            : saved.met
              ? t('licensing:checklist.savedMet')
              : t('licensing:checklist.savedNotMet')}
        </p>
        <TextField
          label={t('licensing:checklist.note')}
          optional
          maxLength={1000}
          value={note}
          onChange={setNote}
        />
        <button type="submit" className="button secondary" disabled={busy || unchanged}>
          {t('licensing:checklist.save')}
          <span className="visually-hidden"> {label.text}</span>
        </button>
      </form>
    </li>
  );
}

/** The checklist as it was left at the decision: read only. */
function ChecklistSummary({
  application,
  tier,
  pick,
}: {
  application: LicenceApplicationDto;
  tier: LicenceTier | undefined;
  pick: PickText;
}) {
  const { t } = useTranslation('licensing');
  const headingId = useId();
  const name = (code: string) => {
    const r = tier?.requirements.find((x) => x.code === code);
    return r ? pick(r.names).text : code;
  };
  return (
    <section aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:checklist.title')}</h2>
      <ul>
        {Object.entries(application.checklist).map(([code, item]) => (
          <li key={code}>
            {name(code)}:{' '}
            <strong>{item.met ? t('licensing:checklist.met') : t('licensing:checklist.notMet')}</strong>
            {item.note && <> — {item.note}</>}
          </li>
        ))}
      </ul>
    </section>
  );
}

/** Approve, or reject with a reason the applicant will be told. */
function Decision({
  application,
  busy,
  onApprove,
  onReject,
}: {
  application: LicenceApplicationDto;
  busy: boolean;
  onApprove(): void;
  onReject(reason: string): void;
}) {
  const { t } = useTranslation(['licensing', 'forms']);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState(false);
  const headingId = useId();
  const reasonId = useId();
  const unmet = Object.values(application.checklist).filter((c) => !c.met).length;

  function reject(e: FormEvent) {
    e.preventDefault();
    if (reason.trim() === '') {
      setReasonError(true);
      document.getElementById(reasonId)?.focus();
      return;
    }
    onReject(reason.trim());
  }

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:decision.title')}</h2>
      {unmet > 0 && <p className="notice">{t('licensing:decision.unmet')}</p>}
      <div className="actions">
        <button type="button" className="button primary" disabled={busy} onClick={onApprove}>
          {t('licensing:decision.approve')}
        </button>
      </div>
      <form onSubmit={reject} noValidate>
        <div className="field">
          <label htmlFor={reasonId}>{t('licensing:decision.reason')}</label>
          <p id={`${reasonId}-hint`} className="hint">
            {t('licensing:decision.reasonHint')}
          </p>
          <textarea
            id={reasonId}
            rows={3}
            maxLength={2000}
            value={reason}
            aria-invalid={reasonError ? true : undefined}
            aria-describedby={`${reasonError ? `${reasonId}-error ` : ''}${reasonId}-hint`}
            onChange={(e) => {
              setReason(e.target.value);
              if (e.target.value.trim()) setReasonError(false);
            }}
          />
          {reasonError && (
            <p id={`${reasonId}-error`} className="field-error">
              {t('licensing:decision.reasonRequired')}
            </p>
          )}
        </div>
        <button type="submit" className="button danger" disabled={busy}>
          {t('licensing:decision.reject')}
        </button>
      </form>
    </section>
  );
}

/** "Renewal of licence …": the licence this application renews, with a link to it. */
function RenewalOf({ licenceId }: { licenceId: string }) {
  const { t } = useTranslation('licensing');
  const licence = useQuery({
    queryKey: ['licence', licenceId],
    queryFn: ({ signal }) => get<LicenceDto>(`/licences/${licenceId}`, signal),
  });
  return (
    <p className="lead">
      {t('licensing:application.renewalOf')}{' '}
      <Link to={`/licensing/licences/${licenceId}`} dir="ltr">
        {licence.data?.number ?? t('licensing:application.openLicence')}
      </Link>
    </p>
  );
}
