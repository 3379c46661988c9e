import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import {
  type ActionDto,
  ANSWERS,
  type AssessmentDto,
  type StandardResponse,
  SUBJECT_KINDS,
  type SubjectDto,
} from '../../../shared/schemas/improvement.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey } from '../../components/form.tsx';
import { formatDay, HolderName, holderPage, problemKey } from '../licensing/licensing-common.tsx';
import { LevelName, type SubjectKind, subjectKey, useStandard } from './improvement-common.tsx';

type Standard = StandardResponse['standard'];

/**
 * Where a producer stands on the improvement standard: the verified level (what licences count) and
 * the self-assessed one apart, progress over time, the improvement plan, and the forms to record an
 * assessment and plan actions.
 */
export default function ImprovementSubjectPage() {
  const { t } = useTranslation(['improvement', 'errors']);
  const { kind = '', id = '' } = useParams();
  const { can } = useSession();
  const valid = (SUBJECT_KINDS as readonly string[]).includes(kind);
  const subject = useQuery({
    queryKey: subjectKey(kind, id),
    queryFn: ({ signal }) => get<SubjectDto>(`/improvement/subjects/${kind}/${id}`, signal),
    enabled: valid,
    retry: false,
  });
  const data = subject.data;
  const { standard } = useStandard(data?.country, (data?.levelCount ?? 0) > 0);
  const title = t('improvement:subject.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  return (
    <section aria-labelledby="improvement-title" className="improvement-page">
      <h1 id="improvement-title">{title}</h1>
      {valid && (
        <p>
          {t(`improvement:subjectKinds.${kind}`)}
          {can('registry.read') && (
            <>
              {': '}
              <HolderName kind={kind as SubjectKind} id={id} />{' '}
              <Link to={holderPage(kind as SubjectKind, id)}>{t('improvement:subject.registry')}</Link>
            </>
          )}
        </p>
      )}
      {(!valid || subject.isError) && (
        <p className="form-error" role="alert">
          {valid ? t(problemKey(subject.error), { defaultValue: t('errors:unknown') }) : t('errors:unknown')}
        </p>
      )}
      {data && (
        <>
          {data.levelCount === 0 && <p className="notice warning">{t('improvement:subject.noStandard')}</p>}
          <Standing subject={data} standard={standard} />
          <History subject={data} standard={standard} />
          <Plan subject={data} standard={standard} edit={can('improvement.assess')} />
          {standard && (can('improvement.assess') || can('improvement.verify')) && (
            <AssessmentForm subject={data} standard={standard} />
          )}
        </>
      )}
    </section>
  );
}

function Standing({ subject, standard }: { subject: SubjectDto; standard: Standard | undefined }) {
  const { t, i18n } = useTranslation('improvement');
  const headingId = useId();
  const seen = (s: SubjectDto['verified']) =>
    s ? (
      <>
        <strong>
          <LevelName level={s.level} standard={standard} />
        </strong>{' '}
        {t('improvement:subject.on', { date: formatDate(i18n.language, s.assessedAt) })}
      </>
    ) : (
      t('improvement:subject.notYet')
    );
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('improvement:subject.standing')}</h2>
      <dl className="facts">
        <dt>{t('improvement:subject.verified')}</dt>
        <dd>{seen(subject.verified)}</dd>
        <dt>{t('improvement:subject.self')}</dt>
        <dd>{seen(subject.self)}</dd>
      </dl>
      <p className="hint">{t('improvement:subject.selfNote')}</p>
    </section>
  );
}

function History({ subject, standard }: { subject: SubjectDto; standard: Standard | undefined }) {
  const { t, i18n } = useTranslation('improvement');
  const headingId = useId();
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('improvement:history.title')}</h2>
      {subject.history.length === 0 ? (
        <p>{t('improvement:history.empty')}</p>
      ) : (
        <div className="table-scroll">
          <table>
            <caption className="visually-hidden">{t('improvement:history.caption')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('improvement:history.date')}</th>
                <th scope="col">{t('improvement:history.kind')}</th>
                <th scope="col">{t('improvement:history.level')}</th>
                <th scope="col" className="numeric">
                  {t('improvement:history.met')}
                </th>
              </tr>
            </thead>
            <tbody>
              {subject.history.map((h) => (
                <tr key={h.id}>
                  <th scope="row">{formatDate(i18n.language, h.assessedAt)}</th>
                  <td>{t(`improvement:kinds.${h.kind}`)}</td>
                  <td>
                    <LevelName level={h.level} standard={standard} />
                  </td>
                  <td className="numeric">
                    {t('improvement:history.percent', {
                      percent: h.metPercent,
                      met: h.met,
                      applicable: h.applicable,
                    })}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function requirementText(
  standard: Standard | undefined,
  code: string,
  pick: ReturnType<typeof useStandard>['pick'],
) {
  const r = standard?.requirements.find((x) => x.code === code);
  return r ? pick(r.texts) : { text: code, lang: 'en' };
}

function Plan({
  subject,
  standard,
  edit,
}: {
  subject: SubjectDto;
  standard: Standard | undefined;
  edit: boolean;
}) {
  const { t, i18n } = useTranslation('improvement');
  const headingId = useId();
  const { pick } = useStandard(subject.country, false);
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<string | null>(null);
  const changed = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: subjectKey(subject.subjectKind, subject.subjectId) });
    setNotice(message);
  };
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('improvement:plan.title')}</h2>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      {subject.actions.length === 0 && <p>{t('improvement:plan.empty')}</p>}
      {subject.actions.length > 0 && (
        <ul className="conditions">
          {subject.actions.map((a) => {
            const req = requirementText(standard, a.requirementCode, pick);
            return (
              <li key={a.id}>
                <p className="condition-head">
                  <strong>{a.action}</strong>{' '}
                  <span
                    className={`badge ${a.status === 'done' ? 'ok' : a.status === 'open' ? 'pending' : 'off'}`}
                  >
                    {t(`improvement:plan.statuses.${a.status}`)}
                  </span>{' '}
                  {a.overdue && <span className="badge off">{t('improvement:plan.overdue')}</span>}
                </p>
                <p className="hint">
                  <span lang={req.lang}>{req.text}</span>
                  {' · '}
                  {t('improvement:plan.owner', { owner: a.owner })}
                  {' · '}
                  {t('improvement:plan.due', { date: formatDay(i18n.language, a.deadline) })}
                </p>
                {a.statusNote && <p>{a.statusNote}</p>}
                {edit && (
                  <ActionStatus
                    action={a}
                    onDone={(status) =>
                      changed(
                        t('improvement:plan.changed', { status: t(`improvement:plan.statuses.${status}`) }),
                      )
                    }
                  />
                )}
              </li>
            );
          })}
        </ul>
      )}
      {edit && standard && (
        <AddAction
          subject={subject}
          standard={standard}
          onDone={() => changed(t('improvement:plan.added'))}
        />
      )}
    </section>
  );
}

/** Done or dropped (with a reason) from open; open again from either. */
function ActionStatus({ action, onDone }: { action: ActionDto; onDone(status: ActionDto['status']): void }) {
  const { t } = useTranslation(['improvement', 'errors']);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function change(e: FormEvent, status: ActionDto['status']) {
    e.preventDefault();
    if (status === 'dropped' && note.trim() === '') {
      setNoteError(true);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await api(`/improvement/actions/${action.id}`, {
        method: 'PATCH',
        body: { status, ...(note.trim() ? { note: note.trim() } : {}) },
        ifMatch: `"v${action.version}"`,
      });
      setNote('');
      onDone(status);
    } catch (err) {
      setError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  if (action.status !== 'open')
    return (
      <form
        onSubmit={(e) => void change(e, 'open')}
        aria-label={t('improvement:plan.reopenLabel', { action: action.action })}
      >
        <FormError>{error}</FormError>
        <button type="submit" className="button secondary" disabled={busy}>
          {t('improvement:plan.reopen')}
          <span className="visually-hidden"> {action.action}</span>
        </button>
      </form>
    );
  return (
    <form
      className="condition-decision"
      aria-label={t('improvement:plan.decideLabel', { action: action.action })}
      onSubmit={(e) => void change(e, 'done')}
      noValidate
    >
      <TextField
        label={t('improvement:plan.note')}
        hint={t('improvement:plan.noteHint')}
        optional
        maxLength={2000}
        value={note}
        error={noteError ? t('improvement:plan.noteRequired') : undefined}
        onChange={(v) => {
          setNote(v);
          if (v.trim()) setNoteError(false);
        }}
      />
      <FormError>{error}</FormError>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {t('improvement:plan.markDone')}
          <span className="visually-hidden"> {action.action}</span>
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={busy}
          onClick={(e) => void change(e, 'dropped')}
        >
          {t('improvement:plan.drop')}
          <span className="visually-hidden"> {action.action}</span>
        </button>
      </div>
    </form>
  );
}

function AddAction({
  subject,
  standard,
  onDone,
}: {
  subject: SubjectDto;
  standard: Standard;
  onDone(): void;
}) {
  const { t } = useTranslation(['improvement', 'errors']);
  const { pick } = useStandard(subject.country, false);
  const headingId = useId();
  const [requirementCode, setRequirement] = useState('');
  const [action, setAction] = useState('');
  const [owner, setOwner] = useState('');
  const [deadline, setDeadline] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!requirementCode) missing.requirement = t('improvement:plan.required');
    if (!action.trim()) missing.action = t('improvement:plan.required');
    if (!owner.trim()) missing.owner = t('improvement:plan.required');
    setErrors(missing);
    if (Object.keys(missing).length > 0) return;
    const body = {
      requirementCode,
      action: action.trim(),
      owner: owner.trim(),
      ...(deadline ? { deadline } : {}),
    };
    setBusy(true);
    setFormError(null);
    try {
      await api(`/improvement/subjects/${subject.subjectKind}/${subject.subjectId}/actions`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      setRequirement('');
      setAction('');
      setOwner('');
      setDeadline('');
      onDone();
    } catch (err) {
      setFormError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sub-panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{t('improvement:plan.addTitle')}</h3>
      <SelectField
        label={t('improvement:plan.requirement')}
        value={requirementCode}
        placeholder={t('improvement:plan.chooseRequirement')}
        options={standard.requirements.map((r) => {
          const { text, lang } = pick(r.texts);
          return { value: r.code, label: text, lang };
        })}
        error={errors.requirement}
        onChange={setRequirement}
      />
      <TextField
        label={t('improvement:plan.action')}
        maxLength={2000}
        value={action}
        error={errors.action}
        onChange={setAction}
      />
      <TextField
        label={t('improvement:plan.ownerLabel')}
        maxLength={200}
        value={owner}
        error={errors.owner}
        onChange={setOwner}
      />
      <TextField
        label={t('improvement:plan.deadline')}
        hint={t('improvement:plan.deadlineHint')}
        optional
        type="date"
        value={deadline}
        onChange={setDeadline}
      />
      <FormError>{formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('improvement:plan.add')}
      </button>
    </form>
  );
}

type Draft = Record<string, { answer: string; evidence: string }>;

/** One answer and one evidence reference per requirement, grouped by module. */
function AssessmentForm({ subject, standard }: { subject: SubjectDto; standard: Standard }) {
  const { t } = useTranslation(['improvement', 'errors']);
  const { can } = useSession();
  const { pick } = useStandard(subject.country, false);
  const queryClient = useQueryClient();
  const headingId = useId();
  const kinds = (['self', 'verification'] as const).filter((k) =>
    can(k === 'self' ? 'improvement.assess' : 'improvement.verify'),
  );
  const [kind, setKind] = useState<string>(kinds.at(-1) ?? 'self');
  const [date, setDate] = useState('');
  const [draft, setDraft] = useState<Draft>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const set = (code: string, patch: Partial<Draft[string]>) =>
    setDraft((d) => ({ ...d, [code]: { answer: '', evidence: '', ...d[code], ...patch } }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const answers = standard.requirements
      .filter((r) => draft[r.code]?.answer)
      .map((r) => {
        const { answer, evidence } = draft[r.code]!;
        return {
          requirementCode: r.code,
          answer,
          ...(evidence.trim() ? { evidence: [{ kind: 'reference', reference: evidence.trim() }] } : {}),
        };
      });
    if (answers.length === 0) {
      setFormError(t('improvement:assess.noAnswer'));
      return;
    }
    // A past day is sent at noon UTC: the same calendar day wherever the office is.
    const today = new Date().toISOString().slice(0, 10);
    const body = {
      subjectKind: subject.subjectKind,
      subjectId: subject.subjectId,
      kind,
      answers,
      ...(date && date < today ? { assessedAt: `${date}T12:00:00Z` } : {}),
    };
    setBusy(true);
    setFormError(null);
    try {
      const { data } = await api<AssessmentDto>('/improvement/assessments', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      const level =
        data.level === 0 ? t('improvement:levels.none') : pick(standard.levels[data.level - 1]?.names).text;
      setDraft({});
      setDate('');
      setNotice(t('improvement:assess.recorded', { level }));
      void queryClient.invalidateQueries({ queryKey: subjectKey(subject.subjectKind, subject.subjectId) });
    } catch (err) {
      setFormError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h2 id={headingId}>{t('improvement:assess.title')}</h2>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      <SelectField
        label={t('improvement:assess.kind')}
        value={kind}
        options={kinds.map((k) => ({ value: k, label: t(`improvement:kinds.${k}`) }))}
        onChange={setKind}
      />
      <TextField
        label={t('improvement:assess.date')}
        hint={t('improvement:assess.dateHint')}
        optional
        type="date"
        value={date}
        onChange={setDate}
      />
      {standard.modules.map((m) => {
        const moduleName = pick(m.names);
        return (
          <fieldset key={m.code}>
            <legend lang={moduleName.lang}>{moduleName.text}</legend>
            {standard.requirements
              .filter((r) => r.module === m.code)
              .map((r) => {
                const text = pick(r.texts);
                const hint = r.evidenceHint ? pick(r.evidenceHint).text : '';
                return (
                  <div key={r.code} className="sub-panel">
                    <SelectField
                      label={<span lang={text.lang}>{text.text}</span>}
                      hint={t('improvement:levels.number', { level: r.level })}
                      value={draft[r.code]?.answer ?? ''}
                      placeholder={t('improvement:assess.unanswered')}
                      options={ANSWERS.map((a) => ({
                        value: a,
                        label: t(`improvement:assess.answers.${a}`),
                      }))}
                      onChange={(answer) => set(r.code, { answer })}
                    />
                    <TextField
                      label={
                        <>
                          {t('improvement:assess.evidence')}
                          <span className="visually-hidden" lang={text.lang}>
                            {' '}
                            {text.text}
                          </span>
                        </>
                      }
                      hint={t('improvement:assess.evidenceHint', { hint })}
                      optional
                      maxLength={200}
                      value={draft[r.code]?.evidence ?? ''}
                      onChange={(evidence) => set(r.code, { evidence })}
                    />
                  </div>
                );
              })}
          </fieldset>
        );
      })}
      <FormError>{formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('improvement:assess.submit')}
      </button>
    </form>
  );
}
