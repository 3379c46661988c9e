import { type FormEvent, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatDate } from '../../../../shared/format.ts';
import type { UserDto } from '../../../../shared/schemas/accounts.ts';
import { useSession } from '../../../app/session.tsx';
import { AreaName } from '../../../app/shell.tsx';
import { AreaSelect } from '../../../components/area-select.tsx';
import { DataTable, type DataTableColumn, useTableFilters } from '../../../components/data-table.tsx';
import { SelectField, TextField } from '../../../components/form.tsx';

const FILTERS = ['q', 'status', 'areaId'] as const;

/** The accounts in the areas the active assignment serves: search, filter, sort, page, CSV. */
export default function UsersPage() {
  const { t, i18n } = useTranslation(['users', 'common', 'forms']);
  const { can } = useSession();
  const title = t('users:list.title');

  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<UserDto>[] = [
    {
      key: 'name',
      header: t('users:fields.name'),
      sortKey: 'name',
      rowHeader: true,
      cell: (u) => <Link to={`/admin/users/${u.id}`}>{u.name}</Link>,
    },
    { key: 'phone', header: t('users:fields.phone'), cell: (u) => <span dir="ltr">{u.phone}</span> },
    {
      key: 'roles',
      header: t('users:fields.roles'),
      cell: (u) =>
        u.assignments.length === 0 ? (
          <span className="hint">{t('users:noRole')}</span>
        ) : (
          [...new Set(u.assignments.map((a) => a.roleCode))]
            .map((code) => t(`common:roles.${code}`, { defaultValue: code }))
            .join(', ')
        ),
    },
    { key: 'area', header: t('users:fields.area'), cell: (u) => <AreaName id={u.areaId} /> },
    { key: 'status', header: t('users:fields.status'), cell: (u) => <StatusBadge status={u.status} /> },
    {
      key: 'createdAt',
      header: t('users:fields.createdAt'),
      sortKey: 'createdAt',
      cell: (u) => <time dateTime={u.createdAt}>{formatDate(i18n.language, u.createdAt)}</time>,
    },
  ];

  return (
    <section aria-labelledby="users-title">
      <h1 id="users-title">{title}</h1>
      {can('users.manage') && (
        <p className="actions">
          <Link to="/admin/users/new" className="button primary">
            {t('users:list.new')}
          </Link>
        </p>
      )}
      <DataTable<UserDto>
        endpoint="/users"
        columns={columns}
        rowKey={(u) => u.id}
        caption={t('users:list.caption')}
        filterParams={FILTERS}
        defaultSort="-createdAt"
        filters={<UserFilters />}
        csv
        csvFileName="accounts.csv"
        emptyText={t('users:list.empty')}
      />
    </section>
  );
}

export function StatusBadge({ status }: { status: 'active' | 'disabled' }) {
  const { t } = useTranslation('common');
  return (
    <span className={`badge ${status === 'active' ? 'ok' : 'off'}`}>{t(`common:status.${status}`)}</span>
  );
}

/** Search text, status and area; applied together with the search button, kept in the address. */
function UserFilters() {
  const { t } = useTranslation(['users', 'common', 'forms']);
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  // Back and forward change the address: the controls follow it.
  useEffect(() => setDraft(values), [values]);

  function submit(e: FormEvent) {
    e.preventDefault();
    apply({ q: draft.q.trim().slice(0, 100), status: draft.status, areaId: draft.areaId });
  }

  return (
    // biome-ignore lint/a11y/useSemanticElements: <search> is not a landmark in the older browsers officers use
    <form role="search" aria-label={t('users:filters.label')} className="filters" onSubmit={submit}>
      <TextField
        label={t('users:filters.q')}
        type="search"
        value={draft.q}
        maxLength={100}
        autoComplete="off"
        onChange={(q) => setDraft((d) => ({ ...d, q }))}
      />
      <SelectField
        label={t('users:fields.status')}
        value={draft.status}
        placeholder={t('users:filters.anyStatus')}
        options={[
          { value: 'active', label: t('common:status.active') },
          { value: 'disabled', label: t('common:status.disabled') },
        ]}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
      <AreaSelect
        label={t('users:filters.area')}
        value={draft.areaId}
        emptyLabel={t('users:filters.anyArea')}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
      <div className="actions" style={{ margin: 0 }}>
        <button type="submit" className="button primary">
          {t('users:filters.apply')}
        </button>
        <button
          type="button"
          className="button secondary"
          onClick={() => {
            setDraft({ q: '', status: '', areaId: '' });
            clear();
          }}
        >
          {t('users:filters.clear')}
        </button>
      </div>
    </form>
  );
}
