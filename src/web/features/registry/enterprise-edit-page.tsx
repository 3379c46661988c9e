import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import {
  ENTERPRISE_STATUSES,
  type EnterpriseDetailDto,
  type EnterpriseDto,
  updateEnterpriseBody,
} from '../../../shared/schemas/enterprises.ts';
import { ApiError, api } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { tableQueryKey } from '../../components/data-table.tsx';
import { FormError, SelectField, TextField, useZodForm } from '../../components/form.tsx';
import {
  EnterpriseDetailsFields,
  type EnterpriseValues,
  enterpriseFieldOf,
  enterpriseValuesOf,
  paymentAccountOf,
  registrationOf,
} from './enterprise-fields.tsx';
import { LoadFailed, usePageTitle, useRegistryFieldError } from './registry-shared.tsx';
import { useKeepEditsOnReload } from './use-keep-edits.ts';

type Values = EnterpriseValues & { status: string };

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * Only what changed is sent, so the audit trail shows the change rather than a rewrite; an emptied
 * registration or payment account is sent as null (removed).
 */
function changesOf(e: EnterpriseDto, v: Values): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (v.name.trim() !== e.name) out.name = v.name;
  if (v.areaId !== e.areaId) out.areaId = v.areaId;
  if (v.status !== e.status) out.status = v.status;
  const registration = registrationOf(v) ?? null;
  const current = e.registration
    ? {
        authority: e.registration.authority,
        number: e.registration.number,
        date: e.registration.date ?? undefined,
      }
    : null;
  if (!same(registration, current)) out.registration = registration;
  const account = paymentAccountOf(v) ?? null;
  if (!same(account, e.paymentAccount)) out.paymentAccount = account;
  const rules = v.benefitSharingRules.trim() === '' ? null : v.benefitSharingRules;
  if ((rules?.trim() ?? null) !== e.benefitSharingRules) out.benefitSharingRules = rules;
  return out;
}

/** Changes an enterprise's record: name, area, status, registration, payment account, rules. */
export default function EnterpriseEditPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation(['registry', 'errors']);
  const { can } = useSession();
  const result = useQuery({
    queryKey: ['enterprise', id],
    queryFn: async ({ signal }) => {
      const res = await api<EnterpriseDetailDto>(`/enterprises/${id}`, { signal });
      return { enterprise: res.data, etag: res.etag };
    },
  });
  const title = t('registry:enterpriseEdit.title');
  usePageTitle(result.data ? `${title}: ${result.data.enterprise.name}` : title);

  if (result.isPending) return <p className="loading">{t('registry:loading')}</p>;
  if (result.isError) {
    return (
      <LoadFailed
        error={result.error}
        back="/registry/enterprises"
        backText={t('registry:enterprises.back')}
        title={title}
      />
    );
  }
  const back = `/registry/enterprises/${id}`;
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
    <EnterpriseEditForm
      enterprise={result.data.enterprise}
      etag={result.data.etag}
      onConflict={() => void result.refetch()}
    />
  );
}

function EnterpriseEditForm({
  enterprise,
  etag,
  onConflict,
}: {
  enterprise: EnterpriseDetailDto;
  etag: string | null;
  onConflict(): void;
}) {
  const { t } = useTranslation(['registry', 'errors']);
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState(false);
  const initial = useMemo<Values>(
    () => ({ ...enterpriseValuesOf(enterprise), status: enterprise.status }),
    [enterprise],
  );
  const form = useZodForm(updateEnterpriseBody, initial, {
    toInput: (v) => changesOf(enterprise, v),
    fieldOf: enterpriseFieldOf,
  });
  useKeepEditsOnReload(form, initial);
  const fieldError = useRegistryFieldError(form);
  const back = `/registry/enterprises/${enterprise.id}`;

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
      const res = await api<EnterpriseDetailDto>(`/enterprises/${enterprise.id}`, {
        method: 'PATCH',
        body,
        ifMatch: etag ?? undefined,
      });
      queryClient.setQueryData(['enterprise', enterprise.id], { enterprise: res.data, etag: res.etag });
      void queryClient.invalidateQueries({ queryKey: tableQueryKey('/enterprises') });
      void queryClient.invalidateQueries({ queryKey: ['entity-history', 'enterprise', enterprise.id] });
      navigate(back, { state: { saved: true } });
    } catch (err) {
      // Changed by someone else since it was opened: the message says so, and the record (with
      // its new ETag) is read again; the values typed here stay for the user to look at again.
      if (err instanceof ApiError && err.code === 'precondition.failed') onConflict();
      form.applyServerErrors(err);
    } finally {
      setBusy(false);
    }
  }

  const { values, setField } = form;
  const bind = (key: Exclude<keyof Values, 'form'>) => ({ ...form.bind(key), error: fieldError(key) });

  return (
    <section aria-labelledby="enterprise-edit-title">
      <p>
        <Link to={back}>{t('registry:back')}</Link>
      </p>
      <h1 id="enterprise-edit-title">
        {t('registry:enterpriseEdit.title')}: {enterprise.name}
      </h1>
      <p>{t('registry:enterpriseEdit.intro')}</p>
      <form ref={form.formRef} onSubmit={submit} noValidate className="panel registry-form">
        <TextField
          label={t('registry:enterprise.name')}
          autoComplete="off"
          required
          maxLength={200}
          {...bind('name')}
        />
        <SelectField
          label={t('registry:enterprise.status')}
          options={ENTERPRISE_STATUSES.map((s) => ({ value: s, label: t(`registry:enterpriseStatus.${s}`) }))}
          {...bind('status')}
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
            {busy ? t('registry:saving') : t('registry:enterpriseEdit.save')}
          </button>
          <Link to={back} className="button secondary">
            {t('registry:cancel')}
          </Link>
        </div>
      </form>
    </section>
  );
}
