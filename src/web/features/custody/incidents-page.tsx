import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { formatDate } from '../../../shared/format.ts';
import { uuidv7 } from '../../../shared/ids.ts';
import {
  annexClassOf,
  createIncidentBody,
  INCIDENT_CATEGORIES,
  INCIDENT_STATUSES,
  type IncidentCategory,
  type IncidentDto,
} from '../../../shared/schemas/custody-oversight.ts';
import { api, get, query } from '../../api/client.ts';
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
import { HolderName } from '../licensing/licensing-common.tsx';
import { TextAreaField } from '../registry/registry-shared.tsx';
import { useActors } from './custody-common.tsx';
import { today } from './event-fields.tsx';
import { AnnexClassBadge, DisengageNote, IncidentStatusBadge } from './oversight-common.tsx';

const FILTERS = ['status', 'annexClass', 'areaId'] as const;

/**
 * The incident register (OECD Annex II) of the user's areas, newest first, and recording one more:
 * community monitors and officers say what they saw, where and when.
 */
export default function IncidentsPage() {
  const { t, i18n } = useTranslation(['custody-oversight', 'common']);
  const { can } = useSession();
  const title = t('custody-oversight:incidentList.title');
  useEffect(() => {
    document.title = `${title} · OpenASM`;
  }, [title]);

  const columns: DataTableColumn<IncidentDto>[] = [
    {
      key: 'category',
      header: t('custody-oversight:fields.category'),
      rowHeader: true,
      cell: (i) => (
        <Link to={`/custody/incidents/${i.id}`}>{t(`custody-oversight:categories.${i.category}`)}</Link>
      ),
    },
    {
      key: 'class',
      header: t('custody-oversight:fields.annexClass'),
      cell: (i) => <AnnexClassBadge annexClass={i.annexClass} />,
    },
    {
      key: 'status',
      header: t('custody-oversight:fields.status'),
      cell: (i) => <IncidentStatusBadge status={i.status} />,
    },
    {
      key: 'where',
      header: t('custody-oversight:fields.where'),
      cell: (i) => <IncidentPlace incident={i} />,
    },
    {
      key: 'observed',
      header: t('custody-oversight:fields.observedAt'),
      cell: (i) => formatDate(i18n.language, i.observedAt),
    },
    {
      key: 'plan',
      header: t('custody-oversight:fields.plan'),
      cell: (i) =>
        i.plan.length === 0
          ? t('custody-oversight:incidentList.noPlan')
          : t('custody-oversight:incidentList.planDone', {
              done: i.plan.filter((a) => a.done).length,
              total: i.plan.length,
            }),
    },
  ];

  return (
    <section aria-labelledby="incidents-title" className="custody-page oversight-page">
      <h1 id="incidents-title">{title}</h1>
      <p>{t('custody-oversight:incidentList.intro')}</p>
      <DisengageNote />
      {can('incidents.record') && <IncidentCreateForm />}
      <DataTable<IncidentDto>
        endpoint="/custody/incidents"
        columns={columns}
        rowKey={(i) => i.id}
        caption={t('custody-oversight:incidentList.caption')}
        filterParams={FILTERS}
        filters={<IncidentFilters />}
        emptyText={t('custody-oversight:incidentList.empty')}
      />
    </section>
  );
}

/** Where an incident was seen: its site when the user may read the registry, else its area. */
export function IncidentPlace({ incident }: { incident: IncidentDto }) {
  const { can } = useSession();
  if (incident.siteId && can('registry.read'))
    return <HolderName kind="production_unit" id={incident.siteId} link />;
  return <AreaName id={incident.areaId} />;
}

function IncidentFilters() {
  const { t } = useTranslation(['custody-oversight', 'common']);
  const { values, apply, clear } = useTableFilters(FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);
  return (
    <FilterForm
      label={t('custody-oversight:incidentList.filters')}
      onApply={() => apply(draft)}
      onClear={() => {
        setDraft({ status: '', annexClass: '', areaId: '' });
        clear();
      }}
    >
      <SelectField
        label={t('custody-oversight:fields.status')}
        value={draft.status}
        placeholder={t('custody-oversight:incidentList.anyStatus')}
        options={INCIDENT_STATUSES.map((s) => ({ value: s, label: t(`custody-oversight:statuses.${s}`) }))}
        onChange={(status) => setDraft((d) => ({ ...d, status }))}
      />
      <SelectField
        label={t('custody-oversight:fields.annexClass')}
        value={draft.annexClass}
        placeholder={t('custody-oversight:incidentList.anyClass')}
        options={(['class_1', 'class_2'] as const).map((c) => ({
          value: c,
          label: t(`custody-oversight:classes.${c}`),
        }))}
        onChange={(annexClass) => setDraft((d) => ({ ...d, annexClass }))}
      />
      <AreaSelect
        label={t('custody-oversight:fields.area')}
        value={draft.areaId}
        emptyLabel={t('custody-oversight:anyArea')}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
    </FilterForm>
  );
}

type Values = {
  category: string;
  siteId: string;
  actorId: string;
  areaId: string;
  date: string;
  description: string;
};

interface Site {
  id: string;
  name: string;
  reference: string;
}

/** The moment observed: now for today, noon UTC of an earlier day (the same day in every African zone). */
function observedAtOf(date: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return undefined;
  return date >= today() ? new Date().toISOString() : `${date}T12:00:00.000Z`;
}

function toInput(v: Values) {
  return {
    category: v.category || undefined,
    siteId: v.siteId || undefined,
    actorId: v.actorId || undefined,
    // The area places the incident only when no site or actor does.
    areaId: v.siteId || v.actorId ? undefined : v.areaId || undefined,
    description: v.description,
    observedAt: observedAtOf(v.date),
  };
}

function IncidentCreateForm() {
  const { t } = useTranslation(['custody-oversight', 'custody', 'forms', 'errors']);
  const { can, active } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const registry = can('registry.read');
  const custody = can('custody.read');
  const sites = useQuery({
    queryKey: ['custody-sites'],
    queryFn: ({ signal }) =>
      get<{ items: Site[] }>(`/production-units${query({ limit: 500 })}`, signal).then((p) => p.items),
    enabled: registry,
    staleTime: 30_000,
  });
  const initial = useMemo<Values>(
    () => ({
      category: '',
      siteId: '',
      actorId: '',
      areaId: active?.areaId ?? '',
      date: today(),
      description: '',
    }),
    [active?.areaId],
  );
  // One id per incident typed: sending it again (a retry on a poor line) records it once.
  const [incidentId] = useState(uuidv7);
  const form = useZodForm(createIncidentBody, initial, {
    toInput,
    fieldOf: (path) => (path === 'observedAt' ? 'date' : undefined),
  });
  const [busy, setBusy] = useState(false);
  const class1 =
    form.values.category !== '' && annexClassOf(form.values.category as IncidentCategory) === 'class_1';

  async function submit(e: FormEvent) {
    e.preventDefault();
    const valid = form.validate();
    if (!valid) return;
    const body = { ...valid, id: incidentId };
    setBusy(true);
    try {
      const res = await api<IncidentDto>('/custody/incidents', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/incidents') });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/custody/flags') });
      navigate(`/custody/incidents/${res.data.id}`, { state: { notice: 'recorded' } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const title = t('custody-oversight:incidentNew.title');
  return (
    <details className="panel">
      <summary>{title}</summary>
      <form ref={form.formRef} onSubmit={submit} noValidate aria-label={title}>
        <FormError>{form.formError}</FormError>
        <SelectField
          label={t('custody-oversight:fields.category')}
          placeholder={t('custody-oversight:incidentNew.chooseCategory')}
          options={INCIDENT_CATEGORIES.map((c) => ({
            value: c,
            label: t(`custody-oversight:categories.${c}`),
          }))}
          {...form.bind('category')}
        />
        {class1 && (
          <p className="disengage-note strong" role="note">
            {t('custody-oversight:incidentNew.class1')}
          </p>
        )}
        {registry && (
          <SelectField
            label={t('custody-oversight:fields.site')}
            optional
            placeholder={t('custody-oversight:incidentNew.noSite')}
            options={(sites.data ?? []).map((s) => ({ value: s.id, label: `${s.name} (${s.reference})` }))}
            {...form.bind('siteId')}
          />
        )}
        {custody && <ActorField {...form.bind('actorId')} />}
        {!form.values.siteId && !form.values.actorId && (
          <AreaSelect
            label={t('custody-oversight:fields.area')}
            hint={t('custody-oversight:incidentNew.areaHint')}
            value={form.values.areaId}
            onChange={(areaId) => form.setField('areaId', areaId)}
            error={form.error('areaId')}
          />
        )}
        <TextField
          label={t('custody-oversight:fields.observedOn')}
          type="date"
          max={today()}
          {...form.bind('date')}
        />
        <TextAreaField
          label={t('custody-oversight:fields.description')}
          hint={t('custody-oversight:incidentNew.descriptionHint')}
          maxLength={5000}
          {...form.bind('description')}
        />
        <button type="submit" className="button primary" disabled={busy}>
          {t('custody-oversight:incidentNew.submit')}
        </button>
      </form>
    </details>
  );
}

/** The custody actor the incident names, for those who may read custody records. */
function ActorField(props: { name: string; value: string; onChange(value: string): void; error?: string }) {
  const { t } = useTranslation(['custody-oversight', 'custody']);
  const actors = useActors();
  return (
    <SelectField
      label={t('custody-oversight:fields.actor')}
      optional
      placeholder={t('custody-oversight:incidentNew.noActor')}
      options={(actors.data ?? []).map((a) => ({
        value: a.id,
        label: `${a.name} (${t(`custody:actorKinds.${a.kind}`)})`,
      }))}
      {...props}
    />
  );
}
