import { type FormEvent, useId, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { AGE_BANDS, type PersonDto, SEXES, updatePersonBody } from '../../../shared/schemas/people.ts';
import { ApiError, type ApiResponse, api } from '../../api/client.ts';
import { AreaSelect } from '../../components/area-select.tsx';
import { FormError, SelectField, TextField, useZodForm } from '../../components/form.tsx';
import { ID_TYPES, useRegistryFieldError } from './registry-shared.tsx';

type BirthKind = 'date' | 'year' | 'band' | 'unknown';

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

const orNull = (s: string) => (s.trim() === '' ? null : s.trim());

function valuesOf(p: PersonDto): Values {
  return {
    givenName: p.givenName,
    familyName: p.familyName,
    otherNames: p.otherNames ?? '',
    sex: p.sex,
    birthKind: p.birthDate ? 'date' : p.birthYear !== null ? 'year' : p.ageBand ? 'band' : 'unknown',
    birthDate: p.birthDate ?? '',
    birthYear: p.birthYear !== null ? String(p.birthYear) : '',
    ageBand: p.ageBand ?? '',
    phone: p.phone ?? '',
    idType: p.idDocument?.type ?? '',
    idNumber: p.idDocument?.number ?? '',
    areaId: p.areaId,
  };
}

/**
 * Only what changed is sent, so the audit trail shows the correction rather than a rewrite. The age
 * is sent as a whole (date, year and band) when any part of it changed: one of them, the others null.
 */
function changesOf(p: PersonDto, v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v.givenName.trim() !== p.givenName) out.givenName = v.givenName;
  if (v.familyName.trim() !== p.familyName) out.familyName = v.familyName;
  if (orNull(v.otherNames) !== p.otherNames) out.otherNames = orNull(v.otherNames);
  if (v.sex !== p.sex) out.sex = v.sex;
  const year = v.birthYear.trim();
  const birth = {
    birthDate: v.birthKind === 'date' ? orNull(v.birthDate) : null,
    birthYear: v.birthKind === 'year' && year !== '' ? (/^\d+$/.test(year) ? Number(year) : year) : null,
    ageBand: v.birthKind === 'band' ? v.ageBand || null : null,
  };
  if (birth.birthDate !== p.birthDate || birth.birthYear !== p.birthYear || birth.ageBand !== p.ageBand)
    Object.assign(out, birth);
  const phone = orNull(v.phone.replace(/[\s-]/g, ''));
  if (phone !== p.phone) out.phone = phone;
  const doc = v.idType || v.idNumber.trim() ? { type: v.idType, number: v.idNumber } : null;
  if (JSON.stringify(doc) !== JSON.stringify(p.idDocument)) out.idDocument = doc;
  if (v.areaId !== p.areaId) out.areaId = v.areaId;
  return out;
}

function fieldOf(path: string): string | null | undefined {
  if (path.startsWith('idDocument.type')) return 'idType';
  if (path.startsWith('idDocument')) return 'idNumber';
  return undefined;
}

/** Corrects a person's record (a misspelt name, a new phone…), folded until asked for. */
export function PersonEdit({
  person,
  etag,
  onDone,
  onConflict,
}: {
  person: PersonDto;
  etag: string | null;
  onDone(res: ApiResponse<PersonDto>): void;
  /** The record changed since it was opened (412): reload it. */
  onConflict(): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  const [busy, setBusy] = useState(false);
  const [open, setOpen] = useState(false);
  const headingId = useId();
  const initial = useMemo(() => valuesOf(person), [person]);
  const form = useZodForm(updatePersonBody, initial, { toInput: (v) => changesOf(person, v), fieldOf });
  const fieldError = useRegistryFieldError(form);

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
      const res = await api<PersonDto>(`/people/${person.id}`, {
        method: 'PATCH',
        body,
        ifMatch: etag ?? undefined,
      });
      setOpen(false);
      onDone(res);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'precondition.failed') onConflict();
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const { values, setField } = form;
  const bind = (key: Exclude<keyof Values, 'birthKind'>) => ({ ...form.bind(key), error: fieldError(key) });

  return (
    <details className="panel registry-section" open={open} onToggle={(e) => setOpen(e.currentTarget.open)}>
      <summary className="disclosure">
        <span id={headingId}>{t('registry:personEdit.title')}</span>
      </summary>
      <form
        ref={form.formRef}
        onSubmit={submit}
        noValidate
        className="registry-form"
        aria-labelledby={headingId}
      >
        <div className="field-row">
          <TextField
            label={t('registry:person.givenName')}
            autoComplete="off"
            maxLength={100}
            {...bind('givenName')}
          />
          <TextField
            label={t('registry:person.familyName')}
            autoComplete="off"
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
          options={SEXES.map((s) => ({ value: s, label: t(`registry:sexes.${s}`) }))}
          {...bind('sex')}
        />
        <fieldset className="registry-fieldset">
          <legend>{t('registry:personNew.birth')}</legend>
          <div className="field-row" role="radiogroup" aria-label={t('registry:personNew.birthKind')}>
            {(['date', 'year', 'band', 'unknown'] as const).map((k) => (
              <label key={k} className="radio">
                <input
                  type="radio"
                  name={`${headingId}-birthKind`}
                  value={k}
                  checked={values.birthKind === k}
                  onChange={() => setField('birthKind', k)}
                />
                {t(`registry:personNew.birthKinds.${k}`)}
              </label>
            ))}
          </div>
          {values.birthKind === 'date' && (
            <TextField label={t('registry:person.birthDate')} type="date" {...bind('birthDate')} />
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
        <div className="field-row">
          <SelectField
            label={t('registry:person.idType')}
            placeholder={t('registry:personNew.noDocument')}
            options={[
              ...ID_TYPES.map((k) => ({ value: k, label: t(`registry:idTypes.${k}`) })),
              // A type recorded by another client keeps its place in the list.
              ...(values.idType && !ID_TYPES.includes(values.idType)
                ? [{ value: values.idType, label: values.idType }]
                : []),
            ]}
            {...bind('idType')}
          />
          <TextField
            label={t('registry:person.idNumber')}
            autoComplete="off"
            maxLength={60}
            {...bind('idNumber')}
          />
        </div>
        <AreaSelect
          label={t('registry:person.residence')}
          value={values.areaId}
          error={fieldError('areaId')}
          onChange={(areaId) => setField('areaId', areaId)}
        />
        <FormError>{form.formError}</FormError>
        <button type="submit" className="button primary" disabled={busy}>
          {busy ? t('registry:saving') : t('registry:personEdit.save')}
        </button>
      </form>
    </details>
  );
}
