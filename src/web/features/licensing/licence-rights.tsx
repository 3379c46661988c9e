import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDate, formatMoney } from '../../../shared/format.ts';
import {
  ENCUMBRANCE_KINDS,
  type EncumbranceDto,
  type TransferDto,
} from '../../../shared/schemas/licence-rights.ts';
import type { LicenceDto } from '../../../shared/schemas/licensing.ts';
import { api, get } from '../../api/client.ts';
import { FormError, SelectField, TextField, useIdempotencyKey } from '../../components/form.tsx';
import { HolderPicker } from './holder-picker.tsx';
import { historyKey } from './licence-history.tsx';
import { type HolderKind, HolderName, problemKey } from './licensing-common.tsx';
import { toMinorUnits } from './money-input.ts';

const CURRENCY = /^[A-Z]{3}$/;
const encumbrancesKey = (id: string) => ['licence-encumbrances', id];

/**
 * The encumbrance register of a licence whose tier grants mortgage_right: mortgages, liens and
 * charges, active or released; an officer who decides licences registers and releases them.
 */
export function EncumbranceRegister({
  licence,
  decide,
  defaultCurrency,
}: {
  licence: LicenceDto;
  decide: boolean;
  defaultCurrency: string;
}) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const queryClient = useQueryClient();
  const headingId = useId();
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const list = useQuery({
    queryKey: encumbrancesKey(licence.id),
    queryFn: ({ signal }) => get<{ items: EncumbranceDto[] }>(`/licences/${licence.id}/encumbrances`, signal),
  });
  const locale = i18n.language;
  const changed = (message: string) => {
    void queryClient.invalidateQueries({ queryKey: encumbrancesKey(licence.id) });
    setError(null);
    setNotice(message);
  };

  async function release(e: EncumbranceDto) {
    setBusy(e.id);
    try {
      await api(`/licences/${licence.id}/encumbrances/${e.id}/release`, {
        method: 'POST',
        body: {},
        idempotencyKey: `release-${e.id}`,
      });
      changed(t('licensing:encumbrances.released', { creditor: e.creditorName }));
    } catch (err) {
      setNotice(null);
      setError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(null);
    }
  }

  const items = list.data?.items ?? [];
  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:encumbrances.title')}</h2>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      <FormError>{error}</FormError>
      {list.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(list.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {list.data && items.length === 0 && <p>{t('licensing:encumbrances.none')}</p>}
      {items.length > 0 && (
        <ul className="register">
          {items.map((e) => (
            <li key={e.id}>
              <p>
                <strong>{t(`licensing:encumbrances.kinds.${e.kind}`)}</strong> · {e.creditorName} ·{' '}
                {formatMoney(locale, e.amountMinor, e.currency)}{' '}
                <span className={`badge ${e.active ? 'pending' : 'ok'}`}>
                  {t(e.active ? 'licensing:encumbrances.active' : 'licensing:encumbrances.releasedBadge')}
                </span>
              </p>
              <p className="hint">
                {t('licensing:encumbrances.registeredOn', { date: formatDate(locale, e.registeredAt) })}
                {e.reference && ` · ${t('licensing:encumbrances.referenceIs', { reference: e.reference })}`}
                {e.releasedAt &&
                  ` · ${t('licensing:encumbrances.releasedOn', { date: formatDate(locale, e.releasedAt) })}`}
              </p>
              {e.documentsNote && <p>{e.documentsNote}</p>}
              {decide && e.active && (
                <button
                  type="button"
                  className="button secondary"
                  disabled={busy !== null}
                  onClick={() => void release(e)}
                >
                  {t('licensing:encumbrances.release', { creditor: e.creditorName })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {decide && licence.status === 'active' && (
        <RegisterEncumbrance
          licenceId={licence.id}
          defaultCurrency={defaultCurrency}
          onDone={(e) => changed(t('licensing:encumbrances.registered', { creditor: e.creditorName }))}
        />
      )}
    </section>
  );
}

function RegisterEncumbrance({
  licenceId,
  defaultCurrency,
  onDone,
}: {
  licenceId: string;
  defaultCurrency: string;
  onDone(e: EncumbranceDto): void;
}) {
  const { t } = useTranslation(['licensing', 'errors']);
  const headingId = useId();
  const empty = {
    kind: 'mortgage',
    creditorName: '',
    amount: '',
    currency: defaultCurrency,
    reference: '',
    note: '',
  };
  const [v, setV] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();
  const set = (k: keyof typeof empty) => (value: string) => setV((x) => ({ ...x, [k]: value }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const currency = v.currency.trim().toUpperCase();
    const amountMinor = CURRENCY.test(currency) ? toMinorUnits(v.amount, currency) : null;
    const problems: Record<string, string> = {};
    if (v.creditorName.trim() === '') problems.creditorName = t('licensing:encumbrances.creditorRequired');
    if (!CURRENCY.test(currency)) problems.currency = t('licensing:encumbrances.currencyInvalid');
    else if (amountMinor === null || amountMinor <= 0) problems.amount = t('licensing:fee.amountInvalid');
    setErrors(problems);
    if (Object.keys(problems).length > 0 || amountMinor === null) return;
    const body = {
      kind: v.kind,
      creditorName: v.creditorName.trim(),
      amountMinor,
      currency,
      ...(v.reference.trim() ? { reference: v.reference.trim() } : {}),
      ...(v.note.trim() ? { documentsNote: v.note.trim() } : {}),
    };
    setBusy(true);
    setFormError(null);
    try {
      const res = await api<EncumbranceDto>(`/licences/${licenceId}/encumbrances`, {
        method: 'POST',
        body,
        idempotencyKey: keyFor(body),
      });
      setV(empty);
      onDone(res.data);
    } catch (err) {
      setFormError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sub-panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{t('licensing:encumbrances.registerTitle')}</h3>
      <SelectField
        label={t('licensing:encumbrances.kind')}
        value={v.kind}
        options={ENCUMBRANCE_KINDS.map((k) => ({ value: k, label: t(`licensing:encumbrances.kinds.${k}`) }))}
        onChange={set('kind')}
      />
      <TextField
        label={t('licensing:encumbrances.creditor')}
        maxLength={200}
        value={v.creditorName}
        error={errors.creditorName}
        onChange={set('creditorName')}
      />
      <div className="field-row">
        <TextField
          label={t('licensing:encumbrances.amount')}
          inputMode="decimal"
          autoComplete="off"
          value={v.amount}
          error={errors.amount}
          onChange={set('amount')}
        />
        <TextField
          label={t('licensing:encumbrances.currency')}
          hint={t('licensing:encumbrances.currencyHint')}
          dir="ltr"
          maxLength={3}
          autoComplete="off"
          value={v.currency}
          error={errors.currency}
          onChange={set('currency')}
        />
      </div>
      <TextField
        label={t('licensing:encumbrances.reference')}
        optional
        maxLength={100}
        value={v.reference}
        onChange={set('reference')}
      />
      <TextField
        label={t('licensing:encumbrances.note')}
        hint={t('licensing:encumbrances.noteHint')}
        optional
        maxLength={2000}
        value={v.note}
        onChange={set('note')}
      />
      <FormError>{formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('licensing:encumbrances.register')}
      </button>
    </form>
  );
}

/**
 * The transfers of a licence whose tier grants transfer_right, and the form to transfer it to
 * another holder (with the creditors' consent while an encumbrance is active).
 */
export function LicenceTransfers({
  licence,
  decide,
  holderKinds,
  showForm,
  onTransferred,
}: {
  licence: LicenceDto;
  decide: boolean;
  /** The kinds of holder the licence's tier is for. */
  holderKinds: readonly HolderKind[];
  /** Whether the tier grants transfer_right (else only past transfers are listed). */
  showForm: boolean;
  onTransferred(next: LicenceDto): void;
}) {
  const { t, i18n } = useTranslation(['licensing', 'errors']);
  const queryClient = useQueryClient();
  const headingId = useId();
  const [notice, setNotice] = useState<string | null>(null);
  const key = ['licence-transfers', licence.id];
  const list = useQuery({
    queryKey: key,
    queryFn: ({ signal }) => get<{ items: TransferDto[] }>(`/licences/${licence.id}/transfers`, signal),
  });
  const encumbrances = useQuery({
    queryKey: encumbrancesKey(licence.id),
    queryFn: ({ signal }) => get<{ items: EncumbranceDto[] }>(`/licences/${licence.id}/encumbrances`, signal),
    enabled: showForm && decide,
  });
  const encumbered = (encumbrances.data?.items ?? []).some((e) => e.active);
  const items = list.data?.items ?? [];
  if (!showForm && items.length === 0) return null;

  return (
    <section className="panel" aria-labelledby={headingId}>
      <h2 id={headingId}>{t('licensing:transfers.title')}</h2>
      <div role="status">{notice && <p className="notice">{notice}</p>}</div>
      {list.isError && (
        <p className="form-error" role="alert">
          {t(problemKey(list.error), { defaultValue: t('errors:unknown') })}
        </p>
      )}
      {list.data && items.length === 0 && <p>{t('licensing:transfers.none')}</p>}
      {items.length > 0 && (
        <ol className="register">
          {items.map((x) => (
            <li key={x.id}>
              <p>
                <time dateTime={x.at}>{formatDate(i18n.language, x.at)}</time> —{' '}
                {t('licensing:transfers.fromTo.from')}{' '}
                <HolderName kind={x.fromHolderKind} id={x.fromHolderId} />{' '}
                {t('licensing:transfers.fromTo.to')} <HolderName kind={x.toHolderKind} id={x.toHolderId} />
              </p>
              <p className="hint">
                {x.reason}
                {x.consideration &&
                  ` · ${t('licensing:transfers.considerationWas', {
                    amount: formatMoney(i18n.language, x.consideration.amountMinor, x.consideration.currency),
                  })}`}
                {x.creditorConsent && ` · ${t('licensing:transfers.withConsent')}`}
              </p>
            </li>
          ))}
        </ol>
      )}
      {showForm && decide && licence.status === 'active' && (
        <TransferForm
          licence={licence}
          holderKinds={holderKinds}
          encumbered={encumbered}
          onDone={(next) => {
            void queryClient.invalidateQueries({ queryKey: key });
            void queryClient.invalidateQueries({ queryKey: historyKey('licence', licence.id) });
            setNotice(t('licensing:transfers.done'));
            onTransferred(next);
          }}
        />
      )}
    </section>
  );
}

function TransferForm({
  licence,
  holderKinds,
  encumbered,
  onDone,
}: {
  licence: LicenceDto;
  holderKinds: readonly HolderKind[];
  encumbered: boolean;
  onDone(next: LicenceDto): void;
}) {
  const { t } = useTranslation(['licensing', 'errors']);
  const headingId = useId();
  const consentId = useId();
  const [kind, setKind] = useState<HolderKind>(
    holderKinds.includes(licence.holderKind) ? licence.holderKind : (holderKinds[0] ?? 'person'),
  );
  const [holderId, setHolderId] = useState('');
  const [reason, setReason] = useState('');
  const [consent, setConsent] = useState(false);
  const [consentNote, setConsentNote] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const keyFor = useIdempotencyKey();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const problems: Record<string, string> = {};
    if (!holderId) problems.holderId = 'required';
    if (reason.trim() === '') problems.reason = t('licensing:transfers.reasonRequired');
    if (encumbered && !consent) problems.consent = t('licensing:transfers.consentRequired');
    if (encumbered && consentNote.trim() === '')
      problems.consentNote = t('licensing:transfers.consentNoteRequired');
    setErrors(problems);
    if (Object.keys(problems).length > 0) return;
    const body = {
      toHolderKind: kind,
      toHolderId: holderId,
      reason: reason.trim(),
      ...(encumbered ? { creditorConsent: consent, consentNote: consentNote.trim() } : {}),
    };
    setBusy(true);
    setFormError(null);
    try {
      const res = await api<{ transfer: TransferDto; licence: LicenceDto }>(
        `/licences/${licence.id}/transfers`,
        {
          method: 'POST',
          body,
          idempotencyKey: keyFor(body),
        },
      );
      setHolderId('');
      setReason('');
      setConsent(false);
      setConsentNote('');
      onDone(res.data.licence);
    } catch (err) {
      setFormError(t(problemKey(err), { defaultValue: t('errors:unknown') }));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="sub-panel" aria-labelledby={headingId} onSubmit={submit} noValidate>
      <h3 id={headingId}>{t('licensing:transfers.formTitle')}</h3>
      <HolderPicker
        legend={t('licensing:transfers.newHolder')}
        kinds={holderKinds}
        kind={kind}
        holderId={holderId}
        error={errors.holderId}
        kindError={undefined}
        onKind={(k) => {
          setKind(k);
          setHolderId('');
        }}
        onChoose={setHolderId}
      />
      <TextField
        label={t('licensing:transfers.reason')}
        maxLength={2000}
        value={reason}
        error={errors.reason}
        onChange={setReason}
      />
      {encumbered && (
        <>
          <p className="notice warning">{t('licensing:transfers.encumbered')}</p>
          <div className="field">
            <div className="radio">
              <input
                id={consentId}
                type="checkbox"
                checked={consent}
                aria-invalid={errors.consent ? true : undefined}
                aria-describedby={errors.consent ? `${consentId}-error` : undefined}
                onChange={(e) => setConsent(e.target.checked)}
              />
              <label htmlFor={consentId}>{t('licensing:transfers.consent')}</label>
            </div>
            {errors.consent && (
              <p id={`${consentId}-error`} className="field-error">
                {errors.consent}
              </p>
            )}
          </div>
          <TextField
            label={t('licensing:transfers.consentNote')}
            hint={t('licensing:transfers.consentNoteHint')}
            maxLength={2000}
            value={consentNote}
            error={errors.consentNote}
            onChange={setConsentNote}
          />
        </>
      )}
      <FormError>{formError}</FormError>
      <button type="submit" className="button primary" disabled={busy}>
        {t('licensing:transfers.submit')}
      </button>
    </form>
  );
}
