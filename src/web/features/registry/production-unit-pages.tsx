import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import type { z } from 'zod';
import { formatNumber } from '../../../shared/format.ts';
import {
  createProductionUnitBody,
  type EnterpriseDto,
  type ProductionUnitDto,
  UNIT_KINDS,
  updateProductionUnitBody,
} from '../../../shared/schemas/enterprises.ts';
import { ApiError, api, get, query } from '../../api/client.ts';
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
import {
  FormError,
  SelectField,
  TextField,
  useIdempotencyKey,
  useZodForm,
  type ZodForm,
} from '../../components/form.tsx';
import { SiteDownstreamPanel } from '../custody/site-downstream.tsx';
import {
  ApplyForLicenceLink,
  DateText,
  EntityHistory,
  Fact,
  HolderLicences,
  ImprovementLink,
  LoadFailed,
  usePageTitle,
  useRegistryFieldError,
} from './registry-shared.tsx';
import { useKeepEditsOnReload } from './use-keep-edits.ts';

/** Capacity units offered; the server accepts any unit code of this shape. */
export const CAPACITY_UNITS = ['t_ore_per_day', 't_per_day', 'm3_per_hour', 'm3_per_day'] as const;

interface EquipmentRow {
  item: string;
  count: string;
}

type Values = {
  kind: string;
  name: string;
  areaId: string;
  latitude: string;
  longitude: string;
  capacityValue: string;
  capacityUnit: string;
  operatorEnterpriseId: string;
  equipment: EquipmentRow[];
};

/** A number typed in any locale's way ("6,4" or "6.4"); the text itself when it is not one. */
function numberOf(s: string): number | string {
  const n = Number(s.trim().replace(',', '.'));
  return s.trim() !== '' && Number.isFinite(n) ? n : s;
}

function toInput(v: Values) {
  const located = v.latitude.trim() !== '' || v.longitude.trim() !== '';
  const sized = v.capacityValue.trim() !== '' || v.capacityUnit !== '';
  return {
    kind: v.kind || undefined,
    name: v.name,
    areaId: v.areaId,
    location: located
      ? { type: 'Point', coordinates: [numberOf(v.longitude), numberOf(v.latitude)] }
      : undefined,
    equipment: v.equipment
      .filter((r) => r.item.trim() !== '' || r.count.trim() !== '')
      .map((r) => ({ item: r.item, count: numberOf(r.count) })),
    capacity: sized ? { value: numberOf(v.capacityValue), unit: v.capacityUnit } : undefined,
    operatorEnterpriseId: v.operatorEnterpriseId || undefined,
  };
}

function fieldOf(path: string): string | null | undefined {
  if (path === 'location.coordinates.0') return 'longitude';
  if (path.startsWith('location')) return 'latitude';
  if (path.startsWith('capacity.unit')) return 'capacityUnit';
  if (path.startsWith('capacity')) return 'capacityValue';
  if (/^equipment\.\d+\.(item|count)$/.test(path)) return path;
  if (path.startsWith('equipment')) return null;
  return undefined;
}

/** Registers a pit, shaft, dredge, washing or processing plant, and who operates it. */
export function ProductionUnitCreatePage() {
  const { t } = useTranslation(['registry', 'forms', 'errors']);
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const [params] = useSearchParams();
  const [busy, setBusy] = useState(false);
  const initial = useMemo<Values>(
    () => ({
      kind: '',
      name: '',
      areaId: '',
      latitude: '',
      longitude: '',
      capacityValue: '',
      capacityUnit: '',
      operatorEnterpriseId: params.get('operatorEnterpriseId') ?? '',
      equipment: [{ item: '', count: '' }],
    }),
    [params],
  );
  const form = useZodForm(createProductionUnitBody, initial, { toInput, fieldOf });
  const fieldError = useRegistryFieldError(form);
  const title = t('registry:unitNew.title');
  usePageTitle(title);
  const back = form.values.operatorEnterpriseId
    ? `/registry/enterprises/${form.values.operatorEnterpriseId}`
    : '/registry/enterprises';

  if (!can('registry.write')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('registry:notAllowed')}</p>
        <Link to="/registry/enterprises">{t('registry:enterprises.back')}</Link>
      </section>
    );
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<ProductionUnitDto>('/production-units', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      queryClient.setQueryData(['production-unit', res.data.id], res.data);
      void queryClient.invalidateQueries({ queryKey: ['enterprise-units'] });
      navigate(`/registry/production-units/${res.data.id}`, { state: { created: true } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="unit-create-title">
      <p>
        <Link to={back}>{t('registry:back')}</Link>
      </p>
      <h1 id="unit-create-title">{title}</h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel registry-form">
        <UnitFields form={form} fieldError={fieldError} />
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('registry:saving') : t('registry:unitNew.submit')}
          </button>
          <Link to={back} className="button secondary">
            {t('registry:cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

/** The fields of a production unit, shared by the register and edit screens. */
function UnitFields({
  form,
  fieldError,
}: {
  form: Pick<ZodForm<z.ZodType, Values>, 'values' | 'setField' | 'bind' | 'error'>;
  fieldError(field: string): string | undefined;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const { values, setField } = form;
  const bind = (key: Exclude<keyof Values, 'equipment'>) => ({ ...form.bind(key), error: fieldError(key) });
  const setRow = (i: number, row: Partial<EquipmentRow>) =>
    setField(
      'equipment',
      values.equipment.map((r, j) => (j === i ? { ...r, ...row } : r)),
    );
  return (
    <>
      <SelectField
        label={t('registry:unit.kind')}
        placeholder={t('registry:choose')}
        options={UNIT_KINDS.map((k) => ({ value: k, label: t(`registry:unitKinds.${k}`) }))}
        required
        {...bind('kind')}
      />
      <TextField
        label={t('registry:unit.name')}
        autoComplete="off"
        required
        maxLength={200}
        {...bind('name')}
      />
      <AreaSelect
        label={t('registry:area')}
        value={values.areaId}
        error={fieldError('areaId')}
        onChange={(areaId) => setField('areaId', areaId)}
      />
      <fieldset className="registry-fieldset">
        <legend>
          {t('registry:unit.location')} <span className="hint">{t('forms:optional')}</span>
        </legend>
        <p className="hint">{t('registry:unitNew.locationHint')}</p>
        <div className="field-row">
          <TextField
            label={t('registry:unit.latitude')}
            inputMode="decimal"
            dir="ltr"
            autoComplete="off"
            {...bind('latitude')}
          />
          <TextField
            label={t('registry:unit.longitude')}
            inputMode="decimal"
            dir="ltr"
            autoComplete="off"
            {...bind('longitude')}
          />
        </div>
      </fieldset>
      <fieldset className="registry-fieldset">
        <legend>
          {t('registry:unit.equipment')} <span className="hint">{t('forms:optional')}</span>
        </legend>
        {values.equipment.map((row, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows have no identity but their place
          <div className="member-actions" key={i} style={{ marginBottom: '0.75rem' }}>
            <TextField
              label={t('registry:unit.equipmentItem', { n: i + 1 })}
              autoComplete="off"
              maxLength={100}
              value={row.item}
              error={form.error(`equipment.${i}.item`)}
              onChange={(item) => setRow(i, { item })}
            />
            <TextField
              label={t('registry:unit.equipmentCount', { n: i + 1 })}
              inputMode="numeric"
              autoComplete="off"
              maxLength={6}
              value={row.count}
              error={form.error(`equipment.${i}.count`)}
              onChange={(count) => setRow(i, { count })}
              style={{ width: '6rem' }}
            />
            {values.equipment.length > 1 && (
              <button
                type="button"
                className="button secondary"
                onClick={() =>
                  setField(
                    'equipment',
                    values.equipment.filter((_, j) => j !== i),
                  )
                }
              >
                {t('registry:unitNew.removeItem', { n: i + 1 })}
              </button>
            )}
          </div>
        ))}
        <button
          type="button"
          className="button secondary"
          onClick={() => setField('equipment', [...values.equipment, { item: '', count: '' }])}
        >
          {t('registry:unitNew.addItem')}
        </button>
      </fieldset>
      <fieldset className="registry-fieldset">
        <legend>
          {t('registry:unit.capacity')} <span className="hint">{t('forms:optional')}</span>
        </legend>
        <div className="field-row">
          <TextField
            label={t('registry:unit.capacityValue')}
            inputMode="decimal"
            autoComplete="off"
            {...bind('capacityValue')}
          />
          <SelectField
            label={t('registry:unit.capacityUnit')}
            placeholder={t('registry:choose')}
            options={CAPACITY_UNITS.map((u) => ({ value: u, label: t(`registry:capacityUnits.${u}`) }))}
            {...bind('capacityUnit')}
          />
        </div>
      </fieldset>
      <OperatorPicker
        value={values.operatorEnterpriseId}
        error={fieldError('operatorEnterpriseId')}
        onChange={(id) => setField('operatorEnterpriseId', id)}
      />
    </>
  );
}

/** The operating enterprise: chosen by a name search, or given by the page that led here. */
function OperatorPicker({
  value,
  error,
  onChange,
}: {
  value: string;
  error: string | undefined;
  onChange(id: string): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const chosen = useQuery({
    queryKey: ['enterprise-name', value],
    queryFn: ({ signal }) => get<EnterpriseDto>(`/enterprises/${value}`, signal),
    enabled: value !== '',
  });
  const results = useQuery({
    queryKey: ['enterprise-picker', q],
    queryFn: ({ signal }) => get<{ items: EnterpriseDto[] }>(`/enterprises${query({ q, limit: 8 })}`, signal),
    enabled: q !== '',
  });

  return (
    <fieldset className="registry-fieldset">
      <legend>
        {t('registry:unit.operator')} <span className="hint">{t('forms:optional')}</span>
      </legend>
      {error && <p className="field-error">{error}</p>}
      {value !== '' ? (
        <p>
          {chosen.data ? chosen.data.name : t('registry:loading')}{' '}
          <button type="button" className="button secondary" onClick={() => onChange('')}>
            {t('registry:unitNew.noOperator')}
          </button>
        </p>
      ) : (
        <>
          <div className="member-actions">
            <TextField
              label={t('registry:unitNew.findOperator')}
              type="search"
              value={text}
              maxLength={200}
              autoComplete="off"
              onChange={setText}
              onKeyDown={(ev) => {
                if (ev.key === 'Enter') {
                  ev.preventDefault();
                  setQ(text.trim());
                }
              }}
            />
            <button type="button" className="button secondary" onClick={() => setQ(text.trim())}>
              {t('registry:members.findButton')}
            </button>
          </div>
          <div role="status">
            {q !== '' && results.data && results.data.items.length === 0 && (
              <p>{t('registry:members.noMatch')}</p>
            )}
          </div>
          {q !== '' && results.data && results.data.items.length > 0 && (
            <ul className="search-results">
              {results.data.items.map((e) => (
                <li key={e.id}>
                  <span>{e.name}</span>
                  <button type="button" className="button secondary" onClick={() => onChange(e.id)}>
                    {t('registry:members.choose')}
                    <span className="visually-hidden"> {e.name}</span>
                  </button>
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </fieldset>
  );
}

/** One production unit: what it is, where, its equipment and capacity, operator, licences, history. */
export function ProductionUnitDetailPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation(['registry', 'errors']);
  const location = useLocation();
  const arrived = location.state as { created?: boolean; saved?: boolean } | null;
  const { can } = useSession();
  const result = useQuery({
    queryKey: ['production-unit', id],
    queryFn: ({ signal }) => get<ProductionUnitDto>(`/production-units/${id}`, signal),
  });
  const operator = useQuery({
    queryKey: ['enterprise-name', result.data?.operatorEnterpriseId],
    queryFn: ({ signal }) => get<EnterpriseDto>(`/enterprises/${result.data!.operatorEnterpriseId}`, signal),
    enabled: Boolean(result.data?.operatorEnterpriseId),
  });
  const title = result.data?.name ?? t('registry:unit.title');
  usePageTitle(title);

  if (result.isPending) return <p className="loading">{t('registry:loading')}</p>;
  if (result.isError) {
    return (
      <LoadFailed
        error={result.error}
        back="/registry/enterprises"
        backText={t('registry:enterprises.back')}
        title={t('registry:unit.title')}
      />
    );
  }
  const u = result.data;
  const num = (n: number) => formatNumber(i18n.language, n);
  const back = u.operatorEnterpriseId
    ? `/registry/enterprises/${u.operatorEnterpriseId}`
    : '/registry/production-units';

  return (
    <section aria-labelledby="unit-title">
      <p>
        <Link to={back}>{t('registry:back')}</Link>
      </p>
      <h1 id="unit-title">{u.name}</h1>
      <div role="status">
        {arrived?.created && <p className="notice">{t('registry:unitNew.created')}</p>}
        {arrived?.saved && <p className="notice">{t('registry:unitEdit.saved')}</p>}
      </div>
      <div className="actions">
        {can('registry.write') && (
          <Link to={`/registry/production-units/${u.id}/edit`} className="button secondary">
            {t('registry:unitEdit.link')}
          </Link>
        )}
        <ApplyForLicenceLink holderKind="production_unit" holderId={u.id} />
        <ImprovementLink subjectKind="production_unit" subjectId={u.id} />
      </div>
      <dl className="registry-facts">
        <Fact label={t('registry:reference')}>
          <span dir="ltr">{u.reference}</span>
        </Fact>
        <Fact label={t('registry:unit.kind')}>{t(`registry:unitKinds.${u.kind}`)}</Fact>
        <Fact label={t('registry:area')}>
          <AreaName id={u.areaId} />
        </Fact>
        <Fact label={t('registry:unit.location')}>
          {u.location && (
            <span dir="ltr">
              {t('registry:unit.latLon', {
                lat: num(u.location.coordinates[1]),
                lon: num(u.location.coordinates[0]),
              })}
            </span>
          )}
        </Fact>
        <Fact label={t('registry:unit.capacity')}>
          {u.capacity &&
            `${num(u.capacity.value)} ${t(`registry:capacityUnits.${u.capacity.unit}`, { defaultValue: u.capacity.unit })}`}
        </Fact>
        <Fact label={t('registry:unit.operator')}>
          {u.operatorEnterpriseId && (
            <Link to={`/registry/enterprises/${u.operatorEnterpriseId}`}>
              {operator.data?.name ?? t('registry:unit.operatorLink')}
            </Link>
          )}
        </Fact>
        <Fact label={t('registry:registeredAt')}>
          <DateText value={u.createdAt} withTime />
        </Fact>
      </dl>
      <h2>{t('registry:unit.equipment')}</h2>
      {u.equipment.length === 0 ? (
        <p>{t('registry:unit.noEquipment')}</p>
      ) : (
        <ul className="record-list">
          {u.equipment.map((e, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list, shown once
            <li key={i}>
              {e.item}: {num(e.count)}
            </li>
          ))}
        </ul>
      )}
      <HolderLicences holderKind="production_unit" holderId={u.id} />
      {can('custody.read') && <SiteDownstreamPanel siteId={u.id} />}
      <EntityHistory entityType="production_unit" entityId={u.id} />
    </section>
  );
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function unitValuesOf(u: ProductionUnitDto): Values {
  return {
    kind: u.kind,
    name: u.name,
    areaId: u.areaId,
    latitude: u.location ? String(u.location.coordinates[1]) : '',
    longitude: u.location ? String(u.location.coordinates[0]) : '',
    capacityValue: u.capacity ? String(u.capacity.value) : '',
    capacityUnit: u.capacity?.unit ?? '',
    operatorEnterpriseId: u.operatorEnterpriseId ?? '',
    equipment:
      u.equipment.length > 0
        ? u.equipment.map((e) => ({ item: e.item, count: String(e.count) }))
        : [{ item: '', count: '' }],
  };
}

/** Only what changed is sent; an emptied location, capacity or operator is sent as null (removed). */
function unitChangesOf(u: ProductionUnitDto, v: Values): Record<string, unknown> {
  const full = toInput(v);
  const out: Record<string, unknown> = {};
  if (full.kind !== u.kind) out.kind = full.kind;
  if (v.name.trim() !== u.name) out.name = v.name;
  if (v.areaId !== u.areaId) out.areaId = v.areaId;
  if (!same(full.location, u.location)) out.location = full.location ?? null;
  if (!same(full.equipment, u.equipment)) out.equipment = full.equipment;
  if (!same(full.capacity, u.capacity)) out.capacity = full.capacity ?? null;
  if ((full.operatorEnterpriseId ?? null) !== u.operatorEnterpriseId)
    out.operatorEnterpriseId = full.operatorEnterpriseId ?? null;
  return out;
}

/** Changes a production unit: kind, name, area, location, equipment, capacity, operator. */
export function ProductionUnitEditPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  // Read with its ETag, which the change must send back (If-Match).
  const result = useQuery({
    queryKey: ['production-unit-edit', id],
    queryFn: async ({ signal }) => {
      const res = await api<ProductionUnitDto>(`/production-units/${id}`, { signal });
      return { unit: res.data, etag: res.etag };
    },
  });
  const title = t('registry:unitEdit.title');
  usePageTitle(result.data ? `${title}: ${result.data.unit.name}` : title);

  if (result.isPending) return <p className="loading">{t('registry:loading')}</p>;
  if (result.isError) {
    return (
      <LoadFailed
        error={result.error}
        back="/registry/production-units"
        backText={t('registry:unitsList.back')}
        title={title}
      />
    );
  }
  const back = `/registry/production-units/${id}`;
  if (!can('registry.write')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('registry:notAllowed')}</p>
        <Link to={back}>{t('registry:back')}</Link>
      </section>
    );
  }
  return (
    <UnitEditForm unit={result.data.unit} etag={result.data.etag} onConflict={() => void result.refetch()} />
  );
}

function UnitEditForm({
  unit,
  etag,
  onConflict,
}: {
  unit: ProductionUnitDto;
  etag: string | null;
  onConflict(): void;
}) {
  const { t } = useTranslation(['registry', 'forms', 'errors']);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const initial = useMemo(() => unitValuesOf(unit), [unit]);
  const form = useZodForm(updateProductionUnitBody, initial, {
    toInput: (v) => unitChangesOf(unit, v),
    fieldOf,
  });
  useKeepEditsOnReload(form, initial);
  const fieldError = useRegistryFieldError(form);
  const back = `/registry/production-units/${unit.id}`;

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    if (Object.keys(body).length === 0) {
      form.setFormError('registry:personEdit.nothingChanged');
      return;
    }
    setBusy(true);
    try {
      const res = await api<ProductionUnitDto>(`/production-units/${unit.id}`, {
        method: 'PATCH',
        body,
        ifMatch: etag ?? undefined,
      });
      queryClient.setQueryData(['production-unit', unit.id], res.data);
      queryClient.setQueryData(['production-unit-edit', unit.id], { unit: res.data, etag: res.etag });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/production-units') });
      void queryClient.invalidateQueries({ queryKey: ['enterprise-units'] });
      void queryClient.invalidateQueries({ queryKey: ['entity-history', 'production_unit', unit.id] });
      navigate(back, { state: { saved: true } });
    } catch (err) {
      // Changed by someone else since it was opened: the message says so, and the unit (with its
      // new ETag) is read again; the values typed here stay for the user to look at again.
      if (err instanceof ApiError && err.code === 'precondition.failed') onConflict();
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="unit-edit-title">
      <p>
        <Link to={back}>{t('registry:back')}</Link>
      </p>
      <h1 id="unit-edit-title">
        {t('registry:unitEdit.title')}: {unit.name}
      </h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel registry-form">
        <UnitFields form={form} fieldError={fieldError} />
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('registry:saving') : t('registry:unitEdit.save')}
          </button>
          <Link to={back} className="button secondary">
            {t('registry:cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}

const UNIT_FILTERS = ['q', 'kind', 'areaId'] as const;

/** The production units in the areas the user serves: search by name or reference, kind, area. */
export function ProductionUnitsPage() {
  const { t } = useTranslation(['registry', 'common']);
  const { can } = useSession();
  const title = t('registry:unitsList.title');
  usePageTitle(title);

  const columns: DataTableColumn<ProductionUnitDto>[] = [
    {
      key: 'name',
      header: t('registry:unit.name'),
      rowHeader: true,
      cell: (u) => <Link to={`/registry/production-units/${u.id}`}>{u.name}</Link>,
    },
    { key: 'reference', header: t('registry:reference'), cell: (u) => <span dir="ltr">{u.reference}</span> },
    { key: 'kind', header: t('registry:unit.kind'), cell: (u) => t(`registry:unitKinds.${u.kind}`) },
    { key: 'area', header: t('registry:area'), cell: (u) => <AreaName id={u.areaId} /> },
    {
      key: 'operator',
      header: t('registry:unit.operator'),
      cell: (u) =>
        u.operatorEnterpriseId ? (
          <Link to={`/registry/enterprises/${u.operatorEnterpriseId}`}>
            {t('registry:unit.operatorLink')}
          </Link>
        ) : (
          ''
        ),
    },
  ];

  return (
    <section aria-labelledby="units-title">
      <h1 id="units-title">{title}</h1>
      <p>{t('registry:unitsList.intro')}</p>
      {can('registry.write') && (
        <p className="actions">
          <Link to="/registry/production-units/new" className="button primary">
            {t('registry:unitNew.title')}
          </Link>
        </p>
      )}
      <DataTable<ProductionUnitDto>
        endpoint="/production-units"
        columns={columns}
        rowKey={(u) => u.id}
        caption={t('registry:unitsList.caption')}
        filterParams={UNIT_FILTERS}
        filters={<UnitFilters />}
        emptyText={t('registry:unitsList.empty')}
      />
    </section>
  );
}

function UnitFilters() {
  const { t } = useTranslation(['registry', 'common']);
  const { values, apply, clear } = useTableFilters(UNIT_FILTERS);
  const [draft, setDraft] = useState(values);
  useEffect(() => setDraft(values), [values]);

  return (
    <FilterForm
      label={t('registry:unitsList.filters')}
      onApply={() => apply({ q: draft.q.trim().slice(0, 200), kind: draft.kind, areaId: draft.areaId })}
      onClear={() => {
        setDraft({ q: '', kind: '', areaId: '' });
        clear();
      }}
    >
      <TextField
        label={t('registry:unitsList.search')}
        hint={t('registry:unitsList.searchHint')}
        type="search"
        value={draft.q}
        maxLength={200}
        autoComplete="off"
        onChange={(q) => setDraft((d) => ({ ...d, q }))}
      />
      <SelectField
        label={t('registry:unit.kind')}
        value={draft.kind}
        placeholder={t('registry:any')}
        options={UNIT_KINDS.map((k) => ({ value: k, label: t(`registry:unitKinds.${k}`) }))}
        onChange={(kind) => setDraft((d) => ({ ...d, kind }))}
      />
      <AreaSelect
        label={t('registry:area')}
        value={draft.areaId}
        emptyLabel={t('registry:anyArea')}
        onChange={(areaId) => setDraft((d) => ({ ...d, areaId }))}
      />
    </FilterForm>
  );
}
