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
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey, useZodForm } from '../../components/form.tsx';
import {
  EMPTY_ENTERPRISE,
  EnterpriseDetailsFields,
  type EnterpriseValues,
  enterpriseFieldOf,
  paymentAccountOf,
  registrationOf,
} from './enterprise-fields.tsx';
import { usePageTitle, useRegistryFieldError } from './registry-shared.tsx';

type Values = EnterpriseValues;

/** The body: the registration and payment account only when something of them was entered. */
function toInput(v: Values) {
  return {
    name: v.name,
    form: v.form || undefined,
    areaId: v.areaId,
    registration: registrationOf(v),
    benefitSharingRules: v.benefitSharingRules.trim() === '' ? undefined : v.benefitSharingRules,
    paymentAccount: paymentAccountOf(v),
  };
}

/** Registers an enterprise: its legal form, area, registration and the account it is paid into. */
export default function EnterpriseCreatePage() {
  const { t } = useTranslation(['registry', 'forms', 'errors']);
  const { can } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const [busy, setBusy] = useState(false);
  const initial = useMemo(() => EMPTY_ENTERPRISE, []);
  const form = useZodForm(createEnterpriseBody, initial, { toInput, fieldOf: enterpriseFieldOf });
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
        <EnterpriseDetailsFields
          values={values}
          bind={bind}
          areaError={fieldError('areaId')}
          onArea={(areaId) => setField('areaId', areaId)}
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
