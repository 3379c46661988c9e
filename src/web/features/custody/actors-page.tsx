import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import {
  ACTOR_KINDS,
  ACTOR_STATUSES,
  type ActorDto,
  createActorBody,
} from '../../../shared/schemas/custody.ts';
import { api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import {
  DataTable,
  type DataTableColumn,
  tableQueryKey,
  useTableFilters,
} from '../../components/data-table.tsx';
import { FilterForm } from '../../components/filter-form.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { HolderPicker } from '../licensing/holder-picker.tsx';
import { type HolderKind, HolderName } from '../licensing/licensing-common.tsx';

const FILTERS = ['kind', 'status'] as const;

/** Who holds minerals in the user's areas, and (with custody.record) registering one more. */
export default function ActorsPage() {
  const { t } = useTranslation(['custody', 'due-diligence', 'common']);
  const { can } = useSession();
  const title = t('custody:actors.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<ActorDto>[] = [
    { key: 'name', header: t('custody:fields.name'), rowHeader: true, cell: (a) => a.name },
    { key: 'kind', header: t('custody:fields.actorKind'), cell: (a) => t(`custody:actorKinds.${a.kind}`) },
    { key: 'area', header: t('custody:fields.area'), cell: (a) => <AreaName id={a.areaId} /> },
    { key: 'record', header: t('custody:fields.linked'), cell: (a) => <LinkedRecord actor={a} /> },
    {
      key: 'status',
      header: t('custody:fields.status'),
      cell: (a) => (
        <span className={`badge ${a.status === 'active' ? 'ok' : 'off'}`}>
          {t(`custody:actorStatuses.${a.status}`)}
        </span>
      ),
    },
    {
      key: 'lots',
      header: t('custody:actors.lots'),
      cell: (a) => (
        <Link
          to={`/custody/lots?holderActorId=${a.id}`}
          aria-label={t('custody:actors.lotsOf', { name: a.name })}
        >
          {t('custody:actors.lots')}
        </Link>
      ),
    },
    {
      key: 'report',
      header: t('due-diligence:reportColumn'),
      cell: (a) =>
        a.kind === 'exporter' ? (
          <a
            href={`/api/v1/custody/actors/${a.id}/due-diligence.pdf`}
            download={`due-diligence-${a.name}.pdf`}
            aria-label={t('due-diligence:reportOf', { name: a.name })}
          >
            {t('due-diligence:reportPdf')}
          </a>
        ) : (
          '—'
        ),
    },
  ];

  return (
    <section aria-labelledby="actors-title" className="custody-page">
      <p>
        <Link to="/custody/lots">{t('custody:backToLots')}</Link>
      </p>
      <h1 id="actors-title">{title}</h1>
      {can('custody.record') && <ActorCreateForm />}
      <DataTable<ActorDto>
        endpoint="/custody/actors"
        columns={columns}
        rowKey={(a) => a.id}
        caption={t('custody:actors.caption')}
        filterParams={FILTERS}
        filters={<ActorFilters />}
        emptyText={t('custody:actors.empty')}
      />
    </section>
  );
}

function LinkedRecord({ actor }: { actor: ActorDto }) {
  if (actor.personId) return <HolderName kind="person" id={actor.personId} link />;
  if (actor.enterpriseId) return <HolderName kind="enterprise" id={actor.enterpriseId} link />;
  if (actor.productionUnitId) return <HolderName kind="production_unit" id={actor.productionUnitId} link />;
  return <>—</>;
}

function ActorFilters() {
  const { t } = useTranslation(['custody', 'common']);
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);
  return (
    <FilterForm
      label={t('custody:actors.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        setDraft({ kind: '', status: '' });
        clear();
      }}
    >
      <SelectField
        label={t('custody:fields.actorKind')}
        value={draft.kind}
        placeholder={t('custody:actors.anyKind')}
        options={ACTOR_KINDS.map((k) => ({ value: k, label: t(`custody:actorKinds.${k}`) }))}
        onChange={(kind) => setDraft((d) => ({ ...d, kind }))}
      />
      <SelectField
        label={t('custody:fields.status')}
        value={draft.status}
        placeholder={t('custody:actors.anyStatus')}
        options={ACTOR_STATUSES.map((s) => ({ value: s, label: t(`custody:actorStatuses.${s}`) }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
    </FilterForm>
  );
}

type Values = {
  kind: string;
  name: string;
  areaId: string;
  linked: boolean;
  linkKind: HolderKind;
  linkId: string;
};

const LINK_FIELD: Record<HolderKind, 'personId' | 'enterpriseId' | 'productionUnitId'> = {
  person: 'personId',
  enterprise: 'enterpriseId',
  production_unit: 'productionUnitId',
};

function toInput(v: Values) {
  return {
    kind: v.kind || undefined,
    name: v.name,
    areaId: v.areaId || undefined,
    ...(v.linked && v.linkId ? { [LINK_FIELD[v.linkKind]]: v.linkId } : {}),
  };
}

function ActorCreateForm() {
  const { t } = useTranslation(['custody', 'forms', 'errors']);
  const { active } = useSession();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const initial = useMemo<Values>(
    () => ({
      kind: '',
      name: '',
      areaId: active?.areaId ?? '',
      linked: false,
      linkKind: 'person',
      linkId: '',
    }),
    [active?.areaId],
  );
  const form = useZodForm(createActorBody, initial, {
    toInput,
    fieldOf: (path) => (path.endsWith('Id') && path !== 'areaId' ? 'linkId' : undefined),
  });
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<string | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setCreated(null);
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<ActorDto>('/custody/actors', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      setCreated(res.data.name);
      form.reset(initial);
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/actors') });
      void queryClient.invalidateQueries({ queryKey: ['custody-actors'] });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <details className="panel">
      <summary>{t('custody:actors.create')}</summary>
      <form ref={form.formRef} onSubmit={submit} noValidate aria-label={t('custody:actors.create')}>
        <FormError>{form.formError}</FormError>
        <div role="status">
          {created && <p className="notice">{t('custody:actors.created', { name: created })}</p>}
        </div>
        <SelectField
          label={t('custody:fields.actorKind')}
          placeholder={t('custody:actors.chooseKind')}
          options={ACTOR_KINDS.map((k) => ({ value: k, label: t(`custody:actorKinds.${k}`) }))}
          {...form.bind('kind')}
        />
        <TextField
          label={t('custody:fields.name')}
          maxLength={200}
          autoComplete="off"
          {...form.bind('name')}
        />
        <AreaSelect
          label={t('custody:fields.area')}
          value={form.values.areaId}
          onChange={(areaId) => form.setField('areaId', areaId)}
          error={form.error('areaId')}
        />
        <div className="field">
          <label className="radio">
            <input
              type="checkbox"
              checked={form.values.linked}
              onChange={(e) => form.setField('linked', e.target.checked)}
            />{' '}
            {t('custody:actors.linkToRecord')}
          </label>
        </div>
        {form.values.linked && (
          <HolderPicker
            legend={t('custody:actors.linkedRecord')}
            kind={form.values.linkKind}
            holderId={form.values.linkId}
            error={form.error('linkId')}
            kindError={undefined}
            onKind={(k) => {
              form.setField('linkKind', k);
              form.setField('linkId', '');
            }}
            onChoose={(id) => form.setField('linkId', id)}
          />
        )}
        <button type="submit" className="button primary" disabled={busy}>
          {t('custody:actors.submit')}
        </button>
      </form>
    </details>
  );
}
