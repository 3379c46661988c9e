import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import {
  createEnterpriseBody,
  ENTERPRISE_FORMS,
  type EnterpriseDetailDto,
} from '../../../shared/schemas/enterprises.ts';
import { api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { AreaSelect } from '../../components/area-select.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import { TextAreaField, usePageTitle, useRegistryFieldError } from './registry-shared.tsx';

type Values = {
  name: string;
  form: string;
  areaId: string;
  regAuthority: string;
  regNumber: string;
  regDate: string;
  benefitSharingRules: string;
  payKind: string;
  payProvider: string;
  payAccount: string;
};

const INITIAL: Values = {
  name: '',
  form: '',
  areaId: '',
  regAuthority: '',
  regNumber: '',
  regDate: '',
  benefitSharingRules: '',
  payKind: '',
  payProvider: '',
  payAccount: '',
};

const optional = (s: string) => (s.trim() === '' ? undefined : s);

/** The body: the registration and payment account only when something of them was entered. */
function toInput(v: Values) {
  const registered = [v.regAuthority, v.regNumber, v.regDate].some((s) => s.trim() !== '');
  return {
    name: v.name,
    form: v.form || undefined,
    areaId: v.areaId,
    registration: registered
      ? { authority: v.regAuthority, number: v.regNumber, date: optional(v.regDate) }
      : undefined,
    benefitSharingRules: optional(v.benefitSharingRules),
    paymentAccount: v.payKind
      ? {
          kind: v.payKind,
          provider: v.payProvider,
          account: v.payKind === 'mobile_money' ? v.payAccount.replace(/[\s-]/g, '') : v.payAccount,
        }
      : undefined,
  };
}

const PATHS: Record<string, string> = {
  'registration.authority': 'regAuthority',
  'registration.number': 'regNumber',
  'registration.date': 'regDate',
  'paymentAccount.provider': 'payProvider',
  'paymentAccount.account': 'payAccount',
  'paymentAccount.kind': 'payKind',
};
function fieldOf(path: string): string | null | undefined {
  for (const [prefix, field] of Object.entries(PATHS)) if (path.startsWith(prefix)) return field;
  if (path.startsWith('paymentAccount')) return 'payKind';
  if (path.startsWith('registration')) return 'regNumber';
  return undefined;
}

/** Registers an enterprise: its legal form, area, registration and the account it is paid into. */
export default function EnterpriseCreatePage() {
  const { t } = useTranslation(['registry', 'forms', 'errors']);
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const initial = useMemo(() => INITIAL, []);
  const form = useZodForm(createEnterpriseBody, initial, { toInput, fieldOf });
  const fieldError = useRegistryFieldError(form);
  const title = t('registry:enterpriseNew.title');
  usePageTitle(title);

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
      const res = await api<EnterpriseDetailDto>('/enterprises', {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      queryClient.setQueryData(['enterprise', res.data.id], { enterprise: res.data, etag: res.etag });
      await queryClient.invalidateQueries({ queryKey: tableQueryKey('/enterprises') });
      navigate(`/registry/enterprises/${res.data.id}`, { state: { created: true } });
    } catch (err) {
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const { values, setField } = form;
  const bind = (key: keyof Values) => ({ ...form.bind(key), error: fieldError(key) });

  return (
    <section aria-labelledby="enterprise-create-title">
      <p>
        <Link to="/registry/enterprises">{t('registry:enterprises.back')}</Link>
      </p>
      <h1 id="enterprise-create-title">{title}</h1>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel registry-form">
        <TextField
          label={t('registry:enterprise.name')}
          autoComplete="off"
          required
          maxLength={200}
          {...bind('name')}
        />
        <SelectField
          label={t('registry:enterprise.form')}
          placeholder={t('registry:choose')}
          options={ENTERPRISE_FORMS.map((f) => ({ value: f, label: t(`registry:forms.${f}`) }))}
          required
          {...bind('form')}
        />
        <AreaSelect
          label={t('registry:area')}
          value={values.areaId}
          error={fieldError('areaId')}
          onChange={(areaId) => setField('areaId', areaId)}
        />
        <fieldset className="registry-fieldset">
          <legend>
            {t('registry:enterprise.registration')} <span className="hint">{t('forms:optional')}</span>
          </legend>
          <p className="hint">{t('registry:enterpriseNew.registrationHint')}</p>
          <TextField
            label={t('registry:enterprise.regAuthority')}
            autoComplete="off"
            maxLength={200}
            {...bind('regAuthority')}
          />
          <div className="field-row">
            <TextField
              label={t('registry:enterprise.regNumber')}
              autoComplete="off"
              maxLength={100}
              {...bind('regNumber')}
            />
            <TextField label={t('registry:enterprise.regDate')} type="date" optional {...bind('regDate')} />
          </div>
        </fieldset>
        <fieldset className="registry-fieldset">
          <legend>
            {t('registry:enterprise.paymentAccount')} <span className="hint">{t('forms:optional')}</span>
          </legend>
          <SelectField
            label={t('registry:enterprise.payKind')}
            placeholder={t('registry:enterpriseNew.noAccount')}
            options={['bank', 'mobile_money'].map((k) => ({ value: k, label: t(`registry:payKinds.${k}`) }))}
            {...bind('payKind')}
          />
          {values.payKind !== '' && (
            <div className="field-row">
              <TextField
                label={
                  values.payKind === 'bank'
                    ? t('registry:enterprise.bank')
                    : t('registry:enterprise.operator')
                }
                autoComplete="off"
                maxLength={100}
                {...bind('payProvider')}
              />
              <TextField
                label={
                  values.payKind === 'bank'
                    ? t('registry:enterprise.accountNumber')
                    : t('registry:enterprise.mobileNumber')
                }
                hint={values.payKind === 'mobile_money' ? t('registry:personNew.phoneHint') : undefined}
                dir="ltr"
                autoComplete="off"
                inputMode={values.payKind === 'mobile_money' ? 'tel' : 'text'}
                maxLength={40}
                {...bind('payAccount')}
              />
            </div>
          )}
        </fieldset>
        <TextAreaField
          label={t('registry:enterprise.benefitSharingRules')}
          hint={t('registry:enterpriseNew.benefitHint')}
          optional
          maxLength={5000}
          {...bind('benefitSharingRules')}
        />
        <FormError>{form.formError}</FormError>
        <div className="actions">
          <button type="submit" className="button primary" disabled={busy}>
            {busy ? t('registry:saving') : t('registry:enterpriseNew.submit')}
          </button>
          <Link to="/registry/enterprises" className="button secondary">
            {t('registry:cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
