import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { createUserBody, type UserDto } from '../../../../shared/schemas/accounts.ts';
import { api, get } from '../../../api/client.ts';
import { useSession } from '../../../app/session.tsx';
import { AreaSelect } from '../../../components/area-select.tsx';
import { tableQueryKey } from '../../../components/data-table.tsx';
import {
  FormError,
  SelectField,
  type SelectOption,
  TextField,
  useIdempotencyKey,
  useZodForm,
} from '../../../components/form.tsx';
import { LANGUAGES } from '../../../i18n/i18n.ts';

interface Role {
  code: string;
  name: string;
  permissions: string[];
}

/**
 * The roles this person may hand out: those whose every permission they hold in one of their
 * assignments' areas. The server decides per area; this only keeps obviously refused roles out of
 * the list.
 */
export function useGrantableRoles(): { options: SelectOption[]; failed: boolean } {
  const { t } = useTranslation('common');
  const { me } = useSession();
  const roles = useQuery({
    queryKey: ['roles'],
    queryFn: ({ signal }) => get<{ items: Role[] }>('/roles', signal),
    staleTime: 300_000,
  });
  const options = useMemo(() => {
    const held = new Set(me?.kind === 'system' ? [] : (me?.grants ?? []).flatMap((g) => g.permissions));
    return (roles.data?.items ?? [])
      .filter((r) => me?.kind === 'system' || r.permissions.every((p) => held.has(p)))
      .map((r) => ({ value: r.code, label: t(`common:roles.${r.code}`, { defaultValue: r.name }) }))
      .sort((a, b) => a.label.localeCompare(b.label));
  }, [roles.data, me, t]);
  return { options, failed: roles.isError };
}

type CreateValues = {
  name: string;
  phone: string;
  email: string;
  password: string;
  preferredLanguage: string;
  areaId: string;
  roleCode: string;
  roleAreaId: string;
};

const toInput = (v: CreateValues) => ({
  name: v.name,
  phone: v.phone.replace(/[\s-]/g, ''),
  email: v.email.trim() || undefined,
  password: v.password || undefined,
  areaId: v.areaId,
  preferredLanguage: v.preferredLanguage,
  assignments: v.roleCode ? [{ roleCode: v.roleCode, areaId: v.roleAreaId }] : [],
});

/** The first assignment is shown as two fields of the form. */
function fieldOf(path: string): string | null | undefined {
  if (path === 'assignments' || path.startsWith('assignments.0.roleCode')) return 'roleCode';
  if (path.startsWith('assignments.0.areaId')) return 'roleAreaId';
  if (path.startsWith('assignments')) return null;
  return undefined;
}

export default function UserCreatePage() {
  const { t, i18n } = useTranslation(['users', 'forms', 'common']);
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const roles = useGrantableRoles();
  const [busy, setBusy] = useState(false);
  const initial = useMemo<CreateValues>(
    () => ({
      name: '',
      phone: '',
      email: '',
      password: '',
      preferredLanguage: i18n.language,
      areaId: '',
      roleCode: '',
      roleAreaId: '',
    }),
    [i18n.language],
  );
  const form = useZodForm(createUserBody, initial, { toInput, fieldOf });
  const title = t('users:create.title');

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  if (!can('users.manage')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('users:create.notAllowed')}</p>
        <Link to="/admin/users">{t('users:backToList')}</Link>
      </section>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<UserDto>('/users', { method: 'POST', body, idempotencyKey: keyFor(body) });
      queryClient.setQueryData(['user', res.data.id], { user: res.data, etag: res.etag });
      await queryClient.invalidateQueries({ queryKey: tableQueryKey('/users') });
      navigate(`/admin/users/${res.data.id}`, { state: { created: true } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const { values, setField } = form;
  return (
    <section aria-labelledby="user-create-title">
      <p>
        <Link to="/admin/users">{t('users:backToList')}</Link>
      </p>
      <h1 id="user-create-title">{title}</h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel">
        <TextField
          label={t('users:fields.name')}
          autoComplete="off"
          required
          maxLength={200}
          {...form.bind('name')}
        />
        <TextField
          label={t('users:fields.phone')}
          hint={t('users:create.phoneHint')}
          type="tel"
          inputMode="tel"
          dir="ltr"
          autoComplete="off"
          required
          {...form.bind('phone')}
        />
        <TextField
          label={t('users:fields.email')}
          type="email"
          autoComplete="off"
          optional
          maxLength={200}
          {...form.bind('email')}
        />
        <TextField
          label={t('users:fields.password')}
          hint={t('users:create.passwordHint')}
          type="password"
          autoComplete="new-password"
          optional
          maxLength={200}
          {...form.bind('password')}
        />
        <SelectField
          label={t('users:fields.language')}
          options={LANGUAGES.map((l) => ({ value: l.code, label: l.name, lang: l.code }))}
          {...form.bind('preferredLanguage')}
        />
        <AreaSelect
          label={t('users:fields.officeArea')}
          hint={t('users:create.officeAreaHint')}
          allowCountry
          value={values.areaId}
          error={form.error('areaId')}
          onChange={(areaId) => {
            // The first role is usually held where the office is: follow it until chosen apart.
            if (values.roleAreaId === '' || values.roleAreaId === values.areaId)
              setField('roleAreaId', areaId);
            setField('areaId', areaId);
          }}
        />
        <fieldset
          style={{ border: '1px solid var(--line)', borderRadius: 'var(--radius)', margin: '0 0 1rem' }}
        >
          <legend style={{ fontWeight: 600, padding: '0 0.25rem' }}>{t('users:create.firstRole')}</legend>
          <p className="hint">{t('users:create.firstRoleHint')}</p>
          <SelectField
            label={t('users:fields.role')}
            placeholder={t('users:create.noRole')}
            options={roles.options}
            optional
            {...form.bind('roleCode')}
          />
          {roles.failed && <p className="field-error">{t('users:rolesFailed')}</p>}
          <AreaSelect
            label={t('users:fields.roleArea')}
            allowCountry
            disabled={values.roleCode === ''}
            value={values.roleAreaId}
            error={form.error('roleAreaId')}
            onChange={(areaId) => setField('roleAreaId', areaId)}
          />
        </fieldset>
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('users:create.submitting') : t('users:create.submit')}
          </button>
          <Link to="/admin/users" className="button secondary">
            {t('users:create.cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
