import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatMoney } from '../../../shared/format.ts';
import { type FeeAccountDto, PAYMENT_METHODS } from '../../../shared/schemas/licence-fees.ts';
import { api, get } from '../../api/client.ts';
import { useSession } from '../../app/session.tsx';
import { FormError, SelectField, TextField, useIdempotencyKey } from '../../components/form.tsx';
import { problemKey } from './licensing-common.tsx';
import { fromMinorUnits, toMinorUnits } from './money-input.ts';

/**
 * The fee of a submitted application: assessed, paid, balance, receipts; and recording a payment
 * (the licence is issued only once the balance is nil).
 */
export function FeePanel({ applicationId }: { applicationId: string }) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const { can } = useSession();
  const headingId = useId();
  const account = useQuery({
    queryKey: ['licence-fee', applicationId],
    queryFn: ({ signal }) => get<FeeAccountDto>(`/licence-applications/${applicationId}/payments`, signal),
  });
  const locale = i18n.language;
  const a = account.data;
  const money = (minor: number) => (a?.currency ? formatMoney(locale, minor, a.currency) : String(minor));

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:fee.title')}</h2>
      {account.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(account.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {a && a.assessedMinor !== null && (
        <>
          <dl className="facts">
            <dt>{t('licensing:fee.assessed')}</dt>
            <dd>{money(a.assessedMinor)}</dd>
            <dt>{t('licensing:fee.paid')}</dt>
            <dd>{money(a.paidMinor)}</dd>
            <dt>{t('licensing:fee.balance')}</dt>
            <dd>
              <strong>{money(a.balanceMinor)}</strong>{' '}
              {a.balanceMinor === 0 ? (
                <span className="badge ok">{t('licensing:fee.settled')}</span>
              ) : (
                <span className="badge pending">{t('licensing:fee.due')}</span>
              )}
            </dd>
          </dl>
          {a.payments.length > 0 && (
            <ul>
              {a.payments.map((p) => (
                <li key={p.id}>
                  <time dateTime={p.paidAt}>{formatDate(locale, p.paidAt)}</time> · {money(p.amountMinor)} ·{' '}
                  {t(`licensing:fee.methods.${p.method}`)} ·{' '}
                  <a href={`/api/v1/licence-applications/${applicationId}/payments/${p.id}/receipt.pdf`}>
                    {t('licensing:fee.receipt', { number: p.receiptNumber })}
                  </a>
                </li>
              ))}
            </ul>
          )}
          {a.balanceMinor > 0 && a.currency && can('fees.record') && (
            <RecordPayment
              applicationId={applicationId}
              balanceMinor={a.balanceMinor}
              currency={a.currency}
              onDone={() => void account.refetch()}
            />
          )}
        </>
      )}
    </section>
  );
}

function RecordPayment({
  applicationId,
  balanceMinor,
  currency,
  onDone,
}: {
  applicationId: string;
  balanceMinor: number;
  currency: string;
  onDone(): void;
}) {
  const { t } = useTranslation(['licensing', 'errors', 'forms']);
  const queryClient = useQueryClient();
  const keyFor = useIdempotencyKey();
  const [amount, setAmount] = useState(fromMinorUnits(balanceMinor, currency));
  const [method, setMethod] = useState<string>('cash');
  const [reference, setReference] = useState('');
  const [errors, setErrors] = useState<{ amount?: string; reference?: string }>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const amountMinor = toMinorUnits(amount, currency);
    const next: typeof errors = {};
    if (amountMinor === null || amountMinor <= 0) next.amount = t('licensing:fee.amountInvalid');
    else if (amountMinor > balanceMinor) next.amount = t('licensing:fee.amountTooBig');
    if (reference.trim() === '') next.reference = t('licensing:fee.referenceRequired');
    setErrors(next);
    if (Object.keys(next).length > 0 || amountMinor === null) {
      setProblem('forms:summary');
      return;
    }
    const body = { amountMinor, currency, method, reference: reference.trim() };
    setBusy(true);
    try {
      await api(`/licence-applications/${applicationId}/payments`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      setProblem(null);
      setReference('');
      await queryClient.invalidateQueries({ queryKey: ['licence-fee', applicationId] });
      onDone();
    } catch (err) {
      setProblem(problemKey(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate aria-label={t('licensing:fee.recordTitle')}>
      <h3>{t('licensing:fee.recordTitle')}</h3>
      <TextField
        label={t('licensing:fee.amount', { currency })}
        inputMode="decimal"
        autoComplete="off"
        value={amount}
        error={errors.amount}
        onChange={setAmount}
      />
      <SelectField
        label={t('licensing:fee.method')}
        value={method}
        options={PAYMENT_METHODS.map((m) => ({ value: m, label: t(`licensing:fee.methods.${m}`) }))}
        onChange={setMethod}
      />
      <TextField
        label={t('licensing:fee.reference')}
        hint={t('licensing:fee.referenceHint')}
        autoComplete="off"
        maxLength={100}
        value={reference}
        error={errors.reference}
        onChange={setReference}
      />
      <FormError>{problem && t(problem, { defaultValue: t('errors:unknown') })}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('licensing:fee.record')}
      </button>
    </form>
  );
}
