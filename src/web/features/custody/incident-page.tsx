import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../../shared/format.ts';
import {
  INCIDENT_STATUSES,
  type IncidentDto,
  incidentPlanBody,
  incidentStatusBody,
} from '../../../shared/schemas/custody-oversight.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import {
  type FieldIssue,
  FormError,
  issueOf,
  SelectField,
  TextField,
  useIdempotencyKey,
  useIssueText,
  useZodForm,
} from '../../components/form.tsx';
import { TextAreaField } from '../registry/registry-shared.tsx';
import { problemKey } from './custody-common.tsx';
import { today } from './event-fields.tsx';
import {
  AnnexClassBadge,
  Concerns,
  DisengageNote,
  formatDay,
  IncidentStatusBadge,
} from './oversight-common.tsx';

type Notice = 'recorded' | 'planSaved' | 'statusChanged';

/**
 * One incident: what was seen, where and when, its class under OECD Annex II, its mitigation plan
 * and its status. Those who manage incidents edit the plan and change the status, with a reason.
 */
export default function IncidentPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['custody-oversight', 'errors', 'common']);
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const arrived = (location.state as { notice?: Notice } | null)?.notice ?? null;
  const [notice, setNotice] = useState<Notice | null>(arrived);

  // The notice of the screen that sent us here is shown once, not again after a reload.
  useEffect(() => {
    if (arrived) {
      setNotice(arrived);
      navigate({ pathname: location.pathname }, { replace: true, state: null });
    }
  }, [arrived, location.pathname, navigate]);

  const result = useQuery({
    queryKey: ['custody-incident', id],
    queryFn: ({ signal }) => get<IncidentDto>(`/custody/incidents/${id}`, signal),
  });
  const title = result.data
    ? t(`custody-oversight:categories.${result.data.category}`)
    : t('custody-oversight:incident.heading');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const back = (
    <p>
      <Link to="/custody/incidents">{t('custody-oversight:incident.back')}</Link>
    </p>
  );
  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        {back}
        <h1>{t('custody-oversight:incident.heading')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }
  const incident = result.data;
  const locale = i18n.language;
  const editable = can('incidents.manage') && incident.status !== 'resolved';

  const changed = (next: IncidentDto, message: Notice) => {
    queryClient.setQueryData(['custody-incident', id], next);
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/incidents') });
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/flags') });
    setNotice(message);
  };

  return (
    <section aria-labelledby="incident-title" className="custody-page">
      {back}
      <p className="hint">{t('custody-oversight:incident.heading')}</p>
      <h1 id="incident-title">{title}</h1>
      <p className="tag-line">
        <AnnexClassBadge annexClass={incident.annexClass} /> <IncidentStatusBadge status={incident.status} />
      </p>
      <div role="status">
        {notice && <p className="notice">{t(`custody-oversight:incident.notices.${notice}`)}</p>}
      </div>
      {incident.annexClass === 'class_1' && incident.status !== 'resolved' && <DisengageNote strong />}

      <dl className="facts">
        <dt>{t('custody-oversight:fields.category')}</dt>
        <dd>{t(`custody-oversight:categories.${incident.category}`)}</dd>
        <dt>{t('custody-oversight:fields.annexClass')}</dt>
        <dd>{t(`custody-oversight:classes.${incident.annexClass}`)}</dd>
        <dt>{t('custody-oversight:fields.status')}</dt>
        <dd>{t(`custody-oversight:statuses.${incident.status}`)}</dd>
        <dt>{t('custody-oversight:fields.area')}</dt>
        <dd>
          <AreaName id={incident.areaId} />
        </dd>
        <dt>{t('custody-oversight:fields.concerns')}</dt>
        <dd>
          <Concerns lotId={incident.lotId} actorId={incident.actorId} siteId={incident.siteId} />
        </dd>
        <dt>{t('custody-oversight:fields.observedAt')}</dt>
        <dd>{formatDateTime(locale, incident.observedAt)}</dd>
        <dt>{t('custody-oversight:fields.reportedAt')}</dt>
        <dd>{formatDateTime(locale, incident.reportedAt)}</dd>
        <dt>{t('custody-oversight:fields.updatedAt')}</dt>
        <dd>{formatDateTime(locale, incident.updatedAt)}</dd>
      </dl>
      <h2>{t('custody-oversight:fields.description')}</h2>
      <p className="pre-line">{incident.description}</p>

      <section className="panel" aria-labelledby="plan-title">
        <h2 id="plan-title">{t('custody-oversight:plan.title')}</h2>
        {incident.plan.length === 0 ? (
          <p>{t('custody-oversight:plan.none')}</p>
        ) : (
          // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
          <section className="table-wrap" aria-labelledby="plan-caption" tabIndex={0}>
            <table>
              <caption id="plan-caption" className="visually-hidden">
                {t('custody-oversight:plan.caption')}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{t('custody-oversight:plan.action')}</th>
                  <th scope="col">{t('custody-oversight:plan.owner')}</th>
                  <th scope="col">{t('custody-oversight:plan.deadline')}</th>
                  <th scope="col">{t('custody-oversight:plan.done')}</th>
                </tr>
              </thead>
              <tbody>
                {incident.plan.map((a, i) => (
                  // biome-ignore lint/suspicious/noArrayIndexKey: the plan is replaced whole
                  <tr key={i}>
                    <th scope="row" className="plan-action">
                      {a.action}
                    </th>
                    <td>{a.owner}</td>
                    <td>
                      {formatDay(locale, a.deadline)}
                      {!a.done && a.deadline < today() && (
                        <>
                          {' '}
                          <span className="badge off">{t('custody-oversight:plan.overdue')}</span>
                        </>
                      )}
                    </td>
                    <td>{a.done ? t('custody-oversight:plan.yes') : t('custody-oversight:plan.no')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        )}
        {editable && <PlanEditor incident={incident} onSaved={(next) => changed(next, 'planSaved')} />}
      </section>

      {editable ? (
        <StatusForm incident={incident} onChanged={(next) => changed(next, 'statusChanged')} />
      ) : incident.status === 'resolved' ? (
        <p className="hint">{t('custody-oversight:incident.closed')}</p>
      ) : (
        <p className="hint">{t('custody-oversight:incident.onlyManagers')}</p>
      )}
    </section>
  );
}

interface PlanRow {
  action: string;
  owner: string;
  deadline: string;
  done: boolean;
}

const PLAN_FIELDS = ['action', 'owner', 'deadline'] as const;
const emptyRow = (): PlanRow => ({ action: '', owner: '', deadline: '', done: false });

/** The plan is replaced whole: every row as typed, the empty ones left out. */
function PlanEditor({ incident, onSaved }: { incident: IncidentDto; onSaved(next: IncidentDto): void }) {
  const { t } = useTranslation(['custody-oversight', 'forms', 'errors']);
  const issueText = useIssueText();
  const keyFor = useIdempotencyKey();
  const [rows, setRows] = useState<PlanRow[]>(() =>
    incident.plan.length > 0 ? incident.plan.map((a) => ({ ...a })) : [emptyRow()],
  );
  const [errors, setErrors] = useState<Record<string, FieldIssue>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);

  const set = (i: number, patch: Partial<PlanRow>) => {
    setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)));
    setErrors((e) => {
      const next = { ...e };
      for (const k of Object.keys(patch)) delete next[`${i}.${k}`];
      return next;
    });
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    setProblem(null);
    const kept = rows.filter((r) => r.action.trim() || r.owner.trim() || r.deadline);
    const input = {
      actions: kept.map((r) => ({
        action: r.action.trim(),
        owner: r.owner.trim(),
        deadline: r.deadline,
        done: r.done,
      })),
    };
    const parsed = incidentPlanBody.safeParse(input);
    if (!parsed.success) {
      const next: Record<string, FieldIssue> = {};
      for (const issue of parsed.error.issues) {
        const [, index, field] = issue.path.map(String);
        if (index !== undefined && field !== undefined) {
          // Rows were renumbered when the empty ones were left out: point at the row as shown.
          const shown = rows.indexOf(kept[Number(index)]!);
          next[`${shown}.${field}`] ??= issueOf(issue, input);
        }
      }
      setErrors(next);
      setProblem(kept.length === 0 ? 'custody-oversight:plan.needOne' : 'forms:summary');
      return;
    }
    setBusy(true);
    try {
      const res = await api<IncidentDto>(`/custody/incidents/${incident.id}/plan`, {
        method: 'POST',
        body: parsed.data,
        idempotencyKey: keyFor(parsed.data),
      });
      setRows(res.data.plan.map((a) => ({ ...a })));
      setErrors({});
      setOpen(false);
      onSaved(res.data);
    } catch (err) {
      setProblem(problemKey(err));
    } finally {
      setBusy(false);
    }
  }

  const title = t('custody-oversight:plan.edit');
  return (
    <details className="panel" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary>{title}</summary>
      <form aria-label={title} onSubmit={submit} noValidate>
        <FormError>{problem && t(problem, { defaultValue: t('errors:unknown') })}</FormError>
        <p className="hint">{t('custody-oversight:plan.hint')}</p>
        {rows.map((r, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are only added at the end or removed by position
          <fieldset className="plan-row" key={i}>
            <legend>{t('custody-oversight:plan.row', { n: i + 1 })}</legend>
            <div className="split-parts">
              {PLAN_FIELDS.map((field) => (
                <TextField
                  key={field}
                  label={t(`custody-oversight:plan.${field}`)}
                  type={field === 'deadline' ? 'date' : 'text'}
                  maxLength={field === 'action' ? 500 : field === 'owner' ? 200 : undefined}
                  autoComplete="off"
                  value={r[field]}
                  onChange={(v) => set(i, { [field]: v })}
                  error={issueText(field, errors[`${i}.${field}`])}
                />
              ))}
            </div>
            <div className="field">
              <label className="radio">
                <input
                  type="checkbox"
                  checked={r.done}
                  onChange={(e) => set(i, { done: e.target.checked })}
                />
                {t('custody-oversight:plan.doneLabel')}
              </label>
            </div>
            <button
              type="button"
              className="button secondary"
              onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))}
            >
              {t('custody-oversight:plan.remove', { n: i + 1 })}
            </button>
          </fieldset>
        ))}
        <p className="actions">
          {rows.length < 50 && (
            <button
              type="button"
              className="button secondary"
              onClick={() => setRows((rs) => [...rs, emptyRow()])}
            >
              {t('custody-oversight:plan.add')}
            </button>
          )}
          <button type="submit" className="button primary" disabled={busy}>
            {t('custody-oversight:plan.save')}
          </button>
        </p>
      </form>
    </details>
  );
}

/** A new status with its reason; resolving closes the incident and lifts the disengagement. */
function StatusForm({ incident, onChanged }: { incident: IncidentDto; onChanged(next: IncidentDto): void }) {
  const { t } = useTranslation(['custody-oversight', 'forms', 'errors']);
  const keyFor = useIdempotencyKey();
  const choices = INCIDENT_STATUSES.filter((s) => s !== incident.status);
  const initial = useMemo(() => ({ status: '', reason: '' }), []);
  const form = useZodForm(incidentStatusBody, initial);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<IncidentDto>(`/custody/incidents/${incident.id}/status`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      form.reset(initial);
      onChanged(res.data);
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const chosen = form.values.status;
  return (
    <form ref={form.formRef} className="panel" aria-labelledby="status-title" onSubmit={submit} noValidate>
      <h2 id="status-title">{t('custody-oversight:statusChange.title')}</h2>
      <FormError>{form.formError}</FormError>
      <SelectField
        label={t('custody-oversight:statusChange.newStatus')}
        placeholder={t('custody-oversight:statusChange.choose')}
        options={choices.map((s) => ({ value: s, label: t(`custody-oversight:statuses.${s}`) }))}
        hint={chosen ? t(`custody-oversight:statusChange.meaning.${chosen}`) : undefined}
        {...form.bind('status')}
      />
      <TextAreaField
        label={t('custody-oversight:statusChange.reason')}
        hint={t('custody-oversight:statusChange.reasonHint')}
        maxLength={2000}
        {...form.bind('reason')}
      />
      <button type="submit" className="button primary" disabled={busy}>
        {t('custody-oversight:statusChange.submit')}
      </button>
    </form>
  );
}
