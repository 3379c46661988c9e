import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LicenceConditionDto } from '../../../shared/schemas/licence-lifecycle.ts';
import { ApiError, api, get } from '../../api/client.ts';
import { FormError, TextField, useIdempotencyKey } from '../../components/form.tsx';
import { historyKey } from './licence-history.tsx';
import { formatDay, problemKey } from './licensing-common.tsx';

type Conditions = { items: LicenceConditionDto[]; overdue: number };
const CODE = /^[a-z][a-z0-9_]{0,63}$/;

/** A code from a description: "Fence the pit" → "fence_the_pit" (the officer may change it). */
export function codeOf(text: string): string {
  const code = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  return code;
}

/**
 * The progressive conditions of a licence: due date, status, overdue ones flagged; an officer who
 * decides licences adds one, marks one met (with the evidence seen) or waives it (with a reason).
 */
export function LicenceConditions({ licenceId, decide }: { licenceId: string; decide: boolean }) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const queryClient = useQueryClient();
  const headingId = useId();
  const [notice, setNotice] = useState<string | null>(null);
  const key = ['licence-conditions', licenceId];
  const conditions = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => get<Conditions>(`/licences/${licenceId}/conditions`, signal),
  });
  const changed = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: key });
    void queryClient.invalidateQueries({ queryKey: historyKey('licence', licenceId) });
    setNotice(message);
  };
  const locale = i18n.language;
  const data = conditions.data;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:conditions.title')}</h2>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      {conditions.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(conditions.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {data && data.items.length === 0 && <p>{t('licensing:conditions.none')}</p>}
      {data && data.overdue > 0 && (
        <p className="notice warning">{t('licensing:conditions.overdueBlocks', { count: data.overdue })}</p>
      )}
      {data && data.items.length > 0 && (
        <ul className="conditions">
          {data.items.map((c) => (
            <li key={c.id}>
              <p className="condition-head">
                <strong>{c.description}</strong>{' '}
                <span className={`badge ${c.status === 'open' ? 'pending' : 'ok'}`}>
                  {t(`licensing:conditions.statuses.${c.status}`)}
                </span>{' '}
                {c.overdue && <span className="badge off">{t('licensing:conditions.overdue')}</span>}
              </p>
              <p className="hint">
                {t('licensing:conditions.due', { date: formatDay(locale, c.dueDate) })}
                {c.improvementLevel !== null &&
                  ` · ${t('licensing:conditions.level', { level: c.improvementLevel })}`}
              </p>
              {c.evidenceNote && (
                <p>
                  {t(
                    c.status === 'waived'
                      ? 'licensing:conditions.reasonWas'
                      : 'licensing:conditions.evidenceWas',
                    {
                      note: c.evidenceNote,
                    },
                  )}
                </p>
              )}
              {decide && c.status === 'open' && (
                <ConditionDecision
                  licenceId={licenceId}
                  condition={c}
                  onDone={(status) =>
                    changed(t(`licensing:conditions.done.${status}`, { condition: c.description }))
                  }
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {decide && (
        <AddCondition licenceId={licenceId} onDone={() => changed(t('licensing:conditions.added'))} />
      )}
    </section>
  );
}

/** Met with the evidence seen, or waived with a reason: one note, two buttons. */
function ConditionDecision({
  licenceId,
  condition,
  onDone,
}: {
  licenceId: string;
  condition: LicenceConditionDto;
  onDone(status: 'met' | 'waived'): void;
}) {
  const { t } = useTranslation(['licensing', 'errors']);
  const [note, setNote] = useState('');
  const [noteError, setNoteError] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();

  async function decide(e: FormEvent, status: 'met' | 'waived') {
    e.preventDefault();
    if (note.trim() === '') {
      setNoteError(true);
      return;
    }
    setBusy(true);
    setError(null);
    const body = status === 'met' ? { evidenceNote: note.trim() } : { reason: note.trim() };
    try {
      await api(`/licences/${licenceId}/conditions/${condition.id}/${status === 'met' ? 'met' : 'waive'}`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor({ status, body }),
      });
      onDone(status);
    } catch (err) {
      setError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="condition-decision"
      aria-label={t('licensing:conditions.decideLabel', { condition: condition.description })}
      onSubmit={(e) => void decide(e, 'met')}
      noValidate
    >
      <TextField
        label={t('licensing:conditions.note')}
        hint={t('licensing:conditions.noteHint')}
        maxLength={2000}
        value={note}
        error={noteError ? t('licensing:conditions.noteRequired') : undefined}
        onChange={(v) => {
          setNote(v);
          if (v.trim()) setNoteError(false);
        }}
      />
      <FormError>{error}</FormError>
      <div className="actions">
        <button type="submit" className="button primary" disabled={busy}>
          {t('licensing:conditions.markMet')}
          <span className="visually-hidden"> {condition.description}</span>
        </button>
        <button
          type="button"
          className="button secondary"
          disabled={busy}
          onClick={(e) => void decide(e, 'waived')}
        >
          {t('licensing:conditions.waive')}
          <span className="visually-hidden"> {condition.description}</span>
        </button>
      </div>
    </form>
  );
}

function AddCondition({ licenceId, onDone }: { licenceId: string; onDone(): void }) {
  const { t } = useTranslation(['licensing', 'errors', 'forms']);
  const headingId = useId();
  const [description, setDescription] = useState('');
  const [code, setCode] = useState('');
  const [dueDate, setDueDate] = useState('');
  const [level, setLevel] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const effectiveCode = code.trim() || codeOf(description);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (description.trim() === '') problems.description = t('licensing:conditions.descriptionRequired');
    if (!CODE.test(effectiveCode)) problems.code = t('licensing:conditions.codeInvalid');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(dueDate)) problems.dueDate = t('licensing:conditions.dueRequired');
    if (level !== '' && !/^([1-9]|10)$/.test(level)) problems.level = t('licensing:conditions.levelInvalid');
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const body = {
      code: effectiveCode,
      description: description.trim(),
      dueDate,
      ...(level ? { improvementLevel: Number(level) } : {}),
    };
    setBusy(true);
    setFormError(null);
    try {
      await api(`/licences/${licenceId}/conditions`, { method: 'POST', body, idempotencyKey: keyFor(body) });
      setDescription('');
      setCode('');
      setDueDate('');
      setLevel('');
      onDone();
    } catch (err) {
      if (err instanceof ApiError && err.errors.some((x) => x.code === 'duplicate'))
        setErrors({ code: t('licensing:conditions.codeTaken') });
      else setFormError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sub-panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{t('licensing:conditions.addTitle')}</h3>
      <TextField
        label={t('licensing:conditions.description')}
        maxLength={1000}
        value={description}
        error={errors.description}
        onChange={setDescription}
      />
      <TextField
        label={t('licensing:conditions.code')}
        hint={t('licensing:conditions.codeHint', { code: codeOf(description) || 'fence_pits' })}
        optional
        dir="ltr"
        maxLength={64}
        autoComplete="off"
        value={code}
        error={errors.code}
        onChange={setCode}
      />
      <TextField
        label={t('licensing:conditions.dueDate')}
        type="date"
        value={dueDate}
        error={errors.dueDate}
        onChange={setDueDate}
      />
      <TextField
        label={t('licensing:conditions.improvementLevel')}
        hint={t('licensing:conditions.improvementLevelHint')}
        optional
        inputMode="numeric"
        maxLength={2}
        value={level}
        error={errors.level}
        onChange={setLevel}
      />
      <FormError>{formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('licensing:conditions.add')}
      </button>
    </form>
  );
}
