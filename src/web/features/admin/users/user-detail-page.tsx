import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { formatDateTime } from '../../../../shared/format.ts';
import { assignmentInput, type UserDto, updateUserBody } from '../../../../shared/schemas/accounts.ts';
import { ApiError, type ApiResponse, api, NetworkError } from '../../../api/client.ts';
import { useSession } from '../../../app/session.tsx';
import { AreaName } from '../../../app/shell.tsx';
import { AreaSelect } from '../../../components/area-select.tsx';
import { tableQueryKey } from '../../../components/data-table.tsx';
import {
  FormError,
  SelectField,
  TextField,
  useIdempotencyKey,
  useZodForm,
} from '../../../components/form.tsx';
import { LANGUAGES } from '../../../i18n/i18n.ts';
import { useGrantableRoles } from './user-create-page.tsx';
import { StatusBadge } from './users-page.tsx';

interface Loaded {
  user: UserDto;
  etag: string | null;
}

/** A message of the page: a translation key (with namespace), shown in the status or alert region. */
type Message = { key: string; values?: Record<string, string> } | null;

function problemKey(err: unknown): string {
  if (err instanceof ApiError) return `errors:${err.code}`;
  if (err instanceof NetworkError) return 'errors:network';
  return 'errors:unknown';
}

/** One account: its facts, roles, details and status; changes only with users.manage. */
export default function UserDetailPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['users', 'common', 'errors']);
  const { can, me } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [notice, setNotice] = useState<Message>(
    (location.state as { created?: boolean } | null)?.created ? { key: 'users:detail.created' } : null,
  );
  const [alert, setAlert] = useState<Message>(null);
  const [conflict, setConflict] = useState(false);

  // "Created" is said once: a reload of this history entry later must not say it again.
  useEffect(() => {
    if ((location.state as { created?: boolean } | null)?.created) {
      navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    }
  }, [location, navigate]);

  const result = useQuery({
    queryKey: ['user', id],
    queryFn: async ({ signal }): Promise<Loaded> => {
      const res = await api<UserDto>(`/users/${id}`, { signal });
      return { user: res.data, etag: res.etag };
    },
  });
  const name = result.data?.user.name;
  const title = name ?? t('users:detail.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (result.isPending) return <p className="loading">{t('common:loading')}</p>;
  if (result.isError) {
    return (
      <section>
        <p>
          <Link to="/admin/users">{t('users:backToList')}</Link>
        </p>
        <h1>{t('users:detail.title')}</h1>
        <p className="form-error" role="alert">
          {t(problemKey(result.error), { defaultValue: t('errors:unknown') })}
        </p>
      </section>
    );
  }

  const { user, etag } = result.data;
  const manage = can('users.manage');
  const isSelf = me?.kind === 'user' && me.id === user.id;
  const language = LANGUAGES.find((l) => l.code === user.preferredLanguage);

  /** Shows the server's new version of the account and reloads the lists that show it. */
  const changed = (res: ApiResponse<UserDto>, message: Message) => {
    queryClient.setQueryData<Loaded>(['user', id], { user: res.data, etag: res.etag });
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/users') });
    if (isSelf) void queryClient.invalidateQueries({ queryKey: ['me'] });
    setAlert(null);
    setConflict(false);
    setNotice(message);
  };
  const failed = (err: unknown) => {
    setNotice(null);
    setAlert({ key: problemKey(err) });
  };

  return (
    <section aria-labelledby="user-title">
      <p>
        <Link to="/admin/users">{t('users:backToList')}</Link>
      </p>
      <h1 id="user-title">
        {user.name} <StatusBadge status={user.status} />
      </h1>
      <div role="status">{notice && <p className="notice">{t(notice.key, notice.values)}</p>}</div>
      <FormError>{alert && t(alert.key, { ...alert.values, defaultValue: t('errors:unknown') })}</FormError>

      <dl className="facts">
        <dt>{t('users:fields.phone')}</dt>
        <dd dir="ltr">{user.phone}</dd>
        <dt>{t('users:fields.email')}</dt>
        <dd>{user.email ?? <span className="hint">{t('users:detail.none')}</span>}</dd>
        <dt>{t('users:fields.officeArea')}</dt>
        <dd>
          <AreaName id={user.areaId} />
        </dd>
        <dt>{t('users:fields.language')}</dt>
        <dd lang={language?.code}>{language?.name ?? user.preferredLanguage}</dd>
        <dt>{t('users:fields.status')}</dt>
        <dd>{t(`common:status.${user.status}`)}</dd>
        <dt>{t('users:fields.createdAt')}</dt>
        <dd>
          <time dateTime={user.createdAt}>{formatDateTime(i18n.language, user.createdAt)}</time>
        </dd>
        <dt>{t('users:fields.updatedAt')}</dt>
        <dd>
          <time dateTime={user.updatedAt}>{formatDateTime(i18n.language, user.updatedAt)}</time>
        </dd>
      </dl>

      <h2>{t('users:assignments.title')}</h2>
      {user.assignments.length === 0 ? (
        <p>{t('users:noRole')}</p>
      ) : (
        <ul className="assignments">
          {user.assignments.map((a) => (
            <li key={a.id} style={{ marginBottom: '0.5rem' }}>
              {t(`common:roles.${a.roleCode}`, { defaultValue: a.roleCode })} · <AreaName id={a.areaId} />
              {manage && (
                <RemoveAssignment
                  userId={user.id}
                  assignment={a}
                  onDone={(res) => changed(res, { key: 'users:assignments.removed' })}
                  onFail={failed}
                />
              )}
            </li>
          ))}
        </ul>
      )}
      {manage && (
        <AddAssignment
          user={user}
          onDone={(res, added) =>
            changed(res, { key: added ? 'users:assignments.added' : 'users:assignments.alreadyHeld' })
          }
        />
      )}

      {manage && (
        <EditUser
          // A new form when the saved details change (after a save or a reload); not after a role change.
          key={`${user.name}|${user.email}|${user.preferredLanguage}|${user.areaId}`}
          user={user}
          etag={etag}
          conflict={conflict}
          onDone={(res) => changed(res, { key: 'users:edit.saved' })}
          onConflict={async () => {
            await queryClient.invalidateQueries({ queryKey: ['user', id] });
            setNotice(null);
            setConflict(true);
          }}
        />
      )}

      {manage && (
        <StatusControl
          user={user}
          isSelf={isSelf}
          onDone={(res) =>
            changed(res, {
              key: res.data.status === 'disabled' ? 'users:status.disabledDone' : 'users:status.enabledDone',
            })
          }
          onFail={failed}
        />
      )}
    </section>
  );
}

/** Two steps: "Remove", then "Confirm: remove" or "Cancel". */
function RemoveAssignment({
  userId,
  assignment,
  onDone,
  onFail,
}: {
  userId: string;
  assignment: UserDto['assignments'][number];
  onDone(res: ApiResponse<UserDto>): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation(['users', 'common']);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const role = t(`common:roles.${assignment.roleCode}`, { defaultValue: assignment.roleCode });
  const describe = (
    <span className="visually-hidden">
      {role} · <AreaName id={assignment.areaId} />
    </span>
  );

  async function remove() {
    setBusy(true);
    try {
      onDone(await api<UserDto>(`/users/${userId}/assignments/${assignment.id}`, { method: 'DELETE' }));
    } catch (err) {
      onFail(err);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <ConfirmStep
      confirming={confirming}
      setConfirming={setConfirming}
      start={
        <>
          {t('users:assignments.remove')} {describe}
        </>
      }
      confirm={
        <>
          {t('users:assignments.confirmRemove')} {describe}
        </>
      }
      busy={busy}
      onConfirm={remove}
      inline
    />
  );
}

/**
 * A consequential action asks once more on the page itself (no browser dialog): the first button
 * gives way to "Confirm: …" and "Cancel"; focus follows, and returns on cancel.
 */
function ConfirmStep({
  confirming,
  setConfirming,
  start,
  confirm,
  describedBy,
  busy,
  onConfirm,
  danger = true,
  startDisabled = false,
  inline = false,
}: {
  confirming: boolean;
  setConfirming(v: boolean): void;
  start: ReactNode;
  confirm: ReactNode;
  /** Id of the text that says what confirming does. */
  describedBy?: string;
  busy: boolean;
  onConfirm(): void;
  danger?: boolean;
  startDisabled?: boolean;
  inline?: boolean;
}) {
  const { t } = useTranslation('users');
  const startRef = useRef<HTMLButtonElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const wasConfirming = useRef(false);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
    else if (wasConfirming.current) startRef.current?.focus();
    wasConfirming.current = confirming;
  }, [confirming]);
  const style = inline ? { display: 'inline-flex', margin: '0 0 0 0.75rem' } : undefined;

  if (!confirming) {
    return (
      <span className="actions" style={style}>
        <button
          ref={startRef}
          type="button"
          className={danger ? 'button danger' : 'button secondary'}
          disabled={startDisabled}
          onClick={() => setConfirming(true)}
        >
          {start}
        </button>
      </span>
    );
  }
  return (
    <span className="actions" style={style}>
      <button
        ref={confirmRef}
        type="button"
        className={danger ? 'button danger' : 'button primary'}
        aria-describedby={describedBy}
        disabled={busy}
        onClick={onConfirm}
      >
        {confirm}
      </button>
      <button type="button" className="button secondary" disabled={busy} onClick={() => setConfirming(false)}>
        {t('users:cancel')}
      </button>
    </span>
  );
}

function AddAssignment({
  user,
  onDone,
}: {
  user: UserDto;
  onDone(res: ApiResponse<UserDto>, added: boolean): void;
}) {
  const { t } = useTranslation(['users', 'forms']);
  const roles = useGrantableRoles();
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const initial = useMemo(() => ({ roleCode: '', areaId: user.areaId }), [user.areaId]);
  const form = useZodForm(assignmentInput, initial);
  const headingId = useId();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<UserDto>(`/users/${user.id}/assignments`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      form.reset();
      onDone(res, res.data.assignments.length > user.assignments.length);
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate className="panel" aria-labelledby={headingId}>
      <h3 id={headingId} style={{ marginTop: 0 }}>
        {t('users:assignments.addTitle')}
      </h3>
      <SelectField
        label={t('users:fields.role')}
        placeholder={t('users:assignments.chooseRole')}
        options={roles.options}
        required
        {...form.bind('roleCode')}
      />
      {roles.failed && <p className="field-error">{t('users:rolesFailed')}</p>}
      <AreaSelect
        label={t('users:fields.roleArea')}
        allowCountry
        value={form.values.areaId}
        error={form.error('areaId')}
        onChange={(areaId) => form.setField('areaId', areaId)}
      />
      <FormError>{form.formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('users:assignments.adding') : t('users:assignments.add')}
      </button>
    </form>
  );
}

function EditUser({
  user,
  etag,
  conflict,
  onDone,
  onConflict,
}: {
  user: UserDto;
  etag: string | null;
  /** The last save met a newer version (412): the form now shows it and says so. */
  conflict: boolean;
  onDone(res: ApiResponse<UserDto>): void;
  onConflict(): Promise<void>;
}) {
  const { t } = useTranslation(['users', 'forms']);
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  const initial = useMemo(
    () => ({
      name: user.name,
      email: user.email ?? '',
      preferredLanguage: user.preferredLanguage,
      areaId: user.areaId,
    }),
    [user],
  );
  // Only what changed is sent: the audit trail then shows the change, not a rewrite of everything.
  const form = useZodForm(updateUserBody, initial, {
    toInput: (v) => {
      const out: Record<string, unknown> = {};
      if (v.name.trim() !== user.name) out.name = v.name;
      const email = v.email.trim() === '' ? null : v.email;
      if ((email?.trim() ?? null) !== user.email) out.email = email;
      if (v.preferredLanguage !== user.preferredLanguage) out.preferredLanguage = v.preferredLanguage;
      if (v.areaId !== user.areaId) out.areaId = v.areaId;
      return out;
    },
  });

  // After a conflict the form may be new (the details changed): put the person back in it.
  const { formRef } = form;
  useEffect(() => {
    if (conflict) formRef.current?.querySelector('input')?.focus();
  }, [conflict, formRef]);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    if (Object.keys(body).length === 0) {
      form.setFormError('users:edit.nothingChanged');
      return;
    }
    setBusy(true);
    try {
      onDone(
        await api<UserDto>(`/users/${user.id}`, {
          method: 'PATCH',
          body,
          ifMatch: etag ?? undefined,
        }),
      );
    } catch (err) {
      if (err instanceof ApiError && err.code === 'precondition.failed') await onConflict();
      else form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form ref={form.formRef} onSubmit={submit} noValidate className="panel" aria-labelledby={headingId}>
      <h2 id={headingId} style={{ marginTop: 0 }}>
        {t('users:edit.title')}
      </h2>
      <TextField
        label={t('users:fields.name')}
        autoComplete="off"
        required
        maxLength={200}
        {...form.bind('name')}
      />
      <TextField
        label={t('users:fields.email')}
        type="email"
        autoComplete="off"
        optional
        maxLength={200}
        {...form.bind('email')}
      />
      <SelectField
        label={t('users:fields.language')}
        options={LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code }))}
        {...form.bind('preferredLanguage')}
      />
      <AreaSelect
        label={t('users:fields.officeArea')}
        allowCountry
        value={form.values.areaId}
        error={form.error('areaId')}
        onChange={(areaId) => form.setField('areaId', areaId)}
      />
      <FormError>{form.formError ?? (conflict ? t('users:edit.conflict') : null)}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('users:edit.saving') : t('users:edit.save')}
      </button>
    </form>
  );
}

function StatusControl({
  user,
  isSelf,
  onDone,
  onFail,
}: {
  user: UserDto;
  isSelf: boolean;
  onDone(res: ApiResponse<UserDto>): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation('users');
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const disable = user.status === 'active';
  const questionId = useId();

  async function run() {
    setBusy(true);
    try {
      onDone(await api<UserDto>(`/users/${user.id}/${disable ? 'disable' : 'enable'}`, { method: 'POST' }));
      setConfirming(false);
    } catch (err) {
      onFail(err);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="panel" aria-labelledby={`${questionId}-title`}>
      <h2 id={`${questionId}-title`} style={{ marginTop: 0 }}>
        {t('users:status.title')}
      </h2>
      <p>{disable ? t('users:status.activeText') : t('users:status.disabledText')}</p>
      {disable && isSelf ? (
        <p className="hint">{t('users:status.notSelf')}</p>
      ) : (
        <>
          {confirming && (
            <p id={questionId} className="notice">
              {disable ? t('users:status.confirmDisableText') : t('users:status.confirmEnableText')}
            </p>
          )}
          <ConfirmStep
            confirming={confirming}
            setConfirming={setConfirming}
            start={disable ? t('users:status.disable') : t('users:status.enable')}
            confirm={disable ? t('users:status.confirmDisable') : t('users:status.confirmEnable')}
            describedBy={questionId}
            busy={busy}
            danger={disable}
            onConfirm={run}
          />
        </>
      )}
    </section>
  );
}
