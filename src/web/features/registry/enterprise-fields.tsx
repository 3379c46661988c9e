import { useTranslation } from 'react-i18next';
import type { EnterpriseDto } from '../../../shared/schemas/enterprises.ts';
import { AreaSelect } from '../../components/area-select.tsx';
import { SelectField, TextField } from '../../components/form.tsx';
import { TextAreaField } from './registry-shared.tsx';

/**
 * The fields of an enterprise shared by the register and edit screens: name, area, registration,
 * payment account and benefit-sharing rules (the legal form is the caller's: chosen once when
 * registering, changed with a reason on the enterprise's page).
 */

export type EnterpriseValues = {
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

export const EMPTY_ENTERPRISE: EnterpriseValues = {
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

export function enterpriseValuesOf(e: EnterpriseDto): EnterpriseValues {
  return {
    name: e.name,
    form: e.form,
    areaId: e.areaId,
    regAuthority: e.registration?.authority ?? '',
    regNumber: e.registration?.number ?? '',
    regDate: e.registration?.date ?? '',
    benefitSharingRules: e.benefitSharingRules ?? '',
    payKind: e.paymentAccount?.kind ?? '',
    payProvider: e.paymentAccount?.provider ?? '',
    payAccount: e.paymentAccount?.account ?? '',
  };
}

const optional = (s: string) => (s.trim() === '' ? undefined : s);

/** The registration as the API takes it, or undefined when none of its fields was filled in. */
export function registrationOf(v: EnterpriseValues) {
  const registered = [v.regAuthority, v.regNumber, v.regDate].some((s) => s.trim() !== '');
  return registered
    ? { authority: v.regAuthority, number: v.regNumber, date: optional(v.regDate) }
    : undefined;
}

/** The payment account as the API takes it, or undefined when no kind was chosen. */
export function paymentAccountOf(v: EnterpriseValues) {
  return v.payKind
    ? {
        kind: v.payKind,
        provider: v.payProvider,
        account: v.payKind === 'mobile_money' ? v.payAccount.replace(/[\s-]/g, '') : v.payAccount,
      }
    : undefined;
}

const PATHS: Record<string, string> = {
  'registration.authority': 'regAuthority',
  'registration.number': 'regNumber',
  'registration.date': 'regDate',
  'paymentAccount.provider': 'payProvider',
  'paymentAccount.account': 'payAccount',
  'paymentAccount.kind': 'payKind',
};

/** Which field shows an error at a schema path. */
export function enterpriseFieldOf(path: string): string | null | undefined {
  for (const [prefix, field] of Object.entries(PATHS)) if (path.startsWith(prefix)) return field;
  if (path.startsWith('paymentAccount')) return 'payKind';
  if (path.startsWith('registration')) return 'regNumber';
  return undefined;
}

type Bind = (key: Exclude<keyof EnterpriseValues, 'form'>) => {
  name: string;
  value: string;
  onChange(value: string): void;
  error?: string | undefined;
};

/** Area, registration, payment account and benefit-sharing rules. */
export function EnterpriseDetailsFields({
  values,
  bind,
  areaError,
  onArea,
}: {
  values: EnterpriseValues;
  bind: Bind;
  areaError: string | undefined;
  onArea(areaId: string): void;
}) {
  const { t } = useTranslation(['registry', 'forms']);
  return (
    <>
      <AreaSelect label={t('registry:area')} value={values.areaId} error={areaError} onChange={onArea} />
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
                values.payKind === 'bank' ? t('registry:enterprise.bank') : t('registry:enterprise.operator')
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
    </>
  );
}
