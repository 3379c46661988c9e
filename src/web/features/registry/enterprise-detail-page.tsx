import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import {
  addMemberBody,
  ENTERPRISE_FORMS,
  type EnterpriseDetailDto,
  MEMBER_ROLES,
  type MemberDto,
  type ProductionUnitDto,
  SEXES,
  updateEnterpriseBody,
} from '../../../shared/schemas/enterprises.ts';
import type { PersonDto } from '../../../shared/schemas/people.ts';
import { ApiError, type ApiResponse, api, get, query } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import {
  ApplyForLicenceLink,
  DateText,
  EntityHistory,
  Fact,
  HolderLicences,
  ImprovementLink,
  LoadFailed,
  problemKey,
  TextAreaField,
  todayIso,
  useFocusOnChange,
  usePageTitle,
  useRegistryFieldError,
} from './registry-shared.tsx';

interface Loaded {
  enterprise: EnterpriseDetailDto;
  etag: string | null;
}

interface FormChange {
  id: string;
  fromForm: string;
  toForm: string;
  date: string;
  reason: string | null;
}

type Message = { key: string; values?: Record<string, string> } | null;

/**
 * One enterprise: its record, the share of women among members and leaders, members and leadership
 * terms (add, end), changes of legal form, production units, licences and history.
 */
export default function EnterpriseDetailPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const location = useLocation();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const arrived = location.state as { created?: boolean; saved?: boolean } | null;
  const [notice, setNotice] = useState<Message>(
    arrived?.created
      ? { key: 'registry:enterpriseNew.created' }
      : arrived?.saved
        ? { key: 'registry:enterpriseEdit.saved' }
        : null,
  );
  const [alert, setAlert] = useState<Message>(null);

  useEffect(() => {
    const state = location.state as { created?: boolean; saved?: boolean } | null;
    if (state?.created || state?.saved) {
      navigate({ pathname: location.pathname, search: location.search }, { replace: true, state: null });
    }
  }, [location, navigate]);

  const result = useQuery({
    queryKey: ['enterprise', id],
    queryFn: async ({ signal }): Promise<Loaded> => {
      const res = await api<EnterpriseDetailDto>(`/enterprises/${id}`, { signal });
      return { enterprise: res.data, etag: res.etag };
    },
  });
  const title = result.data?.enterprise.name ?? t('registry:enterprise.title');
  usePageTitle(title);

  if (result.isPending) return <p className="loading">{t('registry:loading')}</p>;
  if (result.isError) {
    return (
      <LoadFailed
        error={result.error}
        back="/registry/enterprises"
        backText={t('registry:enterprises.back')}
        title={t('registry:enterprise.title')}
      />
    );
  }
  const { enterprise: e, etag } = result.data;
  const write = can('registry.write');

  const changed = (res: ApiResponse<EnterpriseDetailDto>, message: Message) => {
    queryClient.setQueryData<Loaded>(['enterprise', id], { enterprise: res.data, etag: res.etag });
    void queryClient.invalidateQueries({ queryKey: tableQueryKey('/enterprises') });
    void queryClient.invalidateQueries({ queryKey: ['entity-history', 'enterprise', id] });
    setAlert(null);
    setNotice(message);
  };
  const failed = (err: unknown) => {
    setNotice(null);
    setAlert({ key: problemKey(err) });
  };
  const leaders = e.members.filter((m) => m.leadership && m.current);
  const pay = e.paymentAccount;

  return (
    <section aria-labelledby="enterprise-title">
      <p>
        <Link to="/registry/enterprises">{t('registry:enterprises.back')}</Link>
      </p>
      <h1 id="enterprise-title">{e.name}</h1>
      <div role="status">{notice && <p className="notice">{t(notice.key, notice.values)}</p>}</div>
      <FormError>{alert && t(alert.key, { ...alert.values, defaultValue: t('errors:unknown') })}</FormError>
      <div className="actions">
        {write && (
          <Link to={`/registry/enterprises/${e.id}/edit`} className="button secondary">
            {t('registry:enterpriseEdit.link')}
          </Link>
        )}
        <ApplyForLicenceLink holderKind="enterprise" holderId={e.id} />
        <ImprovementLink subjectKind="enterprise" subjectId={e.id} />
      </div>
      <dl className="registry-facts">
        <Fact label={t('registry:reference')}>
          <span dir="ltr">{e.reference}</span>
        </Fact>
        <Fact label={t('registry:enterprise.form')}>{t(`registry:forms.${e.form}`)}</Fact>
        <Fact label={t('registry:enterprise.status')}>{t(`registry:enterpriseStatus.${e.status}`)}</Fact>
        <Fact label={t('registry:area')}>
          <AreaName id={e.areaId} />
        </Fact>
        <Fact label={t('registry:enterprise.registration')}>
          {e.registration && (
            <>
              {e.registration.authority} · <span dir="ltr">{e.registration.number}</span>
              {e.registration.date && (
                <>
                  {' · '}
                  <DateText value={e.registration.date} />
                </>
              )}
            </>
          )}
        </Fact>
        <Fact label={t('registry:enterprise.paymentAccount')}>
          {pay && (
            <>
              {t(`registry:payKinds.${pay.kind}`)} · {pay.provider} · <span dir="ltr">{pay.account}</span>
            </>
          )}
        </Fact>
        <Fact label={t('registry:enterprise.benefitSharingRules')}>
          {e.benefitSharingRules && <span style={{ whiteSpace: 'pre-wrap' }}>{e.benefitSharingRules}</span>}
        </Fact>
        <Fact label={t('registry:registeredAt')}>
          <DateText value={e.createdAt} withTime />
        </Fact>
      </dl>

      <h2>{t('registry:enterprise.figures')}</h2>
      <ul className="figures">
        <Figure label={t('registry:enterprise.currentMembers')} value={String(e.figures.currentMembers)} />
        <Figure label={t('registry:enterprise.currentLeaders')} value={String(e.figures.currentLeaders)} />
        <Figure
          label={t('registry:enterprise.womenMembers')}
          value={percent(t, e.figures.womenShareOfMembers)}
        />
        <Figure
          label={t('registry:enterprise.womenLeaders')}
          value={percent(t, e.figures.womenShareOfLeaders)}
        />
      </ul>

      <h2>{t('registry:enterprise.leadership')}</h2>
      {leaders.length === 0 ? (
        <p>{t('registry:enterprise.noLeaders')}</p>
      ) : (
        <ul className="record-list">
          {leaders.map((m) => (
            <li key={m.id}>
              {t(`registry:roles.${m.role}`)}: <MemberName member={m} />
              {' · '}
              {t('registry:enterprise.since')} <DateText value={m.startDate} />
              {m.endDate && (
                <>
                  {' · '}
                  {t('registry:enterprise.until')} <DateText value={m.endDate} />
                </>
              )}
            </li>
          ))}
        </ul>
      )}

      <Members enterprise={e} write={write} onDone={changed} onFail={failed} />
      {write && (
        <AddMember enterprise={e} onDone={(res) => changed(res, { key: 'registry:members.added' })} />
      )}
      <FormHistory
        enterprise={e}
        etag={etag}
        write={write}
        onDone={(res) => changed(res, { key: 'registry:formChange.saved' })}
        onConflict={() => void queryClient.invalidateQueries({ queryKey: ['enterprise', id] })}
      />
      <ProductionUnits enterpriseId={e.id} write={write} />
      <HolderLicences holderKind="enterprise" holderId={e.id} />
      <EntityHistory entityType="enterprise" entityId={e.id} />
    </section>
  );
}

function percent(t: (key: string, o?: Record<string, unknown>) => string, value: number | null): string {
  return value === null ? t('registry:enterprise.noOne') : t('registry:percent', { value });
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <li>
      <span className="figure-value">{value}</span>
      {label}
    </li>
  );
}

function MemberName({ member }: { member: MemberDto }) {
  return member.personId ? (
    <Link to={`/registry/people/${member.personId}`}>{member.memberName}</Link>
  ) : (
    member.memberName
  );
}

function Members({
  enterprise,
  write,
  onDone,
  onFail,
}: {
  enterprise: EnterpriseDetailDto;
  write: boolean;
  onDone(res: ApiResponse<EnterpriseDetailDto>, message: Message): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation('registry');
  const headingId = useId();
  const [showEnded, setShowEnded] = useState(false);
  const members = enterprise.members.filter((m) => showEnded || m.endDate === null || m.current);
  const ended =
    enterprise.members.length - enterprise.members.filter((m) => m.endDate === null || m.current).length;
  const state = (m: MemberDto) =>
    m.current ? 'current' : m.endDate !== null && m.endDate < todayIso() ? 'ended' : 'future';

  return (
    <section aria-labelledby={headingId} className="registry-section">
      <h2 id={headingId}>{t('registry:members.title')}</h2>
      {ended > 0 && (
        <label className="radio">
          <input type="checkbox" checked={showEnded} onChange={(ev) => setShowEnded(ev.target.checked)} />
          {t('registry:members.showEnded', { count: ended })}
        </label>
      )}
      <section
        className="table-wrap"
        aria-labelledby={`${headingId}-caption`}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: the region scrolls sideways on small screens
        tabIndex={0}
        // Positioned, so the visually hidden names in the buttons scroll with the table.
        style={{ position: 'relative' }}
      >
        <table>
          <caption id={`${headingId}-caption`} className="visually-hidden">
            {t('registry:members.caption', { name: enterprise.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t('registry:members.name')}</th>
              <th scope="col">{t('registry:members.role')}</th>
              <th scope="col">{t('registry:members.sex')}</th>
              <th scope="col">{t('registry:members.start')}</th>
              <th scope="col">{t('registry:members.end')}</th>
              <th scope="col">{t('registry:members.state')}</th>
              {write && <th scope="col">{t('registry:members.actions')}</th>}
            </tr>
          </thead>
          <tbody>
            {members.length === 0 ? (
              <tr>
                <td colSpan={write ? 7 : 6}>{t('registry:members.empty')}</td>
              </tr>
            ) : (
              members.map((m) => (
                <tr key={m.id}>
                  <th scope="row" style={{ background: 'inherit', whiteSpace: 'normal' }}>
                    <MemberName member={m} />
                  </th>
                  <td>{t(`registry:roles.${m.role}`)}</td>
                  <td>{t(`registry:sexes.${m.sex}`)}</td>
                  <td>
                    <DateText value={m.startDate} />
                  </td>
                  <td>{m.endDate ? <DateText value={m.endDate} /> : ''}</td>
                  <td>{t(`registry:members.states.${state(m)}`)}</td>
                  {write && (
                    <td>
                      {m.endDate === null && (
                        <EndMember enterpriseId={enterprise.id} member={m} onDone={onDone} onFail={onFail} />
                      )}
                    </td>
                  )}
                </tr>
              ))
            )}
          </tbody>
        </table>
      </section>
    </section>
  );
}

/** Ends a membership or term: the button gives way to the end date and a confirmation. */
function EndMember({
  enterpriseId,
  member,
  onDone,
  onFail,
}: {
  enterpriseId: string;
  member: MemberDto;
  onDone(res: ApiResponse<EnterpriseDetailDto>, message: Message): void;
  onFail(err: unknown): void;
}) {
  const { t } = useTranslation('registry');
  const [open, setOpen] = useState(false);
  const [endDate, setEndDate] = useState(todayIso());
  const [busy, setBusy] = useState(false);
  const { onRef, offRef } = useFocusOnChange(open);
  const who = <span className="visually-hidden">{member.memberName}</span>;

  async function end() {
    setBusy(true);
    try {
      const res = await api<EnterpriseDetailDto>(`/enterprises/${enterpriseId}/members/${member.id}/end`, {
        method: 'POST',
        body: { endDate },
      });
      onDone(res, { key: 'registry:members.ended', values: { name: member.memberName } });
    } catch (err) {
      onFail(err);
      setOpen(false);
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button ref={offRef} type="button" className="button secondary" onClick={() => setOpen(true)}>
        {t('registry:members.endStart')} {who}
      </button>
    );
  }
  return (
    <div className="member-actions">
      <TextField
        label={t('registry:members.endDate')}
        type="date"
        value={endDate}
        min={member.startDate}
        onChange={setEndDate}
      />
      <button
        ref={onRef}
        type="button"
        className="button danger"
        disabled={busy || !endDate}
        onClick={() => void end()}
      >
        {t('registry:members.endConfirm')} {who}
      </button>
      <button type="button" className="button secondary" disabled={busy} onClick={() => setOpen(false)}>
        {t('registry:cancel')}
      </button>
    </div>
  );
}

type MemberValues = {
  personId: string;
  memberName: string;
  sex: string;
  role: string;
  startDate: string;
  endDate: string;
};

function AddMember({
  enterprise,
  onDone,
}: {
  enterprise: EnterpriseDetailDto;
  onDone(res: ApiResponse<EnterpriseDetailDto>): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  const initial = useMemo<MemberValues>(
    () => ({ personId: '', memberName: '', sex: '', role: '', startDate: todayIso(), endDate: '' }),
    [],
  );
  const form = useZodForm(addMemberBody, initial, {
    toInput: (v) => ({
      personId: v.personId || undefined,
      memberName: v.memberName,
      sex: v.sex || undefined,
      role: v.role || undefined,
      startDate: v.startDate,
      endDate: v.endDate || undefined,
    }),
  });
  const fieldError = useRegistryFieldError(form);
  const bind = (key: keyof MemberValues) => ({ ...form.bind(key), error: fieldError(key) });
  const [linked, setLinked] = useState<PersonDto | null>(null);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<EnterpriseDetailDto>(`/enterprises/${enterprise.id}/members`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      form.reset();
      setLinked(null);
      onDone(res);
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const leadership = ['chair', 'treasurer', 'secretary'].includes(form.values.role);

  return (
    <form
      ref={form.formRef}
      onSubmit={submit}
      noValidate
      className="panel registry-form registry-section"
      aria-labelledby={headingId}
    >
      <h3 id={headingId} style={{ marginTop: 0 }}>
        {t('registry:members.addTitle')}
      </h3>
      <PersonPicker
        linked={linked}
        onPick={(p) => {
          setLinked(p);
          form.setField('personId', p?.id ?? '');
          if (p) {
            form.setField('memberName', `${p.givenName} ${p.familyName}`);
            if (p.sex === 'female' || p.sex === 'male') form.setField('sex', p.sex);
          }
        }}
      />
      <TextField
        label={t('registry:members.name')}
        autoComplete="off"
        required
        maxLength={200}
        {...bind('memberName')}
      />
      <div className="field-row">
        <SelectField
          label={t('registry:members.sex')}
          placeholder={t('registry:choose')}
          options={SEXES.map((s) => ({ value: s, label: t(`registry:sexes.${s}`) }))}
          {...bind('sex')}
        />
        <SelectField
          label={t('registry:members.role')}
          hint={t('registry:members.roleHint')}
          placeholder={t('registry:choose')}
          options={MEMBER_ROLES.map((r) => ({ value: r, label: t(`registry:roles.${r}`) }))}
          {...bind('role')}
        />
      </div>
      <div className="field-row">
        <TextField label={t('registry:members.start')} type="date" {...bind('startDate')} />
        <TextField
          label={leadership ? t('registry:members.termEnd') : t('registry:members.end')}
          type="date"
          optional
          {...bind('endDate')}
        />
      </div>
      <FormError>{form.formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {busy ? t('registry:saving') : t('registry:members.add')}
      </button>
    </form>
  );
}

/** Finds the member in the people registry, so the membership points at the person's record. */
function PersonPicker({ linked, onPick }: { linked: PersonDto | null; onPick(p: PersonDto | null): void }) {
  const { t } = useTranslation('registry');
  const [text, setText] = useState('');
  const [q, setQ] = useState('');
  const results = useQuery({
    queryKey: ['person-picker', q],
    queryFn: ({ signal }) => get<{ items: PersonDto[] }>(`/people${query({ q, limit: 8 })}`, signal),
    enabled: q !== '',
  });

  if (linked) {
    return (
      <p className="notice">
        {t('registry:members.linked', { name: `${linked.givenName} ${linked.familyName}` })}{' '}
        <span dir="ltr">{linked.reference}</span>{' '}
        <button type="button" className="button secondary" onClick={() => onPick(null)}>
          {t('registry:members.unlink')}
        </button>
      </p>
    );
  }
  return (
    <div className="registry-fieldset">
      <div className="member-actions">
        <TextField
          label={t('registry:members.find')}
          hint={t('registry:members.findHint')}
          type="search"
          value={text}
          maxLength={200}
          autoComplete="off"
          optional
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
          {results.data.items.map((p) => (
            <li key={p.id}>
              <span>
                {p.givenName} {p.familyName} · <span dir="ltr">{p.reference}</span>
              </span>
              <button type="button" className="button secondary" onClick={() => onPick(p)}>
                {t('registry:members.choose')}
                <span className="visually-hidden">
                  {' '}
                  {p.givenName} {p.familyName}
                </span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function FormHistory({
  enterprise,
  etag,
  write,
  onDone,
  onConflict,
}: {
  enterprise: EnterpriseDetailDto;
  etag: string | null;
  write: boolean;
  onDone(res: ApiResponse<EnterpriseDetailDto>): void;
  onConflict(): void;
}) {
  const { t } = useTranslation(['registry', 'errors']);
  const headingId = useId();
  const history = useQuery({
    queryKey: ['enterprise-history', enterprise.id, enterprise.version],
    queryFn: ({ signal }) => get<{ items: FormChange[] }>(`/enterprises/${enterprise.id}/history`, signal),
  });
  return (
    <section aria-labelledby={headingId} className="registry-section">
      <h2 id={headingId}>{t('registry:formChange.title')}</h2>
      {history.isPending ? (
        <p className="hint">{t('registry:loading')}</p>
      ) : history.isError ? (
        <p className="form-error">{t(problemKey(history.error), { defaultValue: t('errors:unknown') })}</p>
      ) : history.data.items.length === 0 ? (
        <p>{t('registry:formChange.none', { form: t(`registry:forms.${enterprise.form}`) })}</p>
      ) : (
        <ol className="record-list">
          {history.data.items.map((c) => (
            <li key={c.id}>
              <DateText value={c.date} />
              {': '}
              {t('registry:formChange.fromTo', {
                from: t(`registry:forms.${c.fromForm}`, { defaultValue: c.fromForm }),
                to: t(`registry:forms.${c.toForm}`, { defaultValue: c.toForm }),
              })}
              {c.reason && <span className="hint"> — {c.reason}</span>}
            </li>
          ))}
        </ol>
      )}
      {write && <ChangeForm enterprise={enterprise} etag={etag} onDone={onDone} onConflict={onConflict} />}
    </section>
  );
}

function ChangeForm({
  enterprise,
  etag,
  onDone,
  onConflict,
}: {
  enterprise: EnterpriseDetailDto;
  etag: string | null;
  onDone(res: ApiResponse<EnterpriseDetailDto>): void;
  onConflict(): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const [busy, setBusy] = useState(false);
  const headingId = useId();
  const initial = useMemo(() => ({ form: '', date: todayIso(), reason: '' }), []);
  const form = useZodForm(updateEnterpriseBody, initial, {
    toInput: (v) => ({
      // '' is refused as "required": a change of form needs the new form.
      form: v.form,
      formChange: { date: v.date || undefined, reason: v.reason },
    }),
    fieldOf: (path) =>
      path.startsWith('formChange.date') ? 'date' : path.startsWith('formChange') ? 'reason' : undefined,
  });
  const fieldError = useRegistryFieldError(form);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const body = form.validate();
    if (!body) return;
    setBusy(true);
    try {
      const res = await api<EnterpriseDetailDto>(`/enterprises/${enterprise.id}`, {
        method: 'PATCH',
        body,
        ifMatch: etag ?? undefined,
      });
      form.reset();
      onDone(res);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'precondition.failed') onConflict();
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  // Rarely needed: folded until asked for, so the page stays short on a phone.
  return (
    <details className="panel">
      <summary className="disclosure">
        <span id={headingId}>{t('registry:formChange.change')}</span>
      </summary>
      <form
        ref={form.formRef}
        onSubmit={submit}
        noValidate
        className="registry-form"
        aria-labelledby={headingId}
      >
        <SelectField
          label={t('registry:formChange.newForm')}
          placeholder={t('registry:choose')}
          options={ENTERPRISE_FORMS.filter((f) => f !== enterprise.form).map((f) => ({
            value: f,
            label: t(`registry:forms.${f}`),
          }))}
          required
          {...form.bind('form')}
          error={fieldError('form')}
        />
        <TextField
          label={t('registry:formChange.date')}
          type="date"
          {...form.bind('date')}
          error={fieldError('date')}
        />
        <TextAreaField
          label={t('registry:formChange.reason')}
          maxLength={1000}
          {...form.bind('reason')}
          error={fieldError('reason')}
        />
        <FormError>{form.formError}</FormError>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('registry:saving') : t('registry:formChange.save')}
        </button>
      </form>
    </details>
  );
}

function ProductionUnits({ enterpriseId, write }: { enterpriseId: string; write: boolean }) {
  const { t } = useTranslation(['registry', 'errors']);
  const headingId = useId();
  const units = useQuery({
    queryKey: ['enterprise-units', enterpriseId],
    queryFn: ({ signal }) =>
      get<{ items: ProductionUnitDto[] }>(
        `/production-units${query({ operatorEnterpriseId: enterpriseId, limit: 100 })}`,
        signal,
      ),
  });
  return (
    <section aria-labelledby={headingId} className="registry-section">
      <h2 id={headingId}>{t('registry:units.title')}</h2>
      {units.isPending ? (
        <p className="hint">{t('registry:loading')}</p>
      ) : units.isError ? (
        <p className="form-error">{t(problemKey(units.error), { defaultValue: t('errors:unknown') })}</p>
      ) : units.data.items.length === 0 ? (
        <p>{t('registry:units.none')}</p>
      ) : (
        <ul className="record-list">
          {units.data.items.map((u) => (
            <li key={u.id}>
              <Link to={`/registry/production-units/${u.id}`}>{u.name}</Link> ·{' '}
              {t(`registry:unitKinds.${u.kind}`)} · <span dir="ltr">{u.reference}</span>
            </li>
          ))}
        </ul>
      )}
      {write && (
        <p>
          <Link
            to={`/registry/production-units/new${query({ operatorEnterpriseId: enterpriseId })}`}
            className="button secondary"
          >
            {t('registry:units.add')}
          </Link>
        </p>
      )}
    </section>
  );
}
