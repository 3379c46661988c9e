import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useId, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import {
  AGE_BANDS,
  createPersonBody,
  type DuplicateCandidate,
  type PersonDto,
  SEXES,
} from '../../../shared/schemas/people.ts';
import { ApiError, api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaName } from '../../app/shell.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { ID_TYPES, usePageTitle, useRegistryFieldError } from './registry-shared.tsx';

const BIRTH_KINDS = ['date', 'year', 'band', 'unknown'] as const;
type BirthKind = (typeof BIRTH_KINDS)[number];

type Values = {
  givenName: string;
  familyName: string;
  otherNames: string;
  sex: string;
  birthKind: BirthKind;
  birthDate: string;
  birthYear: string;
  ageBand: string;
  phone: string;
  idType: string;
  idNumber: string;
  areaId: string;
};

const INITIAL: Values = {
  givenName: '',
  familyName: '',
  otherNames: '',
  sex: '',
  birthKind: 'date',
  birthDate: '',
  birthYear: '',
  ageBand: '',
  phone: '',
  idType: '',
  idNumber: '',
  areaId: '',
};

const optional = (s: string) => (s.trim() === '' ? undefined : s.trim());

/** The request body: only the way of giving the age that was chosen, the ID document only if given. */
function toInput(v: Values) {
  const year = v.birthYear.trim();
  return {
    givenName: v.givenName,
    familyName: v.familyName,
    otherNames: optional(v.otherNames),
    sex: v.sex || undefined,
    birthDate: v.birthKind === 'date' ? optional(v.birthDate) : undefined,
    birthYear: v.birthKind === 'year' && year !== '' ? (/^\d+$/.test(year) ? Number(year) : year) : undefined,
    ageBand: v.birthKind === 'band' ? v.ageBand || undefined : undefined,
    phone: optional(v.phone.replace(/[\s-]/g, '')),
    idDocument: v.idType || v.idNumber.trim() ? { type: v.idType, number: v.idNumber } : undefined,
    areaId: v.areaId,
  };
}

function fieldOf(path: string): string | null | undefined {
  if (path.startsWith('idDocument.type')) return 'idType';
  if (path.startsWith('idDocument')) return 'idNumber';
  return undefined;
}

interface DuplicateWarning {
  candidates: DuplicateCandidate[];
  otherMatches: number;
  /** The body that met them: "register anyway" sends exactly this, with the check turned off. */
  body: Record<string, unknown>;
}

/** Registers a miner or worker; warns of likely duplicates before anything is written. */
export default function PersonCreatePage() {
  const { t } = useTranslation(['registry', 'forms', 'errors']);
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const [duplicates, setDuplicates] = useState<DuplicateWarning | null>(null);
  const initial = useMemo(() => INITIAL, []);
  const form = useZodForm(createPersonBody, initial, { toInput, fieldOf });
  const fieldError = useRegistryFieldError(form);
  const title = t('registry:personNew.title');
  usePageTitle(title);
  const birthLegendId = useId();
  const duplicatesRef = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    if (duplicates) duplicatesRef.current?.focus();
  }, [duplicates]);

  if (!can('registry.write')) {
    return (
      <section>
        <h1>{title}</h1>
        <p className="form-error">{t('registry:notAllowed')}</p>
        <Link to="/registry/people">{t('registry:people.back')}</Link>
      </section>
    );
  }

  async function send(body: Record<string, unknown>) {
    setBusy(true);
    try {
      const res = await api<PersonDto>('/people', { method: 'POST', body, idempotencyKey: keyFor(body) });
      queryClient.setQueryData(['person', res.data.id], { person: res.data, etag: res.etag });
      await queryClient.invalidateQueries({ queryKey: tableQueryKey('/people') });
      navigate(`/registry/people/${res.data.id}`, { state: { created: true } });
    } catch (err) {
      if (err instanceof ApiError && err.code === 'person.possible_duplicate') {
        form.setFormError(null);
        setDuplicates({
          candidates: (err.body.candidates as DuplicateCandidate[] | undefined) ?? [],
          otherMatches: Number(err.body.otherMatches ?? 0),
          body,
        });
      } else {
        setDuplicates(null);
        form.applyServerErrors(err);
      }
    } finally {
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setDuplicates(null);
    const body = form.validate();
    if (!body) return;
    await send(body as Record<string, unknown>);
  }

  const { values, setField } = form;
  // A change after the warning makes it stale: the next submission checks again.
  const set = <K extends keyof Values & string>(key: K, value: Values[K]) => {
    setDuplicates(null);
    setField(key, value);
  };
  const bind = (key: Exclude<keyof Values, 'birthKind'>) => ({
    ...form.bind(key),
    onChange: (v: string) => set(key, v),
    error: fieldError(key),
  });

  return (
    <section aria-labelledby="person-create-title">
      <p>
        <Link to="/registry/people">{t('registry:people.back')}</Link>
      </p>
      <h1 id="person-create-title">{title}</h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel registry-form">
        <div className="field-row">
          <TextField
            label={t('registry:person.givenName')}
            autoComplete="off"
            required
            maxLength={100}
            {...bind('givenName')}
          />
          <TextField
            label={t('registry:person.familyName')}
            autoComplete="off"
            required
            maxLength={100}
            {...bind('familyName')}
          />
        </div>
        <TextField
          label={t('registry:person.otherNames')}
          autoComplete="off"
          optional
          maxLength={200}
          {...bind('otherNames')}
        />
        <SelectField
          label={t('registry:person.sex')}
          placeholder={t('registry:choose')}
          options={SEXES.map((s) => ({ value: s, label: t(`registry:sexes.${s}`) }))}
          required
          {...bind('sex')}
        />
        <fieldset className="registry-fieldset" aria-describedby={`${birthLegendId}-hint`}>
          <legend>{t('registry:personNew.birth')}</legend>
          <p id={`${birthLegendId}-hint`} className="hint">
            {t('registry:personNew.birthHint')}
          </p>
          <div className="field-row" role="radiogroup" aria-label={t('registry:personNew.birthKind')}>
            {BIRTH_KINDS.map((k) => (
              <label key={k} className="radio">
                <input
                  type="radio"
                  name="birthKind"
                  value={k}
                  checked={values.birthKind === k}
                  onChange={() => set('birthKind', k)}
                />
                {t(`registry:personNew.birthKinds.${k}`)}
              </label>
            ))}
          </div>
          {values.birthKind === 'date' && (
            <TextField
              label={t('registry:person.birthDate')}
              type="date"
              max="2100-12-31"
              {...bind('birthDate')}
            />
          )}
          {values.birthKind === 'year' && (
            <TextField
              label={t('registry:person.birthYear')}
              inputMode="numeric"
              maxLength={4}
              autoComplete="off"
              {...bind('birthYear')}
            />
          )}
          {values.birthKind === 'band' && (
            <SelectField
              label={t('registry:person.ageBand')}
              placeholder={t('registry:choose')}
              options={AGE_BANDS.map((b) => ({
                value: b,
                label: t('registry:person.ageBandValue', { band: b }),
              }))}
              {...bind('ageBand')}
            />
          )}
        </fieldset>
        <TextField
          label={t('registry:person.phone')}
          hint={t('registry:personNew.phoneHint')}
          type="tel"
          inputMode="tel"
          dir="ltr"
          autoComplete="off"
          optional
          {...bind('phone')}
        />
        <fieldset className="registry-fieldset">
          <legend>
            {t('registry:person.idDocument')} <span className="hint">{t('forms:optional')}</span>
          </legend>
          <p className="hint">{t('registry:personNew.idHint')}</p>
          <div className="field-row">
            <SelectField
              label={t('registry:person.idType')}
              placeholder={t('registry:personNew.noDocument')}
              options={ID_TYPES.map((k) => ({ value: k, label: t(`registry:idTypes.${k}`) }))}
              {...bind('idType')}
            />
            <TextField
              label={t('registry:person.idNumber')}
              autoComplete="off"
              maxLength={60}
              {...bind('idNumber')}
            />
          </div>
        </fieldset>
        <AreaSelect
          label={t('registry:person.residence')}
          value={values.areaId}
          error={fieldError('areaId')}
          onChange={(areaId) => set('areaId', areaId)}
        />
        <FormError>{form.formError}</FormError>
        {duplicates && (
          <div className="duplicates">
            <h2 ref={duplicatesRef} tabIndex={-1}>
              {t('registry:duplicates.title')}
            </h2>
            <p>{t('registry:duplicates.text')}</p>
            {duplicates.candidates.length > 0 && (
              <ul className="record-list">
                {duplicates.candidates.map((c) => (
                  <li key={c.id}>
                    <Link to={`/registry/people/${c.id}`} target="_blank" rel="noopener">
                      {c.givenName} {c.familyName}
                      <span className="visually-hidden"> {t('registry:newTab')}</span>
                    </Link>{' '}
                    <span dir="ltr">{c.reference}</span>
                    {c.birthYear !== null && <> · {c.birthYear}</>} · <AreaName id={c.areaId} />
                    <br />
                    <span className="hint">
                      {c.reasons.map((r) => t(`registry:duplicates.reasons.${r}`)).join('; ')}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {duplicates.otherMatches > 0 && (
              <p>{t('registry:duplicates.others', { count: duplicates.otherMatches })}</p>
            )}
            <div className="actions">
              <button
                type="button"
                className="button primary"
                disabled={busy}
                onClick={() => void send({ ...duplicates.body, checkDuplicates: false })}
              >
                {t('registry:duplicates.different')}
              </button>
              <Link to="/registry/people" className="button secondary">
                {t('registry:duplicates.stop')}
              </Link>
            </div>
          </div>
        )}
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('registry:saving') : t('registry:personNew.submit')}
          </button>
          <Link to="/registry/people" className="button secondary">
            {t('registry:cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
